import type { DatabaseState, ReplicationMode } from '../../src/core/contract/types.js';
import type { ProcessExit } from './ManagedProcess.js';
import type { PostgresServer } from './PostgresServer.js';
import type { ContactMemory } from './toReplicationStatus.js';

/** What the fleet knows about one instance. */
export interface DatabaseRecord {
  readonly id: string;
  readonly cluster: string;
  readonly zone: string;
  readonly createdAt: number;
  readonly server: PostgresServer;
  role: 'primary' | 'replica';
  upstream: string | undefined;
  mode: ReplicationMode | undefined;
  state: DatabaseState;
  /** Replaced by every transition; the previous one's background work then stops counting. */
  transition: AbortController;
  /** Seen streaming from its current upstream: may be named in the upstream's `synchronous_standby_names`. */
  syncReady: boolean;
  contact: ContactMemory | undefined;
  lastExit: ProcessExit | undefined;
  error: string | undefined;
}
