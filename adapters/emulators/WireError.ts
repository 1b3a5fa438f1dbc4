/**
 * An error answer decided by the emulator itself (unknown action, missing
 * parameter, bad page token), rendered in the service's own error format.
 */
export class WireError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}
