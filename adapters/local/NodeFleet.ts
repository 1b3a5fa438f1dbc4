import { ProviderError } from '../../src/core/contract/errors.js';
import type { Node, NodeFilter, NodeState } from '../../src/core/contract/types.js';
import type { LocalContext } from './LocalContext.js';
import type { ManagedProcess, ProcessExit } from './ManagedProcess.js';
import { NodeService, type NodeServiceEnvironment } from './NodeService.js';

/** What the fleet knows about one node. */
interface NodeRecord {
  readonly id: string;
  readonly name: string;
  readonly zone: string;
  readonly group: string | undefined;
  readonly size: string;
  readonly createdAt: number;
  readonly service: NodeService;
  state: NodeState;
  /**
   * Every transition (start, stop, reboot, destroy) replaces this: the
   * previous transition's background work is aborted, and anything it would
   * still report (a start finishing, a process exiting) is ignored.
   */
  transition: AbortController;
  lastExit: ProcessExit | undefined;
  error: string | undefined;
}

/** A validated node request (the provider checks region, zone and size). */
export interface NodeSpec {
  readonly name: string;
  readonly zone: string;
  readonly size: string;
  readonly group?: string;
}

/**
 * The local nodes: one {@link NodeService} process each. Every mutating
 * call only changes the state and starts background work, which settles the
 * state later (`pending` -> `running`, `stopping` -> `stopped`, ...).
 */
export class NodeFleet {
  private readonly records = new Map<string, NodeRecord>();
  private sequence = 0;

  constructor(
    private readonly ctx: LocalContext,
    private readonly env: NodeServiceEnvironment,
  ) {}

  /** The node `id`; `invalid-input` when there is none. */
  private get(id: string, operation: string): NodeRecord {
    const record = this.records.get(id);
    if (!record) {
      throw new ProviderError('invalid-input', `${operation}: unknown node ${JSON.stringify(id)}`, {
        provider: this.ctx.provider,
        operation,
      });
    }
    return record;
  }

  /** Value objects of the nodes matching `filter` (terminated ones included, as clouds list them for a while). */
  list(filter: NodeFilter): Node[] {
    const ids = filter.ids ? new Set(filter.ids) : undefined;
    const states = filter.states ? new Set(filter.states) : undefined;
    const nodes: Node[] = [];
    for (const record of this.records.values()) {
      if (ids && !ids.has(record.id)) continue;
      if (filter.zone !== undefined && record.zone !== filter.zone) continue;
      if (filter.group !== undefined && record.group !== filter.group) continue;
      if (states && !states.has(record.state)) continue;
      nodes.push(this.toNode(record));
    }
    return nodes;
  }

  /** Live node processes in `zone`. */
  processesIn(zone: string): ManagedProcess[] {
    const found: ManagedProcess[] = [];
    for (const record of this.records.values()) {
      const process = record.service.current;
      if (record.zone === zone && process) found.push(process);
    }
    return found;
  }

  /** Live node processes of every zone. */
  allProcesses(): ManagedProcess[] {
    return [...this.records.values()].flatMap((record) => (record.service.current ? [record.service.current] : []));
  }

  /** Creates a node and starts its process in the background; returns it `pending`. */
  create(spec: NodeSpec): Node {
    const id = `${this.ctx.provider}-node-${++this.sequence}`;
    const record: NodeRecord = {
      id,
      name: spec.name,
      zone: spec.zone,
      group: spec.group,
      size: spec.size,
      createdAt: this.ctx.clock.now(),
      service: new NodeService(id, spec.zone, this.env),
      state: 'pending',
      transition: new AbortController(),
      lastExit: undefined,
      error: undefined,
    };
    this.records.set(id, record);
    this.launch(record, 'pending');
    return this.toNode(record);
  }

  /** The current value object of node `id`. */
  describe(id: string, operation: string): Node {
    return this.toNode(this.get(id, operation));
  }

  /** Starts a stopped node. No-op while it runs or starts; `terminal` once terminated. */
  start(id: string, operation: string): void {
    const record = this.get(id, operation);
    if (record.state === 'terminated') throw this.terminated(record, operation);
    if (record.state === 'stopped' || record.state === 'stopping' || record.state === 'error') this.launch(record, 'pending');
  }

