// Small numeric and formatting helpers shared by the benchmark modules.

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** "1,234" */
export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** "3" or "1.5": at most one decimal, none when whole. */
export function formatDecimal(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** "12.3 ms" (whole milliseconds from 100 ms up). */
export function formatMs(ms: number): string {
  return Math.abs(ms) >= 100 ? `${formatInteger(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/** "17.5 KiB" */
export function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** "412 MiB" from kibibytes. */
export function formatMiBFromKiB(kib: number): string {
  return `${(kib / 1024).toFixed(0)} MiB`;
}

/** "1.23×" (more digits for ratios compared with a limit, e.g. 1.053×). */
export function formatRatio(ratio: number, digits = 2): string {
  return `${ratio.toFixed(digits)}×`;
}

export function groupCount<T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const key = keyOf(item);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
