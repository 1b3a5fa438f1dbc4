/**
 * The structured log the daemon writes to: pino's logger satisfies it.
 * Fields first, then the message; `event` names what the line is about
 * (`plan`, `step.start`, `step.result`, a controller event kind, ...).
 */
export interface DaemonLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
