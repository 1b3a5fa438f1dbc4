/** `n` rounded to a tenth, for figures in reasons and notes (an estimated loss of 1.234 s reads 1.2 s). */
export function roundTenths(n: number): number {
  return Math.round(n * 10) / 10;
}
