import { EC2Client, type AvailabilityZone } from '@aws-sdk/client-ec2';
import type { DBInstance } from '@aws-sdk/client-rds';
import { abortError } from '../../src/core/clock/Clock.js';
import { raceAbort } from '../../src/core/clock/raceAbort.js';
import { ProviderError } from '../../src/core/contract/errors.js';
import { invalidInput } from '../shared/invalidInput.js';
import type { AwsApi } from './AwsApi.js';
import type { AwsProviderOptions } from './AwsProviderOptions.js';
import type { FoundDatabase } from './FoundDatabase.js';
import { toAwsProviderError } from './toAwsProviderError.js';

/** Id-to-region memory is only a shortcut; past this size it starts over rather than grow without bound. */
const MAX_REMEMBERED = 200_000;

/**
 * Where things are, for an adapter that manages several regions: EC2 and
 * RDS ids and zone names do not say their region, so the directory
 * remembers where each was seen and, when it has not been, asks each region
 * (one filtered describe per region).
 */
export class AwsRegionDirectory {
  private readonly nodes = new Map<string, string>();
  private readonly databases = new Map<string, string>();
  /** Each RDS instance as last described (see {@link describedDatabase}). */
  private readonly databaseRecords = new Map<string, FoundDatabase>();
  /** Zone name to region, as `DescribeAvailabilityZones` reported them. */
  private readonly zones = new Map<string, string>();
  /** Per region, AZ id to zone name, as `DescribeAvailabilityZones` reported them (the pairing never changes). */
  private readonly zoneNamesById = new Map<string, Map<string, string>>();
  private regionList: Promise<readonly string[]> | undefined;

  constructor(
    private readonly provider: string,
    private readonly options: AwsProviderOptions,
    private readonly api: AwsApi,
  ) {}

  /** Remembers that node `id` lives in `region`. */
  rememberNode(id: string, region: string): void {
    this.remember(this.nodes, id, region);
  }

  /** Remembers that database instance `id` lives in `region`. */
  rememberDatabase(id: string, region: string): void {
    this.remember(this.databases, id, region);
  }

  /** Remembers an instance as `DescribeDBInstances` described it, and its region. */
  sawDatabase(db: DBInstance, region: string): void {
    const id = db.DBInstanceIdentifier ?? '';
    this.remember(this.databases, id, region);
    if (id === '') return;
    if (this.databaseRecords.size >= MAX_REMEMBERED && !this.databaseRecords.has(id)) this.databaseRecords.clear();
    this.databaseRecords.set(id, { db, region });
  }

  /**
   * Instance `id` as last described, for what does not change while it
   * exists (its ARN, address, tags): a mutation that needs only those needs
   * no read (reads are what fail first when a region's API is struggling).
   * Anything that changes (status, replicas) must be read fresh.
   */
  describedDatabase(id: string): FoundDatabase | undefined {
    return this.databaseRecords.get(id);
  }

  /** The region's zones (`DescribeAvailabilityZones`), each remembered as the region's. */
  async describeZones(operation: string, region: string, signal: AbortSignal): Promise<AvailabilityZone[]> {
    const zones = await this.api.describeZones(operation, region, signal);
    let names = this.zoneNamesById.get(region);
    if (names === undefined) this.zoneNamesById.set(region, (names = new Map()));
    for (const zone of zones) {
      if (zone.ZoneName !== undefined && zone.ZoneName !== '') this.remember(this.zones, zone.ZoneName, zone.RegionName ?? region);
      if (zone.ZoneId !== undefined && zone.ZoneName !== undefined) names.set(zone.ZoneId, zone.ZoneName);
    }
    return zones;
  }

  /**
   * AZ id to zone name for `region`: as last described, else from one
   * `DescribeAvailabilityZones` (the pairing of an account's zone names
   * and ids never changes).
   */
  async zoneNames(operation: string, region: string, signal: AbortSignal): Promise<ReadonlyMap<string, string>> {
    const known = this.zoneNamesById.get(region);
    if (known !== undefined && known.size > 0) return known;
    await this.describeZones(operation, region, signal);
    return this.zoneNamesById.get(region) ?? new Map();
  }

