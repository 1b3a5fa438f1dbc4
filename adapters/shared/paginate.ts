import { ProviderError } from '../../src/core/contract/errors.js';

/**
 * Most pages one listing reads, in every adapter: a guard against a service
 * that keeps returning a next-page token. At the smallest page size in use
 * (RDS's 100 records) that is a million records, far past any fleet the
 * controller watches; a listing that long is a broken service, and the call
 * fails `retryable` rather than loop forever.
 */
export const MAX_PAGES = 10_000;

/** One page of a listing: its items and the token of the next page (absent or empty on the last). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | null | undefined;
}

/** Who is listing what, for the error past {@link MAX_PAGES}. */
export interface PaginateContext {
  readonly provider: string;
  readonly operation: string;
  /** The listing as messages name it, e.g. `listNodes (us-east-1): DescribeInstances`. */
  readonly listing: string;
}

/**
 * Every item of a paged listing, in order: `fetchPage` is called with no
 * token first, then with each page's `next` until one has none.
 *
 * @throws {@link ProviderError} `retryable` after {@link MAX_PAGES} pages
 * that all named a next one; whatever `fetchPage` throws, as it is.
 */
export async function paginate<T>(fetchPage: (token: string | undefined) => Promise<Page<T>>, context: PaginateContext): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = await fetchPage(token);
    items.push(...page.items);
    token = page.next ?? undefined;
    if (token === undefined || token === '') return items;
  }
  throw new ProviderError('retryable', `${context.listing} returned more than ${MAX_PAGES} pages`, { provider: context.provider, operation: context.operation });
}
