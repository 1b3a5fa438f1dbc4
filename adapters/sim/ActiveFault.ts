import type { ApiFaultKind } from './ScenarioEvent.js';

/** An `apiFault` event while it lasts (scenario spec section 4). */
export interface ActiveFault {
  /** Operation names, or `*`, `*mutating`, `*read`. */
  readonly operations: ReadonlySet<string>;
  readonly fault: ApiFaultKind;
  readonly rate: number;
  readonly region: string | undefined;
  readonly zone: string | undefined;
  /** Virtual ms; `Infinity` when it never ends. */
  readonly untilMs: number;
}
