import type { Provider } from '../../src/core/contract/Provider.js';
import type { ServiceRecords } from './ServiceRecords.js';
import type { GcpControlPlaneReach } from './GcpControlPlaneReach.js';
import type { MetricSamples } from './MetricSamples.js';
import type { BackendNotes } from './BackendNotes.js';
import type { DnsChangeStore } from './DnsChangeStore.js';
import type { WorldWait } from './HttpEmulator.js';
import type { OperationStore } from './OperationStore.js';

/** Everything a GCP route handler needs for one request. */
export interface GcpCallContext {
  readonly provider: Provider;
  /** The services' own lookups inside a request (not API reads: no read fault reaches them). */
  readonly records: ServiceRecords;
  /** Path parameters of the matched route, in order (project first). */
  readonly path: readonly string[];
  readonly query: URLSearchParams;
  /** The parsed JSON body (`{}` when empty). */
  readonly body: Record<string, unknown>;
  readonly signal: AbortSignal;
  readonly world: WorldWait;
  readonly operations: OperationStore;
  /** Backend descriptions and scalers as clients patched them. */
  readonly backends: BackendNotes;
  /** Cloud DNS changes handed out. */
  readonly dnsChanges: DnsChangeStore;
  readonly strict: GcpStrictness;
}

/** What makes the emulator as strict as the service (see `GcpEmulatorOptions`). */
export interface GcpStrictness {
  /** Where the control plane cannot look now. */
  readonly reach: () => GcpControlPlaneReach;
  /** Zones out of capacity now. */
  readonly stockouts: () => readonly string[];
  /** Cloud Monitoring's samples (with the world's clock); absent: metrics show the current value. */
  readonly samples?: MetricSamples;
}
