import { packageVersion } from '../daemon/packageVersion.js';

// Commands are loaded on demand: the cloud SDKs behind the daemon cost seconds to load, and `replay` needs none of them.
const daemonCommands = () => import('./daemonCommands.js');
const replayCommand = () => import('./replayCommand.js');
const demoCommand = () => import('../demo/demoCommand.js');
const fuzzCommand = () => import('../fuzz/fuzzCommand.js');
const operatorCommands = () => import('./operator/operatorCommands.js');

/** Each command's usage, shown by `lifeboat <command> --help` and in the overview. */
const COMMAND_USAGE: Readonly<Record<string, string>> = {
  replay: `  replay <file|dir...> [--wire] [--json <report.json>] [--policy <file>] [--quiet]
      replay outage scenarios in virtual time through the controller
`,
  fuzz: `  fuzz [--count N] [--seed N] [--duration 6h] [--workers N] [--out DIR] [--max-failures N] [--shrink-replays N]
      replay random scenarios and check invariants; write each violation, shrunk, to DIR
`,
  demo: `  demo [--fault unreachable|power|storage] [--within <seconds>] [--json <file>]
      fail over a real local PostgreSQL cluster under continuous writes (no cloud account)
`,
  daemon: `  daemon --config <file> [--listen HOST:PORT] [--log-format json|pretty] [--log-level LEVEL]
      run the failover daemon (HTTP API, journal, audit log)
`,
  config: `  config check <file> [--online] | config schema
      validate a daemon config without running it | print its JSON Schema
`,
  init: `  init [--out <file>]
      write a commented starter config (default lifeboat.yaml)
`,
  'sim-serve': `  sim-serve --world <scenario> [--listen HOST:PORT] [--time-scale N]
      serve a simulated world in real time to daemons in other processes
`,
};

const OPERATOR_USAGE = `operator commands (on a running daemon's API; --url, --config, --json; token from $LIFEBOAT_TOKEN):
  status                                   zones, databases (primary, replicas, lag), groups, plan, leader, pauses
  pause [<database>] [--reason <text>]     pause automatic actions: everything, or one database
  resume [<database>] [--reason <text>]    lift the pause of everything, or of one database
  switchover <database> [--to <replica>]   planned switchover
  approve <database>                       approve a failover that waits for approval
  events [--limit <n>]                     the latest events
  (lifeboat <command> --help for each one's options)
`;

const USAGE = `usage: lifeboat <command> [options]      lifeboat --version

commands:
${Object.values(COMMAND_USAGE).join('')}
${OPERATOR_USAGE}`;

const OPERATOR = new Set(['status', 'pause', 'resume', 'switchover', 'approve', 'events']);

/** CLI entry point; returns the process exit code (0 ok, 1 expectation failed or daemon unreachable, 2 bad input). */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // Every command answers --help with exit 0 (the commands' own parsers would call it an unknown option).
    const usage = command === undefined ? undefined : COMMAND_USAGE[command];
    if (usage !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
      process.stdout.write(`usage: lifeboat\n${usage}`);
      return 0;
    }
    if (command !== undefined && OPERATOR.has(command)) return await (await operatorCommands()).runOperatorCommand(argv, packageVersion());
    switch (command) {
      case 'replay':
        return await (await replayCommand()).runReplayCommand(rest);
      case 'fuzz':
        return await (await fuzzCommand()).runFuzzCommand(rest);
      case 'demo':
        return await (await demoCommand()).runDemoCommand(rest);
      case 'daemon':
        return await (await daemonCommands()).runDaemonCommand(rest);
      case 'config':
        return await (await daemonCommands()).runConfigCommand(rest);
      case 'init':
        return await (await daemonCommands()).runInitCommand(rest);
      case 'sim-serve':
        return await (await daemonCommands()).runSimServeCommand(rest);
      case '-V':
      case '--version':
      case 'version':
        process.stdout.write(`lifeboat ${packageVersion()}\n`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`lifeboat: unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    // A bug, not a user mistake: keep the stack for the report.
    process.stderr.write(`lifeboat: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 70;
  }
}
