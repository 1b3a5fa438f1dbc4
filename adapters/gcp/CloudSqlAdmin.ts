import { GoogleRestApi } from './GoogleRestApi.js';
import type { ScopedAuth } from './ScopedAuth.js';

/**
 * The Cloud SQL Admin v1 REST API, called directly through the auth
 * object's `fetch` (so the same credentials, signal and error handling
 * apply as for Compute). Why not `@google-cloud/sql`: it is a gRPC-first
 * client whose REST fallback for this API nobody documents, it would add a
 * second generated client for five methods, and the Admin API's public
 * surface is its REST API (the one `gcloud sql` uses).
 */
export class CloudSqlAdmin extends GoogleRestApi {
  constructor(auth: ScopedAuth, baseUrl: string) {
    super(auth, baseUrl, 'v1');
  }
}
