import type pg from 'pg';
import { timeoutSignal, type Clock } from '../../src/core/clock/Clock.js';
import type { PostgresServer } from './PostgresServer.js';

/** The physical slot a standby uses on whichever server it streams from. */
export function slotName(id: string): string {
  return `lifeboat_${id.replaceAll('-', '_')}`;
}

/** Creates the slot, reserving WAL from now on, unless it exists. */
export async function ensureSlot(client: pg.Client, slot: string): Promise<void> {
  await client.query(
    `SELECT pg_create_physical_replication_slot($1, true)
      WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)`,
    [slot],
  );
}

/**
 * Drops the slot `standby` used on `server`, so that it stops holding WAL
 * there, waiting (within 5 s) for the server to notice the standby left.
 *
 * @throws whatever the server answers, or the budget's abort.
 */
export async function dropReplicationSlot(server: PostgresServer, standby: string, clock: Clock, signal: AbortSignal): Promise<void> {
  const budget = timeoutSignal(clock, 5000, signal);
  const slot = slotName(standby);
  try {
    await server.session(budget.signal, async (client) => {
      for (;;) {
        const found = await client.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
        const row = found.rows[0];
        if (!row) return;
        // The upstream notices its standby's hang-up a moment after the standby is gone.
        if (!row.active) return void (await client.query('SELECT pg_drop_replication_slot($1)', [slot]));
        await clock.sleep(200, budget.signal);
      }
    });
  } finally {
    budget.dispose();
  }
}
