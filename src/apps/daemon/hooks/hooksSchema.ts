/**
 * Config schema of command hooks (`hooks:`) and webhooks (`notifications:`).
 * A hook is a command (argv, no shell) run with the facts in environment
 * variables; a webhook is a URL that receives a signed JSON payload per
 * event. Secrets never appear in the file: a webhook names the environment
 * variable or the file that holds its signing secret.
 */
import { z } from 'zod';
import { parseDurationSeconds } from '../../../core/util/duration.js';
import { envNameSchema } from '../../../../adapters/registry.js';
import { WEBHOOK_EVENT_KINDS } from './WebhookEvent.js';

const seconds = (max: number) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const s = parseDurationSeconds(value);
    if (s === undefined || s <= 0 || s > max) {
      ctx.addIssue({ code: 'custom', message: `expected a duration greater than zero and at most ${max}s, like 5s or 1.5m, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return s;
  });

/** A command: the program and its arguments (run without a shell). */
const commandSchema = z.array(z.string().min(1)).min(1).describe('program and arguments, e.g. [/usr/local/bin/page-oncall, --team, db]; run without a shell');

/** A hook that is told (post-failover, role-change): its exit is audited, never waited for by the loop. */
export const notifyHookSchema = z.strictObject({
  command: commandSchema,
  timeout: seconds(600).optional().describe('killed (SIGTERM, then SIGKILL 2s later) after this long (default 30s)'),
});

/** The pre-promote hook: may veto a promotion by exiting non-zero within its timeout. */
export const prePromoteHookSchema = z.strictObject({
  command: commandSchema,
  timeout: seconds(300).optional().describe('how long the promotion waits for the hook (default 10s); then the hook is killed'),
  onTimeout: z
    .enum(['proceed', 'veto'])
    .optional()
    .describe('what a hook that does not exit in time means (default proceed: a hung hook never stops a failover); a crash (killed by a signal, cannot start) always means proceed'),
});

/** `hooks:`: commands run on failover facts. */
export const hooksSchema = z.strictObject({
  prePromote: prePromoteHookSchema.optional().describe('asked before each promotion; exit 0 proceeds, another exit code vetoes'),
  postFailover: notifyHookSchema.optional().describe('run after each completed failover or switchover'),
  roleChange: notifyHookSchema.optional().describe("run whenever a database's primary changes (by Lifeboat or not)"),
});

/** One webhook subscription. */
export const webhookSchema = z
  .strictObject({
    url: z.string().url().refine((u) => /^https?:\/\//.test(u), { message: 'expected an http:// or https:// URL' }),
    events: z.array(z.enum(['*', ...WEBHOOK_EVENT_KINDS])).min(1).describe('event kinds to send, or ["*"] for all'),
    secretEnv: envNameSchema.optional().describe('environment variable holding the HMAC-SHA256 signing secret'),
    secretFile: z.string().min(1).optional().describe('file holding the signing secret (trailing newline ignored)'),
    timeout: seconds(60).optional().describe('per attempt (default 5s)'),
    retries: z.number().int().min(0).max(20).optional().describe('attempts after the first, with exponential backoff from 1s to 60s (default 5)'),
    maxPending: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .describe('deliveries kept waiting (in the outbox, across restarts) for this webhook; beyond it the oldest is dropped, logged and counted (default 1000)'),
  })
  .refine((w) => (w.secretEnv === undefined) !== (w.secretFile === undefined), { message: 'give secretEnv or secretFile (exactly one): every payload is signed' });

/** `notifications:`: where events are sent. */
export const notificationsSchema = z.strictObject({
  webhooks: z.array(webhookSchema).optional(),
});

/** Hooks as validated. */
export type HooksConfig = z.output<typeof hooksSchema>;
/** Notifications as validated (paths still as written). */
export type NotificationsConfig = z.output<typeof notificationsSchema>;
/** One webhook as validated. */
export type WebhookConfig = z.output<typeof webhookSchema>;
