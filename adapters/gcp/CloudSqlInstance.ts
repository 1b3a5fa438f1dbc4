/** The fields of a Cloud SQL Admin v1 `DatabaseInstance` resource the adapter reads. */
export interface CloudSqlInstance {
  readonly name?: string;
  readonly project?: string;
  readonly region?: string;
  readonly gceZone?: string;
  readonly secondaryGceZone?: string;
  readonly state?: string;
  readonly databaseVersion?: string;
  readonly instanceType?: string;
  /** `project:instance` of the primary, on replicas. */
  readonly masterInstanceName?: string;
  readonly replicaNames?: readonly string[];
  readonly connectionName?: string;
  readonly settings?: {
    readonly tier?: string;
    readonly activationPolicy?: string;
    readonly userLabels?: Readonly<Record<string, string>>;
    readonly databaseReplicationEnabled?: boolean;
    readonly availabilityType?: string;
    /** `ENTERPRISE` or `ENTERPRISE_PLUS`: which tiers are valid. */
    readonly edition?: string;
    readonly ipConfiguration?: {
      readonly ipv4Enabled?: boolean;
      /** `projects/<project>/global/networks/<network>`: the VPC of the private IP. */
      readonly privateNetwork?: string;
      readonly allocatedIpRange?: string;
    };
  };
  readonly ipAddresses?: readonly { readonly type?: string; readonly ipAddress?: string }[];
}

/** A Cloud SQL long-running operation. */
export interface CloudSqlOperation {
  readonly name?: string;
  readonly status?: string;
  readonly operationType?: string;
  readonly targetId?: string;
  readonly error?: { readonly errors?: readonly { readonly code?: string; readonly message?: string }[] };
}
