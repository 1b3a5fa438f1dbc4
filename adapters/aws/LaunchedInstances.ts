import type { Instance } from '@aws-sdk/client-ec2';

/** Past this many instances the record starts over rather than grow without bound. */
const MAX_KNOWN = 200_000;

/**
 * How long after a launch EC2 may still answer `InvalidInstanceID.NotFound`
 * for the new instance: its API is eventually consistent, and a read right
 * after a create may not see it yet
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html:
 * a resource just created can be reported as not existing for a while).
 * Five minutes is well past the delays EC2 shows.
 */
export const LAUNCH_VISIBILITY_MS = 5 * 60_000;

/** One instance as last seen, and when the adapter launched it (if it did). */
export interface KnownInstance {
  readonly region: string;
  readonly instance: Instance;
  readonly launchedAt?: number;
}

/**
 * The EC2 instances the adapter has seen or launched, by id: what it lists
 * by id when a region-wide `DescribeInstances` fails, and how it tells an
 * instance it just launched (not visible yet) from one that is gone.
 */
export class LaunchedInstances {
  private readonly known = new Map<string, KnownInstance>();

  /** Records an instance as listed (keeping its launch time, if the adapter launched it). */
  seen(region: string, instance: Instance): void {
    const id = instance.InstanceId;
    if (id === undefined || id === '') return;
    if (this.known.size >= MAX_KNOWN && !this.known.has(id)) this.known.clear();
    const before = this.known.get(id);
    this.known.set(id, { region, instance, ...(before?.launchedAt === undefined ? {} : { launchedAt: before.launchedAt }) });
  }

  /** Records an instance the adapter launched at `now` (ms). */
  launched(region: string, instance: Instance, now: number): void {
    const id = instance.InstanceId;
    if (id === undefined || id === '') return;
    if (this.known.size >= MAX_KNOWN && !this.known.has(id)) this.known.clear();
    this.known.set(id, { region, instance, launchedAt: now });
  }

  /** Forgets an instance EC2 says does not exist (and was not launched just now). */
  forget(id: string): void {
    this.known.delete(id);
  }

  /** Whether `id` was launched by the adapter less than {@link LAUNCH_VISIBILITY_MS} before `now`. */
  launchedRecently(id: string, now: number): boolean {
    const launchedAt = this.known.get(id)?.launchedAt;
    return launchedAt !== undefined && now - launchedAt < LAUNCH_VISIBILITY_MS;
  }

  /** The known instances of `region`, grouped by availability zone. */
  byZone(region: string): Map<string, KnownInstance[]> {
    const out = new Map<string, KnownInstance[]>();
    for (const known of this.known.values()) {
      if (known.region !== region) continue;
      const zone = known.instance.Placement?.AvailabilityZone ?? '';
      const list = out.get(zone) ?? [];
      list.push(known);
      out.set(zone, list);
    }
    return out;
  }
}
