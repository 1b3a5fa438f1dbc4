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
 * How {@link VirtualClock.runUntil} lets the continuations of the timers it
 * fired run before it fires the next ones:
 *
 * - `macrotask`: one event-loop turn (`setImmediate`) after each batch, so
 *   real I/O those continuations started (an HTTP request to an emulator)
 *   gets a turn too. The default.
 * - `microtasks`: until no promise continuation is left, and no further.
 *   Several times cheaper per batch; for worlds that do no real I/O while
 *   time moves (the in-process simulated world). Continuations that wait on
 *   a real macrotask (I/O, `setImmediate`, real timers) are not waited for.
 */
export type VirtualClockSettle = 'macrotask' | 'microtasks';

/** Options for a {@link VirtualClock}. */
export interface VirtualClockOptions {
  /** See {@link VirtualClockSettle}; `macrotask` by default. */
  readonly settle?: VirtualClockSettle;
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
  private readonly onTicks: boolean;

  constructor(startMs = 0, options: VirtualClockOptions = {}) {
    this.current = startMs;
    this.onTicks = options.settle === 'microtasks';
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal === undefined) {
        this.push(this.current + Math.max(0, ms), resolve);
        return;
      }
      if (signal.aborted) return reject(abortError(signal));
      const onAbort = () => {
        timer.cancelled = true;
        reject(abortError(signal));
      };
      const timer = this.push(this.current + Math.max(0, ms), () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
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
   * letting the promise chains they resolve run to completion before time
   * moves on (see {@link VirtualClockSettle} for how far "completion" goes).
   */
  async runUntil(targetMs: number): Promise<void> {
    // The caller may be anywhere (a macrotask, a microtask): one full turn
    // first, so whatever it set in motion has run. From here on this function
    // only resumes as a promise continuation, where either way of settling
    // works.
    await macrotaskTurn();
    if (this.onTicks) {
      await new Promise<void>((resolve, reject) => this.fireOnTicks(targetMs, resolve, reject));
      return;
    }
    while (this.fireNextBatch(targetMs)) await macrotaskTurn();
    if (targetMs > this.current) this.current = targetMs;
    await macrotaskTurn();
  }

  /**
   * Moves time to the next instant a timer is due, if it is `targetMs` or
   * earlier, and fires every timer due then (their continuations run once
   * the caller lets them); false, moving nothing, when none is due by then.
   */
  private fireNextBatch(targetMs: number): boolean {
    const heap = this.heap;
    this.dropCancelled();
    const next = heap[0];
    if (next === undefined || next.at > targetMs) return false;
    const at = next.at;
    this.current = at;
    while (heap.length > 0 && heap[0]!.at === at) {
      const timer = this.pop();
      if (!timer.cancelled) timer.fire();
    }
    return true;
  }

  /**
   * `runUntil` when settling on microtasks, with no promise per instant:
   * each batch is fired after a `nextTick`, which Node runs once no promise
   * continuation is queued (the continuations of the batch before it
   * included); then `done` after one more such turn. A long replay has
   * hundreds of thousands of instants.
   */
  private fireOnTicks(targetMs: number, done: () => void, fail: (error: unknown) => void): void {
    // Each batch runs as a promise continuation would (a microtask queued from the tick), not in the tick
    // callback itself: Node runs every queued tick before any microtask, so a batch fired from the tick would
    // run ahead of the continuations of the one before.
    const tick = (): void => queueMicrotask(step);
    const step = (): void => {
      try {
        if (this.fireNextBatch(targetMs)) {
          process.nextTick(tick);
          return;
        }
        if (targetMs > this.current) this.current = targetMs;
        process.nextTick(done);
      } catch (error) {
        fail(error);
      }
    };
    step();
  }

  private push(at: number, fire: () => void): Timer {
    const timer: Timer = { at, seq: this.seq++, fire, cancelled: false };
    const heap = this.heap;
    let i = heap.length;
    heap.push(timer);
    // Sift up: move parents down until the new timer's slot is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (!before(timer, above)) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = timer;
    return timer;
  }

  private pop(): Timer {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    const size = heap.length;
    if (size > 0) {
      // Sift down: move the smaller child up until the last timer's slot is found.
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= size) break;
        const right = left + 1;
        let child = left;
        let smaller = heap[left]!;
        if (right < size && before(heap[right]!, smaller)) {
          child = right;
          smaller = heap[right]!;
        }
        if (!before(smaller, last)) break;
        heap[i] = smaller;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }

  private dropCancelled(): void {
    const heap = this.heap;
    while (heap.length > 0 && heap[0]!.cancelled) this.pop();
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** One macrotask turn: every queued microtask (promise continuation) runs first, and pending I/O gets a turn. */
function macrotaskTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
