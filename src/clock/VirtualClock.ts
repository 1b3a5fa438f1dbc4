import { abortError, type Clock } from './Clock.js';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

/** Handle to cancel a callback scheduled on a {@link VirtualClock}. */
export interface ScheduledCallback {
  cancel(): void;
}

/**
 * Deterministic virtual time for replay and tests. Time only moves when the
 * owner calls {@link VirtualClock.runUntil}; timers due at the same instant
 * fire in the order they were set.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly heap: Timer[] = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      let timer: Timer | undefined;
      const onAbort = () => {
        if (timer) timer.cancelled = true;
        reject(abortError(signal));
      };
      timer = this.push(this.current + Math.max(0, ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer = this.push(this.current + Math.max(0, ms), fn);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Runs `fn` synchronously when virtual time reaches `atMs` (or now, if past). */
  schedule(atMs: number, fn: () => void): ScheduledCallback {
    const timer = this.push(Math.max(atMs, this.current), fn);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Time of the next pending timer, or `undefined`. */
  nextTimerAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /**
   * Advances virtual time to `targetMs`, firing every timer due on the way and
   * letting the promise chains they resolve run to completion (each batch of
   * timers is followed by a macrotask turn, which drains all microtasks).
   */
  async runUntil(targetMs: number): Promise<void> {
    await drain();
    for (;;) {
      this.dropCancelled();
      const next = this.heap[0];
      if (!next || next.at > targetMs) break;
      this.current = next.at;
      // Fire every timer due at this instant, then let their continuations run.
      while (this.heap[0] && this.heap[0].at === this.current) {
        const timer = this.pop();
        if (!timer.cancelled) timer.fire();
      }
      await drain();
    }
    if (targetMs > this.current) this.current = targetMs;
    await drain();
  }

  private push(at: number, fire: () => void): Timer {
    const timer: Timer = { at, seq: this.seq++, fire, cancelled: false };
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
    return timer;
  }

  private pop(): Timer {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }

  private dropCancelled(): void {
    while (this.heap[0]?.cancelled) this.pop();
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** One macrotask turn: every queued microtask (promise continuation) runs first. */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
