// Number formats the buildx printers use.

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** tonistiigi/units "%.2f": plain bytes below 1 kB, else two decimals and a decimal unit */
export function formatBytes(n: number): string {
  let unit = 0;
  let base = 1;
  while (unit < DECIMAL_UNITS.length - 1 && Math.abs(n) >= base * 1000) {
    base *= 1000;
    unit++;
  }
  if (unit === 0) return `${Math.trunc(n)}B`;
  return `${(n / base).toFixed(2)}${DECIMAL_UNITS[unit]}`;
}

/** progressui's log-line prefix: seconds since the step started, 3/2/1 decimals */
export function formatLogOffset(ms: number): string {
  const sec = ms / 1000;
  const digits = sec < 10 ? 3 : sec < 100 ? 2 : 1;
  return sec.toFixed(digits);
}

/** "current / total" or "current", as the status lines show it */
export function formatProgress(current: number, total: number): string {
  if (total !== 0) return `${formatBytes(current)} / ${formatBytes(total)}`;
  if (current !== 0) return formatBytes(current);
  return '';
}
