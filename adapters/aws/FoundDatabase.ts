import type { DBInstance } from '@aws-sdk/client-rds';

/** One RDS instance as found, with the region it was found in. */
export interface FoundDatabase {
  readonly db: DBInstance;
  readonly region: string;
}
