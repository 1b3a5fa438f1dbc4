#!/usr/bin/env node
// Benchmarks: `npm run bench` (builds first). Prints a Markdown report; with
// --write it also replaces the generated part of BENCHMARKS.md.
// Measures wall time and memory only here, never in tests.
import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cycleBench } from './cycle.js';
import { daemonBench } from './daemon.js';
import { failoverBench } from './failover.js';
import { fuzzBench } from './fuzz.js';
import { replayBench } from './replay.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const write = process.argv.includes('--write');
const sections = [];
const header = `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. Command: \`npm run bench\` (\`node --expose-gc bench/run.js\` after a build).`;
sections.push(header);
sections.push(await replayBench(root));
sections.push(await fuzzBench());
sections.push(await cycleBench());
sections.push(await daemonBench());
sections.push(await failoverBench());
const report = sections.join('\n\n');
process.stdout.write(`${report}\n`);

if (write) {
  const path = `${root}/BENCHMARKS.md`;
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  let text = await readFile(path, 'utf8').catch(() => `# Benchmarks\n\n${begin}\n${end}\n`);
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  text = `${text.slice(0, from + begin.length)}\n${report}\n${text.slice(to)}`;
  await writeFile(path, text);
}
