/** A zonal load balancer the gcp adapter serves: a backend service whose backends are one instance group per zone. */
export interface GcpLoadBalancerConfig {
  /** The load balancer's id in the contract. */
  readonly id: string;
  /** The backend service's name. */
  readonly backendService: string;
  /** The region of a regional backend service; absent for a global one. */
  readonly region?: string;
  /** The node group behind it (the `lifeboat-group` label of its instances). */
  readonly group: string;
}