  /** Stops a node (`SIGTERM`), keeping its record. No-op when stopped. */
  stop(id: string, operation: string): void {
    const record = this.get(id, operation);
    if (record.state === 'terminated') throw this.terminated(record, operation);
    if (record.state === 'stopped' || record.state === 'stopping') return;
    const transition = this.begin(record, 'stopping');
    this.ctx.track(
      record.service.stop().then(() => {
        if (record.transition === transition) record.state = 'stopped';
      }),
    );
  }

  /** Restarts a node's process. No-op while it reboots; `terminal` when stopped or terminated. */
  reboot(id: string, operation: string): void {
    const record = this.get(id, operation);
    if (record.state === 'rebooting') return;
    if (record.state === 'terminated') throw this.terminated(record, operation);
    if (record.state === 'stopped' || record.state === 'stopping') {
      throw new ProviderError('terminal', `${operation}: node ${id} is ${record.state}; start it instead`, {
        provider: this.ctx.provider,
        operation,
      });
    }
    this.launch(record, 'rebooting');
  }

  /** Kills the node's process and marks it `terminated` for good. Idempotent. */
  destroy(id: string, operation: string): void {
    const record = this.get(id, operation);
    if (record.state === 'terminated') return;
    this.begin(record, 'terminated');
    record.service.current?.kill();
  }

  /** Kills every node process; used by `close()`. */
  async closeAll(): Promise<void> {
    const exits: Promise<unknown>[] = [];
    for (const record of this.records.values()) {
      record.transition.abort();
      const process = record.service.current;
      if (!process) continue;
      process.kill();
      exits.push(process.exited);
    }
    await Promise.all(exits);
  }

  /** Switches to a new transition: the previous one's background work stops counting. */
  private begin(record: NodeRecord, state: NodeState): AbortController {
    record.transition.abort();
    const transition = new AbortController();
    record.transition = transition;
    record.state = state;
    record.error = undefined;
    return transition;
  }

  /** Starts the node's process (stopping the old one first for a reboot) in the background. */
  private launch(record: NodeRecord, state: 'pending' | 'rebooting'): void {
    const transition = this.begin(record, state);
    const signal = AbortSignal.any([this.ctx.lifetime, transition.signal]);
    const current = () => record.transition === transition;
    const task = (async () => {
      await record.service.stop();
      if (!current()) return;
      await record.service.start(signal, (process) => {
        if (!current()) {
          process.kill();
          return;
        }
        this.ctx.onSpawn(record.zone, process);
        void process.exited.then((exit) => {
          record.lastExit = exit;
          // A running node whose process died (power cut, crash) is a stopped machine.
          if (current() && record.state === 'running') record.state = 'stopped';
        });
      });
      if (current()) record.state = 'running';
    })().catch((error: unknown) => {
      if (!current()) return;
      record.state = 'error';
      record.error = error instanceof Error ? error.message : String(error);
    });
    this.ctx.track(task);
  }

  private terminated(record: NodeRecord, operation: string): ProviderError {
    return new ProviderError('terminal', `${operation}: node ${record.id} is terminated`, {
      provider: this.ctx.provider,
      operation,
    });
  }

  /** Maps a record to the contract's value object; provider-only data goes to `extra`. */
  private toNode(record: NodeRecord): Node {
    const port = record.service.port;
    const process = record.service.current;
    const extra: Record<string, unknown> = {};
    if (port !== undefined) extra['port'] = port;
    if (process) extra['pid'] = process.pid;
    if (record.lastExit) extra['lastExit'] = record.lastExit;
    if (record.error !== undefined) extra['error'] = record.error;
    return {
      id: record.id,
      name: record.name,
      provider: this.ctx.provider,
      region: this.ctx.region,
      zone: record.zone,
      state: record.state,
      ...(record.group === undefined ? {} : { group: record.group }),
      size: record.size,
      ...(port === undefined || record.state === 'terminated' ? {} : { endpoint: `127.0.0.1:${port}` }),
      createdAt: record.createdAt,
      extra,
    };
  }
}
