/** A shift away from a backend, as the adapter records it in the backend's `description`. */
export interface ShiftMarker {
  /** When the shift ends, ms since the epoch of the adapter's clock. */
  readonly expiresAt: number;
  /** The `capacityScaler` to put back when it ends. */
  readonly restore: number;
}

const MARKER = /\s*\[lifeboat-shift until=(\S+) restore=([0-9.]+)\]$/;

/**
 * The shift recorded at the end of a backend's description, if any. Google
 * has no expiry on a backend's capacity: the adapter keeps the contract's
 * expiry here, beside the operator's own text, so that any adapter (a
 * restarted one too) can honour it.
 */
export function readShiftMarker(description: string | null | undefined): ShiftMarker | undefined {
  const match = MARKER.exec(description ?? '');
  if (match === null) return undefined;
  const expiresAt = Date.parse(match[1]!);
  const restore = Number(match[2]);
  if (!Number.isFinite(expiresAt) || !(restore > 0 && restore <= 1)) return undefined;
  return { expiresAt, restore };
}

/** `description` with `marker` recorded (replacing any earlier one), or with none when `marker` is undefined. */
export function withShiftMarker(description: string | null | undefined, marker: ShiftMarker | undefined): string {
  const text = (description ?? '').replace(MARKER, '');
  if (marker === undefined) return text;
  return `${text}${text === '' ? '' : ' '}[lifeboat-shift until=${new Date(marker.expiresAt).toISOString()} restore=${marker.restore}]`;
}
