import { runReplayCommand } from './replayCommand.js';

const USAGE = `usage: lifeboat <command> [options]

commands:
  replay <file|dir...> [--json <report.json>] [--policy <file>] [--quiet]
      replay outage scenarios in virtual time through the controller
`;

/** CLI entry point; returns the process exit code (0 ok, 1 expectation failed, 2 bad input). */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'replay':
        return await runReplayCommand(rest);
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
