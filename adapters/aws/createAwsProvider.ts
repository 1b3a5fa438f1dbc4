import { AwsProvider } from './AwsProvider.js';
import type { AwsProviderOptions } from './AwsProviderOptions.js';

/**
 * The `aws` adapter with `options` (all optional: default credential chain
 * and region). For an emulator: `createAwsProvider({ endpoint, regions,
 * credentials })`.
 */
export function createAwsProvider(options: AwsProviderOptions = {}): AwsProvider {
  return new AwsProvider(options);
}
