// One run of the peer bench on a stack that is up: the same client, the same fault and the
// same checks for every system.
//
// 1. the write client starts on the stack's connection URI and writes for `warmupMs`;
// 2. every process of the primary's zone is frozen (SIGSTOP);
// 3. once a write is acknowledged by another server (or `boundMs` passed) and `settleMs`
//    more, every acknowledged write is read back through the URI: missing ones are lost
//    while the zone is down;
// 4. the zone is thawed (SIGCONT), the client keeps writing for `afterThawMs`, then every
//    acknowledged write is read back again from the primary the URI leads to: lost after
//    the zone came back (an old primary that comes back and takes over again shows here).
import { createWritesTable, missingWrites, PeerWriteClient } from './writeClient.js';
import { sleep, waitFor } from './system.js';

/**
 * `stack`: `{ uri, freezeZoneOf(port) -> thaw }`. Returns the run's figures; never throws
 * for what the system did (a missing failover is a finding, reported in `problem`).
 */
export async function measureRun(stack, { warmupMs = 3000, boundMs = 90_000, settleMs = 2000, afterThawMs = 15_000 } = {}) {
  await createWritesTable(stack.uri);
  const client = new PeerWriteClient(stack.uri);
  client.start();
  let thaw;
  try {
    await waitFor('a first acknowledged write', 30_000, () => client.acknowledged.length > 0, 50);
    await sleep(warmupMs);
    const oldPort = client.last.port;
    const faultAt = Date.now();
    thaw = await stack.freezeZoneOf(oldPort);
    const lastBefore = [...client.acknowledged].reverse().find((w) => w.at <= faultAt);
    const firstAfter = () => client.acknowledged.find((w) => w.at > faultAt && w.port !== oldPort);
    const problems = [];
    try {
      await waitFor('a write acknowledged by another server', boundMs, () => firstAfter() !== undefined, 20);
    } catch {
      problems.push(`no write acknowledged by another server within ${boundMs / 1000} s`);
    }
    const after = firstAfter();
    await sleep(settleMs);
    const down = await missingWrites(stack.uri, client.acknowledged.map((w) => w.seq)).catch((error) => {
      problems.push(`zone down: ${error.message}`);
      return undefined;
    });
    thaw();
    thaw = undefined;
    await sleep(afterThawMs);
    await client.stop();
    const back = await missingWrites(stack.uri, client.acknowledged.map((w) => w.seq)).catch((error) => {
      problems.push(`zone back: ${error.message}`);
      return undefined;
    });
    return {
      unavailableSeconds: after && lastBefore ? (after.at - lastBefore.at) / 1000 : null,
      acknowledged: client.acknowledged.length,
      lostWhileDown: down?.missing.length ?? null,
      lostAfterBack: back?.missing.length ?? null,
      oldPort,
      newPort: after?.port ?? null,
      primaryAtEnd: back?.port ?? null,
      problem: problems.join('; ') || null,
    };
  } finally {
    thaw?.();
    await client.stop();
  }
}
