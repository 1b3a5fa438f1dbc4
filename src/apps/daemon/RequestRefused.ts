/**
 * An operator's request the daemon refuses, changing nothing: `status` is
 * the HTTP status the API answers with (404 unknown database or instance,
 * 409 not possible now, 503 the shared store cannot record it).
 */
export class RequestRefused extends Error {
  constructor(
    readonly status: 404 | 409 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'RequestRefused';
  }
}
