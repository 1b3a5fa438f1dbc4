import type { EndpointRouterChoice, EndpointRouterKind, LocalProvider } from '../../../adapters/local/index.js';
import { getFactory } from '../../../adapters/registry.js';
import { abortError, followSignal, type Clock } from '../../core/clock/Clock.js';
import { Controller } from '../../core/controller/Controller.js';
import type { ControllerEvent } from '../../core/controller/ControllerEvent.js';
import type { Policy } from '../../core/controller/Policy.js';
import { BoundedConnection, type PgEndpoint } from './BoundedConnection.js';
import { DEMO_ENDPOINT, DEMO_PROVIDER, DEMO_REGION, DEMO_ZONES, demoGroups, demoTopology, instanceId, type DemoPlacement } from './demoTopology.js';
import { settleController } from './settleController.js';
import { WRITES_TABLE_DDL } from './WriteClient.js';

/** Options of {@link DrillRig.start}. */
export interface DrillRigOptions {
  /** Where the primary and the standbys run. */
  readonly placement: DemoPlacement;
  /** Nodes of the `web` group per zone. */
  readonly nodesPerZone: number;
  /** Controller policy. */
  readonly policy: Policy;
  /** Clock of the controller and the adapter (it must run in real time). */
  readonly clock: Clock;
  /** Jitter source of the controller's backoff. */
  readonly random: () => number;
  /** The drill's signal: aborts the start-up, and later stops the controller. */
  readonly signal: AbortSignal;
  /** What routes the writer endpoint (the adapter's default when absent: HAProxy when installed). */
  readonly router?: EndpointRouterChoice;
  /** Parent of the adapter's temp dir (default the OS temp dir). */
  readonly tmpDir?: string;
  /** As root, create the OS user `postgres` when missing. Default false. */
  readonly createPostgresUser?: boolean;
  /** More tables to create on the primary beside the writes table (DDL statements, run in order). */
  readonly moreTables?: readonly string[];
  /** Set-up progress, one line at a time, for a live display. */
  readonly onSetup?: (message: string) => void;
}

/**
 * What every demo drill stands on, on the `local` adapter with real
 * PostgreSQL: the demo's topology ({@link demoTopology}) placed as asked,
 * the writes table on the primary, and a {@link Controller} running on the
 * adapter and its prober, settled (it has adopted the primary and sees
 * every target answer) before {@link DrillRig.start} resolves. A drill adds
 * its own clients and its own disturbance, then calls {@link DrillRig.close}
 * on every path.
 */
export class DrillRig {
  private constructor(
    /** The local provider: its `ex_` operations inject faults and reach the servers. */
    readonly local: LocalProvider,
    /** The controller, running; its `event`s are collected in {@link DrillRig.events}. */
    readonly controller: Controller,
    /** Every controller event since the controller started, in order. */
    readonly events: readonly ControllerEvent[],
    /** Every PostgreSQL instance: the primary, the sync standby, the async standby. */
    readonly instances: readonly PgEndpoint[],
    /** Adapter start-up until the topology was ready, seconds. */
    readonly startupSeconds: number,
    private readonly stop: () => Promise<void>,
  ) {}

  /** The primary at the start (the first of {@link DrillRig.instances}). */
  get primary(): PgEndpoint {
    return this.instances[0]!;
  }

  /**
   * The writer endpoint {@link DEMO_ENDPOINT} as a client sees it (the one
   * address it knows), and what routes it.
   */
  writerEndpoint(): { readonly endpoint: PgEndpoint; readonly router: EndpointRouterKind } {
    const { router, ...target } = this.local.ex_endpointConnection(DEMO_ENDPOINT);
    return { endpoint: { id: DEMO_ENDPOINT, target }, router };
  }

  /**
   * Starts the topology, creates the tables and runs the controller until
   * it has settled (a minute at most). Rejects on a set-up failure or an
   * abort, after stopping whatever it had started.
   */
  static async start(options: DrillRigOptions): Promise<DrillRig> {
    const { placement, nodesPerZone, clock, signal } = options;
    const onSetup = options.onSetup ?? (() => undefined);
    if (signal.aborted) throw abortError(signal);
    const startedAt = clock.now();
    onSetup(`starting 3 zones: ${nodesPerZone * DEMO_ZONES.length} nodes, PostgreSQL primary in ${placement.primary}, sync standby in ${placement.sync}, async standby in ${placement.async}`);
    const adapter = await getFactory('local').create(
      {
        type: 'local',
        zones: DEMO_ZONES,
        topology: demoTopology(placement, nodesPerZone),
        ...(options.tmpDir === undefined ? {} : { tmpDir: options.tmpDir }),
        ...(options.router === undefined ? {} : { router: options.router }),
        createPostgresUser: options.createPostgresUser ?? false,
      },
      { clock, signal, env: process.env },
    );
    const local = adapter.provider;
    const startupSeconds = (clock.now() - startedAt) / 1000;
    onSetup(`ready in ${startupSeconds.toFixed(1)} s`);

    const stopController = new AbortController();
    const unfollow = followSignal(signal, stopController);
    let controllerRun: Promise<void> | undefined;
    const stop = async () => {
      unfollow();
      stopController.abort();
      await controllerRun?.catch(() => undefined);
      await adapter.close();
    };
    try {
      const instances: PgEndpoint[] = [placement.primary, placement.sync, placement.async].map(instanceId).map((id) => ({ id, target: local.ex_connection(id) }));
      const setup = await BoundedConnection.open(instances[0]!, clock, 10_000, 'lifeboat-demo-setup');
      try {
        for (const ddl of [WRITES_TABLE_DDL, ...(options.moreTables ?? [])]) await setup.query(ddl, [], 10_000);
      } finally {
        setup.close();
      }
      const controller = new Controller({
        providers: [local],
        prober: adapter.prober,
        clock,
        policy: options.policy,
        groups: demoGroups(nodesPerZone),
        watch: [{ provider: DEMO_PROVIDER, region: DEMO_REGION }],
        random: options.random,
      });
      const events: ControllerEvent[] = [];
      controller.on('event', (event) => events.push(event));
      controllerRun = controller.run(stopController.signal);
      // Drills measure from a settled controller: it has adopted the primary and seen every target answer.
      await settleController(controller, instances[0]!.id, instances.length, clock, signal);
      return new DrillRig(local, controller, events, instances, startupSeconds, stop);
    } catch (error) {
      await stop();
      throw error;
    }
  }

  /** Stops the controller (waiting for its loop to end) and every server and process of the topology. */
  close(): Promise<void> {
    return this.stop();
  }
}
