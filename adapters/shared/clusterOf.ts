/** How {@link clusterOf} reads one provider's database instances. */
export interface ClusterView<T> {
  /** The instance's own id. */
  id(instance: T): string;
  /** The cluster the instance is labelled or tagged with, if any. */
  label(instance: T): string | undefined;
  /** The id of the instance it replicates from (already in `id`'s form), if it is a replica. */
  upstream(instance: T): string | undefined;
}

/**
 * Longest replication chain followed. Real chains are short (RDS allows
 * replicas of replicas a few levels deep, Cloud SQL cascading replicas
 * likewise); the bound only stops a loop in inconsistent listings.
 */
const MAX_HOPS = 16;

/**
 * The logical database (cluster) of each instance: its label, else the
 * label or id of the root of its replication chain within `listed`; an
 * upstream missing from `listed` (another region, already deleted) names
 * the cluster itself. A standalone instance is a cluster of one.
 */
export function clusterOf<T>(listed: readonly T[], view: ClusterView<T>): (instance: T) => string {
  const byId = new Map(listed.map((each) => [view.id(each), each]));
  return (instance) => {
    let current = instance;
    for (let hops = 0; hops < MAX_HOPS; hops++) {
      const label = view.label(current);
      if (label !== undefined) return label;
      const source = view.upstream(current);
      if (source === undefined) return view.id(current);
      const upstream = byId.get(source);
      if (upstream === undefined) return source;
      current = upstream;
    }
    return view.id(current);
  };
}
