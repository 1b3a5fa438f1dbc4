import { createHmac } from 'node:crypto';

/** The header that carries a webhook's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'x-lifeboat-signature';

/**
 * Signs a webhook body as Stripe does: HMAC-SHA256 with the shared secret
 * over `<t>.<body>`, where `t` is the sending time in Unix seconds. The
 * time is inside the signed text so a receiver can refuse replays of old
 * deliveries (compare `t` with its own clock, e.g. within 5 minutes), and
 * each retry is signed afresh.
 */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const t = Math.floor(unixSeconds);
  const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${mac}`;
}
