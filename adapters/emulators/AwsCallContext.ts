import type { Provider } from '../../src/core/contract/Provider.js';
import type { ServiceRecords } from './ServiceRecords.js';
import type { FrontEndRefusal } from './FrontEndRefusal.js';
import type { WorldWait } from './HttpEmulator.js';
import type { QueryParams } from './QueryParams.js';
import type { StoppedDatabaseRestarts } from './StoppedDatabaseRestarts.js';

/** Account settings the world does not model, that change what AWS accepts. */
export interface EmulatedAccount {
  /** Launch templates (by name) that define network interfaces: RunInstances refuses a `SubnetId` with them. */
  readonly launchTemplatesWithNetworkInterfaces?: readonly string[];
  /** The databases' storage is encrypted: a cross-region read replica needs a `KmsKeyId` of its region. */
  readonly encryptedDatabases?: boolean;
}

/** Everything an AWS action handler needs for one request. */
export interface AwsCallContext {
  readonly provider: Provider;
  /** The services' own lookups inside a request (not API reads: no read fault reaches them). */
  readonly records: ServiceRecords;
  /** The region the request was signed for. */
  readonly region: string;
  readonly params: QueryParams;
  /** HTTP method and URL (the REST protocols route on them). */
  readonly method: string;
  readonly url: URL;
  /** The raw body (JSON protocols read it themselves). */
  readonly body: string;
  /** Fires when the client gives up; passed to every provider call. */
  readonly signal: AbortSignal;
  readonly world: WorldWait;
  readonly requestId: string;
  readonly accountId: string;
  /** Enforce RDS rules the world does not (see `AwsEmulatorOptions.rdsRules`). */
  readonly rdsRules: boolean;
  /** Instances in an automated backup now (see `AwsEmulatorOptions.backingUp`). */
  readonly backingUp?: (dbInstanceId: string) => boolean;
  /** RDS's automatic start of an instance stopped for seven days (with `rdsRules`). */
  readonly rdsRestarts?: StoppedDatabaseRestarts;
  /** Fail region-wide `DescribeInstances` while a zone is disrupted (see `AwsEmulatorOptions.strictListing`). */
  readonly strictListing: boolean;
  /** The region's disrupted zones, when the emulator was given a way to know them without a world call. */
  readonly disruptedZones?: (region: string) => readonly string[];
  /** What the emulated account holds that the world does not model (see `AwsEmulatorOptions.account`). */
  readonly account: EmulatedAccount;
  /** Told of every request refused on such a rule. */
  readonly onRefusal?: (refusal: FrontEndRefusal) => void;
}
