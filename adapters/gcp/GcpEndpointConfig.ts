/** A writer endpoint the gcp adapter serves: one Cloud DNS `A` record set pointing at a Cloud SQL instance. */
export interface GcpEndpointConfig {
  /** The logical database (the `lifeboat-cluster` label of its Cloud SQL instances) whose clients use the name. */
  readonly database: string;
  /** The Cloud DNS managed zone holding the record (its name, not its DNS name). */
  readonly managedZone: string;
  /** The record's DNS name (`orders.db.internal.example.com`, with or without the final dot); the endpoint's id. */
  readonly name: string;
  /** TTL written with a change, in seconds. Default: the record's current TTL, 60 for a new record. */
  readonly ttl?: number;
}
