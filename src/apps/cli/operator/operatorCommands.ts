import { userInfo } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_LISTEN, loadDaemonConfig } from '../../daemon/config/loadDaemonConfig.js';
import type { DaemonStatus } from '../../daemon/DaemonStatus.js';
import { isScenarioError } from '../../replay/scenario/ScenarioError.js';
import { DaemonClient, DaemonRequestError } from './DaemonClient.js';
import { formatStatus } from './formatStatus.js';
import { formatTable } from './formatTable.js';

/** The commands of the daemon's operators (`lifeboat status` and the rest). */
export const OPERATOR_COMMANDS = ['status', 'pause', 'resume', 'switchover', 'approve', 'events'] as const;

/** The environment variable the operate (or read) token is read from by default. */
export const TOKEN_ENV = 'LIFEBOAT_TOKEN';

interface CommonOptions {
  readonly url?: string;
  readonly config?: string;
  readonly json?: boolean;
  readonly timeout: number;
  readonly tokenEnv: string;
  /** Command-specific: pause and resume. */
  readonly reason?: string;
  /** Command-specific: switchover. */
  readonly to?: string;
  /** Command-specific: events. */
  readonly limit?: string;
}

/** A user mistake found after parsing (exit 2). */
class UsageError extends Error {}

/**
 * Runs one operator command (`argv[0]` is the command) against the
 * daemon's HTTP API. Exit codes: 0 done, 1 the daemon refused or could not
 * be reached (one line on stderr), 2 bad usage.
 */
export async function runOperatorCommand(argv: readonly string[], version: string): Promise<number> {
  let code = 0;
  const program = new Command('lifeboat')
    .exitOverride()
    .version(version, '-V, --version')
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`lifeboat: ${s.replace(/^error: /, '')}`),
    });
  const run = (action: (client: DaemonClient, o: CommonOptions, ...args: never[]) => Promise<void>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const options = command.opts<CommonOptions>();
      code = await execute(command.name(), options, (client) => action(client, options, ...(args.slice(0, -2) as never[])));
    };

  common(program.command('status').description('show the cluster: leader, mode, pauses, zones, databases (primary, replicas, lag), groups, plan'))
    .action(run(async (client, o) => {
      const status = await client.get<DaemonStatus>('/status');
      write(o, status, () => formatStatus(status));
    }));
  common(program.command('pause').description('pause automatic actions, for everything or for one database (held across restarts and leader changes)'))
    .argument('[database]', 'only this database (default: everything)')
    .option('--reason <text>', 'why, for the audit log and /status')
    .action(run(async (client, o, database?: string) => {
      const answer = await client.post<{ by: string; at: string; reason: string }>('/pause', body(database, o.reason));
      write(o, answer, () => `paused ${database ?? 'everything'} (by ${answer.by} at ${answer.at}: ${answer.reason})\n`);
    }));
  common(program.command('resume').description('resume automatic actions, for everything (pauses of single databases stay) or for one database'))
    .argument('[database]', 'only this database (default: the pause of everything)')
    .option('--reason <text>', 'why, for the audit log')
    .action(run(async (client, o, database?: string) => {
      const answer = await client.post<Record<string, unknown>>('/resume', body(database, o.reason));
      write(o, answer, () => `resumed ${database ?? 'everything'}\n`);
    }));
  common(program.command('switchover').description('planned switchover: fence the primary, wait for the target to catch up, promote it'))
    .argument('<database>', 'the database')
    .option('--to <replica>', 'the replica to promote (default: the best by the failover rules)')
    .action(run(async (client, o, database: string) => {
      const to = o.to;
      const answer = await client.post<{ from: string; target: string }>('/switchover', { database, ...(to ? { target: to } : {}), ...operator() });
      write(o, answer, () => `switchover of ${database} accepted: ${answer.from} -> ${answer.target}; follow it with lifeboat status\n`);
    }));
  common(program.command('approve').description('approve the failover of a database that waits for approval (policy approveFailovers)'))
    .argument('<database>', 'the database')
    .action(run(async (client, o, database: string) => {
      const answer = await client.post<{ waiting: boolean }>('/approve', { database, ...operator() });
      write(o, answer, () => (answer.waiting ? `approved the failover of ${database}; it starts at the next cycle\n` : `approved; no failover of ${database} was waiting (an approval counts only for a failure that started before it)\n`));
    }));
  common(program.command('events').description('the latest events (zone changes, failovers, switchovers, actions)'))
    .addOption(new Option('--limit <n>', 'how many (1 to 10000)').default('50'))
    .action(run(async (client, o) => {
      const limit = o.limit ?? '50';
      if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 10_000) throw new UsageError(`--limit: expected a whole number from 1 to 10000, got ${limit}`);
      const answer = await client.get<{ events: { time: string; kind: string; provider?: string; zone?: string; database?: string; detail: string; result?: string }[] }>(`/events?limit=${limit}`);
      write(o, answer, () =>
        answer.events.length === 0
          ? 'no events yet\n'
          : formatTable([['TIME', 'KIND', 'WHERE', 'DETAIL'], ...answer.events.map((e) => [e.time, e.kind, [e.provider && e.zone ? `${e.provider}/${e.zone}` : e.provider, e.database].filter(Boolean).join(' ') || '-', `${e.detail}${e.result ? ` (${e.result})` : ''}`])]),
      );
    }));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
    throw error;
  }
}

