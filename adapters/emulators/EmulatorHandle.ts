import type { EmulatorStats } from './EmulatorStats.js';
import type { WireFaultHook } from './WireFault.js';

/** A running emulator on a loopback port. */
export interface EmulatorHandle {
  /** Base URL, `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** Total requests received so far (`stats().requests`). */
  readonly requestCount: number;
  /** Requests received for one action (`DescribeInstances`, `instances.aggregatedList`), any service. */
  requestsFor(action: string): number;
  stats(): EmulatorStats;
  /** Installs (or, with `undefined`, removes) a hook that may fault requests before they reach the world. */
  setFaultHook(hook: WireFaultHook | undefined): void;
  /** Resolves once no request is in flight except those waiting on the world. */
  settled(): Promise<void>;
  /** Stops listening, ends every open request and connection. Idempotent. */
  close(): Promise<void>;
}
