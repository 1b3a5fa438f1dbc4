// A real webhook receiver on loopback that checks each payload's signature as the README tells
// receivers to (HMAC-SHA256 over `<t>.<raw body>`, constant-time compare, `t` within 5 minutes).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver took. */
export interface Received {
  /** The raw body, as signed. */
  readonly raw: string;
  readonly body: Record<string, unknown>;
  /** The signature checked out, with a fresh timestamp. */
  readonly valid: boolean;
  /** The `X-Lifeboat-Delivery` header. */
  readonly delivery: string | undefined;
  /** What the receiver answered. */
  readonly status: number;
}

/** A running receiver. */
export interface WebhookReceiver {
  readonly server: Server;
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/**
 * Starts a receiver for deliveries signed with `secret`. An invalid
 * signature is answered 401; a valid one with `answer(received so far)`.
 */
export async function webhookReceiver(secret: string, answer: (received: readonly Received[]) => number): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const header = String(req.headers['x-lifeboat-signature'] ?? '');
      const t = /t=(\d+)/.exec(header)?.[1] ?? '';
      const v1 = /v1=([0-9a-f]+)/.exec(header)?.[1] ?? '';
      const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
      const given = Buffer.from(v1, 'hex');
      const fresh = Math.abs(Date.now() / 1000 - Number(t)) < 300;
      const valid = fresh && given.length === expected.length && timingSafeEqual(given, expected);
      const status = valid ? answer(received) : 401;
      const delivery = req.headers['x-lifeboat-delivery'];
      received.push({ raw, body: JSON.parse(raw) as Record<string, unknown>, valid, delivery: typeof delivery === 'string' ? delivery : undefined, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/lifeboat`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
