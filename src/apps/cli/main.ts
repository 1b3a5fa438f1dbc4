// Commands are loaded on demand: the cloud SDKs behind the daemon cost seconds to load, and `replay` needs none of them.
const daemonCommands = () => import('./daemonCommands.js');
const replayCommand = () => import('./replayCommand.js');
const demoCommand = () => import('../demo/demoCommand.js');

const USAGE = `usage: lifeboat <command> [options]

commands:
  replay <file|dir...> [--wire] [--json <report.json>] [--policy <file>] [--quiet]
      replay outage scenarios in virtual time through the controller
  demo [--fault unreachable|power|storage] [--within <seconds>] [--json <file>]
      fail over a real local PostgreSQL cluster under continuous writes (no cloud account)
  daemon --config <file> [--listen HOST:PORT] [--log-format json|pretty] [--log-level LEVEL]
      run the failover daemon (HTTP API, journal, audit log)
  config check <file> [--online] | config schema
      validate a daemon config without running it | print its JSON Schema
  init [--out <file>]
      write a commented starter config (default lifeboat.yaml)
  sim-serve --world <scenario> [--listen HOST:PORT] [--time-scale N]
      serve a simulated world in real time to daemons in other processes
`;

/** CLI entry point; returns the process exit code (0 ok, 1 expectation failed, 2 bad input). */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'replay':
        return await (await replayCommand()).runReplayCommand(rest);
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
