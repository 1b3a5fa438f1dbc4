/**
 * Runs tasks one at a time per key (per instance): a promotion, a stop and a
 * re-point of the same database never interleave, while different
 * databases proceed in parallel.
 */
export class KeyedMutex {
  /** The last queued task of each key, settled either way (it never rejects). */
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` after every earlier task of `key` has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
