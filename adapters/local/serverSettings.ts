/**
 * Settings every local PostgreSQL server runs with, written as
 * `lifeboat.conf` next to `postgresql.conf` (and carried to standbys by the
 * base backup). The reasons:
 *
 * - TCP on 127.0.0.1 only, no Unix socket: nothing left in `/tmp`.
 * - `dynamic_shared_memory_type = mmap`: segments live in the data dir, so a
 *   killed server (power fault) leaves nothing in `/dev/shm`.
 * - `wal_sender_timeout = 2s`, `wal_receiver_status_interval = 1s`,
 *   `wal_receiver_timeout = 4s`, `wal_retrieve_retry_interval = 1s`: a
 *   standby notices a cut-off upstream within seconds, so
 *   `lastContactSeconds` and the stream state reflect a zone fault quickly.
 * - `wal_keep_size`: a promoted standby keeps recent WAL, so a sibling
 *   re-pointed at it finds the segments it needs from before its slot existed.
 * - `max_slot_wal_keep_size`: a slot whose standby is gone for good holds at
 *   most this much WAL; past it, the standby's stream shows as `broken`.
 *   A laptop's disk is not a cloud volume.
 * - `fsync = off`: faults here kill processes, never the machine; the OS
 *   page cache survives a `SIGKILL`, so nothing committed is lost, and
 *   initdb, checkpoints and base backups are much faster on a laptop.
 * - `client_connection_check_interval`: backends notice probes that hung up.
 * - Small memory footprint: several servers share one small machine.
 */
export const SERVER_SETTINGS = `# Written by Lifeboat's local adapter.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 50
shared_buffers = '16MB'
dynamic_shared_memory_type = mmap
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = '256MB'
max_slot_wal_keep_size = '2GB'
hot_standby = on
hot_standby_feedback = on
wal_sender_timeout = '2s'
wal_receiver_status_interval = '1s'
wal_receiver_timeout = '4s'
wal_retrieve_retry_interval = '1s'
fsync = off
client_connection_check_interval = '2s'
log_line_prefix = '%m [%p] '
`;

/** The line that makes `postgresql.conf` read {@link SERVER_SETTINGS}. */
export const INCLUDE_SETTINGS = "\ninclude 'lifeboat.conf'\n";

/** Table the adapter creates in every cluster for write probes. */
export const PROBE_TABLE = 'lifeboat_probe';

/** Creates {@link PROBE_TABLE}; run once on a new primary, replicated from there. */
export const PROBE_TABLE_DDL = `CREATE TABLE IF NOT EXISTS ${PROBE_TABLE} (id text PRIMARY KEY, at timestamptz NOT NULL)`;
