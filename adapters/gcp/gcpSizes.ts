import type { Size } from '../../src/core/contract/types.js';

/** The region the embedded prices are for. */
export const PRICED_REGION = 'us-central1';

/** Where the prices come from. Illustrative, embedded; the adapter never calls the Cloud Billing Catalog API. */
export const GCP_PRICE_SOURCE =
  'Compute Engine VM instance pricing (https://cloud.google.com/compute/vm-instance-pricing), us-central1 (Iowa), on-demand, Linux, as published in 2024; illustrative, embedded in the adapter';

/** Machine types the adapter knows: [id, vCPUs, memory MiB, USD per hour in us-central1]. */
const TYPES: readonly (readonly [string, number, number, number])[] = [
  ['e2-micro', 2, 1024, 0.008376],
  ['e2-small', 2, 2048, 0.016751],
  ['e2-medium', 2, 4096, 0.033503],
  ['e2-standard-2', 2, 8192, 0.067006],
  ['e2-standard-4', 4, 16384, 0.134012],
  ['e2-standard-8', 8, 32768, 0.268024],
  ['n2-standard-2', 2, 8192, 0.097118],
  ['n2-standard-4', 4, 16384, 0.194236],
  ['n1-standard-1', 1, 3840, 0.0475],
  ['n1-standard-2', 2, 7680, 0.095],
];

/** Shared-core types: their vCPUs are time-sliced (e2-micro gets 25% of two). */
const SHARED_CORE = new Set(['e2-micro', 'e2-small', 'e2-medium']);

/**
 * The embedded machine-type table for `region`. Prices are for
 * {@link PRICED_REGION} only; elsewhere `pricePerHour` is `null` rather than
 * a wrong number.
 */
export function gcpSizes(provider: string, region: string): Size[] {
  const priced = region === PRICED_REGION;
  return TYPES.map(([id, vcpus, memoryMiB, price]) => ({
    id,
    provider,
    vcpus,
    memoryMiB,
    pricePerHour: priced ? price : null,
    priceSource: priced ? GCP_PRICE_SOURCE : `${GCP_PRICE_SOURCE}; no embedded price for ${region}`,
    extra: { family: id.slice(0, id.indexOf('-')), sharedCore: SHARED_CORE.has(id) },
  }));
}
