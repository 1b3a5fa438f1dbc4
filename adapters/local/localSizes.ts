import type { Size } from '../../src/core/contract/types.js';

/**
 * Where the price of a local size comes from: nowhere. Local nodes run on
 * this machine and cost nothing per hour, so the price is 0 rather than
 * `null` (a price exists and is known: none).
 */
export const LOCAL_PRICE_SOURCE = 'local machine: no price';

/**
 * The sizes of local nodes. They are labels only: a node service is one
 * small Node.js process whatever its size; nothing limits its CPU or memory.
 */
export function localSizes(provider: string): readonly Size[] {
  return [
    { id: 'local.small', provider, vcpus: 1, memoryMiB: 128, pricePerHour: 0, priceSource: LOCAL_PRICE_SOURCE, extra: { enforced: false } },
    { id: 'local.medium', provider, vcpus: 2, memoryMiB: 256, pricePerHour: 0, priceSource: LOCAL_PRICE_SOURCE, extra: { enforced: false } },
  ];
}

/** The size a node gets when its request names none. */
export const DEFAULT_LOCAL_SIZE = 'local.small';
