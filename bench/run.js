#!/usr/bin/env node
// Benchmarks: `npm run bench` (builds first). Prints a Markdown report; with
// --write it also replaces the generated parts of BENCHMARKS.md.
// Measures wall time and memory only here, never in tests.
//
// `--only=peers,...` runs only the named sections (replay, fuzz, cycle, daemon,
// failover, peers, false-failovers). Each has its own markers in BENCHMARKS.md,
// so running one alone rewrites only its part.
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const write = process.argv.includes('--write');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');

/**
 * Each section, written between its own markers in BENCHMARKS.md
 * (`<!-- bench:<key>:begin -->` ... `end`), so `--only` rewrites just the
 * sections it ran and leaves the others' figures as they were measured.
 */
// Each section's module is loaded only when it runs: the peers' and the daemon's pull in database drivers, the
// cloud SDKs and etcd's client, whose code and heap would otherwise weigh on the in-process replay measured first.
const BENCHES = [
  { key: 'replay', run: async () => (await import('./replay.js')).replayBench(root) },
  { key: 'fuzz', run: async () => (await import('./fuzz.js')).fuzzBench() },
  { key: 'cycle', run: async () => (await import('./cycle.js')).cycleBench() },
  { key: 'daemon', run: async () => (await import('./daemon.js')).daemonBench() },
  { key: 'failover', run: async () => (await import('./failover.js')).failoverBench() },
  { key: 'peers', run: async () => (await import('./peers/peersBench.js')).peersBench() },
  { key: 'false-failovers', run: async () => (await import('./falseFailovers.js')).falseFailoverBench() },
];
const unknown = (only ?? []).filter((key) => !BENCHES.some((b) => b.key === key));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown section(s) ${unknown.join(', ')} (sections: ${BENCHES.map((b) => b.key).join(', ')})\n`);
  process.exit(2);
}
const selected = BENCHES.filter((b) => only === undefined || only.includes(b.key));

const machine = (key) =>
  `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min) when the section ended, ${new Date().toISOString().slice(0, 10)}. Command: \`npm run bench\` (\`node --expose-gc bench/run.js\` after a build); this section alone: \`npm run build && node --expose-gc bench/run.js --only=${key} --write\`.`;
const sections = [];
for (const bench of selected) {
  const text = await bench.run();
  sections.push({ key: bench.key, text: `${text}\n\n${machine(bench.key)}` });
  process.stdout.write(`${sections[sections.length - 1].text}\n\n`);
}

if (write) {
  const path = `${root}/BENCHMARKS.md`;
  let text = await readFile(path, 'utf8').catch(() => '# Benchmarks\n');
  const replace = (begin, end, body) => {
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from < 0 || to < 0) text = `${text.trimEnd()}\n\n${begin}\n${body}\n${end}\n`;
    else text = `${text.slice(0, from + begin.length)}\n${body}\n${text.slice(to)}`;
  };
  for (const section of sections) replace(`<!-- bench:${section.key}:begin -->`, `<!-- bench:${section.key}:end -->`, section.text);
  await writeFile(path, text);
}
