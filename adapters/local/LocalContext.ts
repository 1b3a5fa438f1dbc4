import type { Clock } from '../../src/core/clock/Clock.js';
import type { ManagedProcess } from './ManagedProcess.js';
import type { PortPurpose } from './LocalProviderOptions.js';
import type { ZoneFault } from './ZoneFault.js';

/** What the adapter's fleets share: identity, paths, time, faults and lifetime. */
export interface LocalContext {
  readonly provider: string;
  readonly region: string;
  readonly clock: Clock;
  /** Fires when the adapter closes: background work stops waiting. */
  readonly lifetime: AbortSignal;
  /** Where pid files for the watchdog go. */
  readonly pidDir: string;
  readonly logDir: string;
  /** Parent of every data dir; owned by the server's OS user. */
  readonly dbDir: string;
  /** The fault currently injected into `zone`, if any. */
  faultOf(zone: string): ZoneFault | undefined;
  /** Applies the zone's current fault to a process just spawned there. */
  onSpawn(zone: string, process: ManagedProcess): void;
  /** Keeps background work in view so that `close()` can wait for it. */
  track(task: Promise<unknown>): void;
  allocatePort(purpose: PortPurpose): Promise<number>;
  log(line: string): void;
}
