/** Standby log messages after which streaming cannot resume without a rebuild or an operator. */
const BROKEN = [
  /replication slot "[^"]*" does not exist/,
  /requested starting point \S+ is ahead of the WAL flush position/,
  /is not a child of this server's history/,
  /forked off current database system timeline/,
  /requested WAL segment \S+ has already been removed/,
  /highest timeline \d+ of the primary is behind recovery timeline/,
  /database system identifier differs/,
  /password authentication failed/,
];
const STREAMING = /started streaming WAL/;

/**
 * Reads a standby's log tail for why its stream is down: the reason, when
 * the newest replication message says the stream cannot resume by itself
 * (slot gone, diverged timeline, WAL removed); `undefined` when the newest
 * one is a successful start or a transient failure (refused, timed out).
 */
export function brokenReplicationReason(logTail: string): string | undefined {
  const lines = logTail.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (STREAMING.test(line)) return undefined;
    if (BROKEN.some((pattern) => pattern.test(line))) return line.trim();
  }
  return undefined;
}