  /** The configured regions, or the SDK's default region. */
  regions(operation: string, signal: AbortSignal): Promise<readonly string[]> {
    if (this.options.regions !== undefined) {
      if (this.options.regions.length === 0) throw new ProviderError('terminal', `${operation}: options.regions is empty`, { provider: this.provider, operation });
      return Promise.resolve(this.options.regions);
    }
    this.regionList ??= (async () => {
      const probe = new EC2Client(this.options.profile === undefined ? {} : { profile: this.options.profile });
      try {
        const region = await probe.config.region();
        if (!region) throw new Error('no region');
        return [region];
      } catch {
        this.regionList = undefined;
        throw new ProviderError('terminal', `${operation}: no AWS region configured (set options.regions, AWS_REGION or a profile region)`, {
          provider: this.provider,
          operation,
          code: 'NoRegion',
        });
      } finally {
        probe.destroy();
      }
    })();
    return raceAbort(this.regionList, signal).catch((error: unknown) => {
      throw toAwsProviderError(error, { provider: this.provider, operation, signal });
    });
  }

  /**
   * The regions a call addresses: `region` when given (it must be one of
   * ours), else the one `zone` belongs to (AZ names start with their
   * region's), else all.
   */
  async regionsFor(operation: string, region: string | undefined, zone: string | undefined, signal: AbortSignal): Promise<readonly string[]> {
    const all = await this.regions(operation, signal);
    if (signal.aborted) throw toAwsProviderError(abortError(signal), { provider: this.provider, operation, signal });
    if (region !== undefined) {
      if (!all.includes(region)) throw invalidInput(this.provider, operation, `unknown region ${region}; ${this.provider} manages ${all.join(', ')}`, 'InvalidRegion');
      return [region];
    }
    if (zone !== undefined) {
      const known = this.zones.get(zone);
      if (known !== undefined && all.includes(known)) return [known];
      const owner = all.filter((each) => zone.startsWith(each)).sort((a, b) => b.length - a.length)[0];
      if (owner !== undefined) return [owner];
      // Not named after its region (an emulator's or a test's zone names): ask each region.
      for (const each of all) {
        await this.describeZones(operation, each, signal);
        if (this.zones.get(zone) === each) return [each];
      }
      throw invalidInput(this.provider, operation, `zone ${zone} is in none of ${all.join(', ')}`, 'InvalidAvailabilityZone');
    }
    return all;
  }

  /**
   * Whether `zone` belongs to `region`: as `DescribeAvailabilityZones` last
   * said, else by name (AZ names start with their region's), else after
   * asking the region once.
   */
  async zoneInRegion(operation: string, zone: string, region: string, signal: AbortSignal): Promise<boolean> {
    const known = this.zones.get(zone);
    if (known !== undefined) return known === region;
    if (zone.startsWith(region)) return true;
    await this.describeZones(operation, region, signal);
    return this.zones.get(zone) === region;
  }

  async nodeRegion(operation: string, id: string, signal: AbortSignal): Promise<string> {
    const all = await this.regions(operation, signal);
    if (all.length === 1) return all[0]!;
    const known = this.nodes.get(id);
    if (known !== undefined) return known;
    for (const region of all) {
      const [instance] = await this.api.describeInstances(operation, region, [{ Name: 'instance-id', Values: [id] }], signal);
      if (instance !== undefined) {
        this.remember(this.nodes, id, region);
        return region;
      }
    }
    throw invalidInput(this.provider, operation, `unknown node ${id} in ${all.join(', ')}`, 'InvalidInstanceID.NotFound');
  }

  async databaseRegion(operation: string, id: string, signal: AbortSignal): Promise<string> {
    const all = await this.regions(operation, signal);
    if (all.length === 1) return all[0]!;
    const known = this.databases.get(id);
    if (known !== undefined) return known;
    const found = await this.findDatabase(operation, id, signal);
    if (found === undefined) throw invalidInput(this.provider, operation, `unknown database ${id} in ${all.join(', ')}`, 'DBInstanceNotFound');
    return found.region;
  }

  /** One instance by id, searched in the remembered region first, then in every region. */
  async findDatabase(operation: string, id: string, signal: AbortSignal): Promise<FoundDatabase | undefined> {
    const all = await this.regions(operation, signal);
    const known = this.databases.get(id);
    const order = known === undefined ? all : [known, ...all.filter((region) => region !== known)];
    for (const region of order) {
      const [db] = await this.api.describeDatabases(operation, region, [id], signal);
      if (db !== undefined) {
        this.sawDatabase(db, region);
        return { db, region };
      }
    }
    return undefined;
  }

  private remember(map: Map<string, string>, id: string, region: string): void {
    if (id === '') return;
    if (map.size >= MAX_REMEMBERED && !map.has(id)) map.clear();
    map.set(id, region);
  }
}
