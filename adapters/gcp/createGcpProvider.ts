import { GcpProvider } from './GcpProvider.js';
import type { GcpProviderOptions } from './GcpProviderOptions.js';

/**
 * The `gcp` adapter with `options` (all optional: Application Default
 * Credentials and their project). For an emulator:
 * `createGcpProvider({ project, apiEndpoint: '127.0.0.1', port, protocol: 'http', auth: new StaticTokenAuth(token, project) })`.
 */
export function createGcpProvider(options: GcpProviderOptions = {}): GcpProvider {
  return new GcpProvider(options);
}
