import type { Size } from '../../src/core/contract/types.js';

/** Illustrative list prices: round numbers in the range of general-purpose VMs, not any provider's price list. */
const PRICE_SOURCE = 'lifeboat sim: illustrative list prices, not a real price list';

const PROFILES = [
  { id: 'sim.small', vcpus: 2, memoryMiB: 4096, pricePerHour: 0.05 },
  { id: 'sim.medium', vcpus: 4, memoryMiB: 16384, pricePerHour: 0.19 },
  { id: 'sim.large', vcpus: 8, memoryMiB: 32768, pricePerHour: 0.38 },
] as const;

/**
 * The sizes a simulated provider offers: three generic `sim.*` sizes, plus
 * every size a topology's groups name (`m5.large`, ...), so that a controller
 * that creates nodes "like the group's" finds its size. Named sizes get the
 * `sim.medium` profile and price, marked in `extra.profile`.
 */
export function simSizes(provider: string, namedSizes: Iterable<string>): readonly Size[] {
  const sizes: Size[] = PROFILES.map((profile) =>
    Object.freeze({ ...profile, provider, priceSource: PRICE_SOURCE, extra: Object.freeze({}) }),
  );
  const medium = PROFILES[1];
  const known = new Set<string>(PROFILES.map((profile) => profile.id));
  for (const id of namedSizes) {
    if (known.has(id)) continue;
    known.add(id);
    sizes.push(
      Object.freeze({
        id,
        provider,
        vcpus: medium.vcpus,
        memoryMiB: medium.memoryMiB,
        pricePerHour: medium.pricePerHour,
        priceSource: PRICE_SOURCE,
        extra: Object.freeze({ profile: medium.id }),
      }),
    );
  }
  return Object.freeze(sizes);
}
