/** Seconds rounded to the millisecond (the virtual clock's resolution), never `-0`. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000 + 0;
}