/** The options every operator command takes. */
function common(command: Command): Command {
  return command
    .option('--url <url>', `the daemon's API (default: $LIFEBOAT_URL, else --config's api.listen, else http://${DEFAULT_LISTEN})`)
    .option('--config <file>', "read the API's address from this daemon config")
    .option('--json', 'print the JSON answer instead of a table')
    .addOption(new Option('--timeout <seconds>', 'give up after this long').default(10).argParser(positiveSeconds))
    .addOption(new Option('--token-env <name>', 'environment variable holding the API token (never printed)').default(TOKEN_ENV));
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds greater than zero');
  return n;
}

/** Resolves where the daemon is, runs `action`, and turns failures into one line and an exit code. */
async function execute(name: string, options: CommonOptions, action: (client: DaemonClient) => Promise<void>): Promise<number> {
  try {
    const url = await daemonUrl(options);
    const token = process.env[options.tokenEnv];
    await action(new DaemonClient({ url, ...(token ? { token } : {}), timeoutMs: options.timeout * 1000 }));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`lifeboat ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof DaemonRequestError) {
      process.stderr.write(`lifeboat ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** `--url`, else `$LIFEBOAT_URL`, else the config's `api.listen` (and TLS), else the default listen address. @throws {@link UsageError}. */
async function daemonUrl(options: CommonOptions): Promise<string> {
  const given = options.url ?? process.env['LIFEBOAT_URL'];
  if (given !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(given);
    } catch {
      throw new UsageError(`--url: expected a URL such as http://127.0.0.1:7400, got ${given}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--url: expected http:// or https://, got ${given}`);
    return given.replace(/\/+$/, '');
  }
  if (options.config === undefined) return `http://${DEFAULT_LISTEN}`;
  let config;
  try {
    config = await loadDaemonConfig(options.config);
  } catch (error) {
    if (!isScenarioError(error)) throw error;
    throw new UsageError(`invalid config:\n${error.message}`);
  }
  const [, host = '127.0.0.1', port = '7400'] = /^(.*):(\d+)$/.exec(config.api.listen) ?? [];
  // A daemon listening on every address is reached on loopback from its own machine.
  const reach = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `${config.api.tls ? 'https' : 'http'}://${reach}:${port}`;
}

/** Who asks, as the API records it (`<name>@<address>`): the login name, when it is one the API accepts. */
function operator(): { operator?: string } {
  try {
    const name = userInfo().username;
    return /^[A-Za-z0-9._-]{1,64}$/.test(name) ? { operator: name } : {};
  } catch {
    return {};
  }
}

function body(database: string | undefined, reason: string | undefined): Record<string, unknown> {
  return { ...(database !== undefined ? { database } : {}), ...(reason !== undefined ? { reason } : {}), ...operator() };
}

function write(options: CommonOptions, value: unknown, human: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : human());
}
