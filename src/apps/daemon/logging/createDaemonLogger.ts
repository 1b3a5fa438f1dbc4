import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

/** How log lines look: one JSON object per line, or coloured text for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/** Log levels, quietest last. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys whose values never reach the log, at the top level of a line's fields and one or two levels down. */
const SECRET_KEYS = ['token', 'readToken', 'password', 'secret', 'secretKey', 'privateKey', 'key', 'apiKey', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'authorization', 'Authorization', 'cookie'];
export const REDACTED_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Credentials that may hide in a message's text: bearer tokens, `token=...`, `password: ...`, `secret=...`. */
const SECRET_IN_TEXT = /(bearer\s+)[^\s"',;]+|((?:token|password|passwd|secret|api[_-]?key)\s*[=:]\s*)[^\s"',;&]+/gi;

/** Replaces credentials in free text with `[redacted]`. */
export function redactText(text: string): string {
  return text.replace(SECRET_IN_TEXT, (_match, bearer: string | undefined, named: string | undefined) => `${bearer ?? named ?? ''}[redacted]`);
}

/** Options of {@link createDaemonLogger}. */
export interface DaemonLoggerOptions {
  readonly format: LogFormat;
  readonly level?: LogLevel;
  /** Where lines go (default: stderr, written synchronously so the last lines before an exit are not lost). */
  readonly destination?: NodeJS.WritableStream;
  /** Colours in the pretty format (default: whether stderr is a terminal). */
  readonly colorize?: boolean;
}

/**
 * The daemon's logger: pino with ISO timestamps, level names, the daemon's
 * id in every line, and credentials redacted (by key, wherever a line's
 * fields name them, and in message text).
 */
export function createDaemonLogger(options: DaemonLoggerOptions, base: Record<string, unknown> = {}): Logger {
  const destination =
    options.format === 'pretty'
      ? pinoPretty({ colorize: options.colorize ?? process.stderr.isTTY === true, sync: true, destination: options.destination ?? 2, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : (options.destination ?? pino.destination({ dest: 2, sync: true }));
  return pino(
    {
      level: options.level ?? 'info',
      base,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as typeof args;
          method.apply(this, redacted);
        },
      },
    },
    destination,
  );
}

/** The default format: JSON unless stderr is a terminal. */
export function defaultLogFormat(): LogFormat {
  return process.stderr.isTTY === true ? 'pretty' : 'json';
}
