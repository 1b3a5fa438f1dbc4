/**
 * Durations as written in scenarios, policies and config: `<number><unit>`
 * with unit `ms`, `s`, `m`, `h` or `d` (`90s`, `2.5m`, `1h`), several of
 * them in strictly decreasing units (`1h30m`, `10m20s`, `2d4h`; scenario
 * spec r2), or a plain non-negative number meaning seconds.
 */
const UNIT_SECONDS = new Map<string, number>([
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
  ['ms', 0.001],
]);
/** One `<number><unit>` part; `ms` before `m` so that `100ms` is not `100m` and a stray `s`. */
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d)/y;

/** Parses a duration into seconds; returns `undefined` when it is not one. */
export function parseDurationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  let seconds = 0;
  let previousUnit = Infinity;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (!match) return undefined;
    const unit = UNIT_SECONDS.get(match[2]!)!;
    // Decreasing units only: `30m1h` and `1m1m` are typos, not durations.
    if (unit >= previousUnit) return undefined;
    previousUnit = unit;
    seconds += Number(match[1]) * unit;
  }
  return seconds;
}

/** Formats seconds compactly for humans: `95s`, `2m05s`, `1h02m`, `3d4h`. */
export function formatSeconds(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds)) return String(totalSeconds);
  const s = Math.round(totalSeconds * 1000) / 1000;
  if (s < 60) return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
  const whole = Math.round(s);
  const d = Math.floor(whole / 86400);
  const h = Math.floor((whole % 86400) / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const sec = whole % 60;
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  return `${m}m${String(sec).padStart(2, '0')}s`;
}
