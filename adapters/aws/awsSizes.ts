import type { Size } from '../../src/core/contract/types.js';

/** The region the embedded prices are for. */
export const PRICED_REGION = 'us-east-1';

/**
 * Where the prices come from. Illustrative on-demand prices, not a live
 * price list: the adapter never calls the Pricing API (it would need another
 * permission and a call per listing), and prices change rarely.
 */
export const AWS_PRICE_SOURCE =
  'Amazon EC2 On-Demand Pricing (https://aws.amazon.com/ec2/pricing/on-demand/), US East (N. Virginia), Linux, shared tenancy, as published in 2024; illustrative, embedded in the adapter';

/** Instance types the adapter knows: [id, vCPUs, memory MiB, USD per hour in us-east-1]. */
const TYPES: readonly (readonly [string, number, number, number])[] = [
  ['t3.micro', 2, 1024, 0.0104],
  ['t3.small', 2, 2048, 0.0208],
  ['t3.medium', 2, 4096, 0.0416],
  ['t3.large', 2, 8192, 0.0832],
  ['m5.large', 2, 8192, 0.096],
  ['m5.xlarge', 4, 16384, 0.192],
  ['m5.2xlarge', 8, 32768, 0.384],
  ['m6i.large', 2, 8192, 0.096],
  ['m6i.xlarge', 4, 16384, 0.192],
  ['c5.large', 2, 4096, 0.085],
  ['c5.xlarge', 4, 8192, 0.17],
  ['r5.large', 2, 16384, 0.126],
  ['r5.xlarge', 4, 32768, 0.252],
];

/**
 * The embedded size table for `region`. Prices are for {@link PRICED_REGION}
 * only; elsewhere `pricePerHour` is `null` rather than a wrong number.
 */
export function awsSizes(provider: string, region: string): Size[] {
  const priced = region === PRICED_REGION;
  return TYPES.map(([id, vcpus, memoryMiB, price]) => ({
    id,
    provider,
    vcpus,
    memoryMiB,
    pricePerHour: priced ? price : null,
    priceSource: priced ? AWS_PRICE_SOURCE : `${AWS_PRICE_SOURCE}; no embedded price for ${region}`,
    extra: { family: id.slice(0, id.indexOf('.')) },
  }));
}
