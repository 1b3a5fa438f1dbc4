/** What a client wrote on one backend that the world has no place for. */
export interface BackendNote {
  /** The backend's `description` as last patched. */
  description: string;
  /** The last non-zero `capacityScaler` patched (the world knows only in rotation or not). */
  scaler: number;
}

/**
 * The one piece of state the GCP emulator keeps beside the world's: each
 * backend's `description` and non-zero `capacityScaler`, as clients patched
 * them (the gcp adapter records a shift's expiry in the description).
 * Whether a zone is drained always comes from the world.
 */
export class BackendNotes {
  private readonly notes = new Map<string, BackendNote>();

  /** The note of `zone` behind load balancer `lb` (a fresh default one the first time). */
  of(lb: string, zone: string): BackendNote {
    const key = `${lb}\0${zone}`;
    let note = this.notes.get(key);
    if (note === undefined) {
      note = { description: '', scaler: 1 };
      this.notes.set(key, note);
    }
    return note;
  }
}
