/**
 * Numbers for axes and readouts: latency histogram bins, percentiles, time formatting and
 * the zoom window of the sequence diagram. Pure functions, shared by the worker and the
 * page, so the same bin means the same latency on both sides.
 */

/** Latency histogram bins: 20 per decade from 0.01 ms up to 100 s, log-spaced. */
export const BINS_PER_DECADE = 20;
export const BIN_MIN_MS = 0.01;
export const BIN_COUNT = 7 * BINS_PER_DECADE;

/** The bin a latency falls in; values outside the range land in the first or last bin. */
export function latencyBin(ms: number): number {
  if (!(ms > BIN_MIN_MS)) return 0;
  const bin = Math.floor(Math.log10(ms / BIN_MIN_MS) * BINS_PER_DECADE);
  return Math.min(BIN_COUNT - 1, bin);
}

/** Lower and upper edges of a bin, in ms. */
export function binEdges(bin: number): readonly [number, number] {
  return [BIN_MIN_MS * 10 ** (bin / BINS_PER_DECADE), BIN_MIN_MS * 10 ** ((bin + 1) / BINS_PER_DECADE)];
}

/** Nearest-rank percentile of ascending values; NaN for none. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1]!;
}

/** Adds a sparse `[bin, count, bin, count…]` list into a dense histogram. */
export function addBins(dense: Float64Array, sparse: readonly number[], sign = 1): void {
  for (let i = 0; i + 1 < sparse.length; i += 2) dense[sparse[i]!]! += sign * sparse[i + 1]!;
}

/** Turns a dense histogram into the sparse form, for sending. */
export function sparseBins(dense: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < dense.length; i++) if (dense[i]! > 0) out.push(i, dense[i]!);
  return out;
}

/**
 * A virtual duration for people: "850 µs", "12.5 ms", "3.20 s". Three significant figures
 * are enough to compare runs and short enough for a table cell on a phone.
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  if (abs === 0) return '0 ms';
  if (abs < 1) return `${Math.round(ms * 1000)} µs`;
  if (abs < 1000) return `${trimFixed(ms, abs < 10 ? 2 : abs < 100 ? 1 : 0)} ms`;
  return `${trimFixed(ms / 1000, abs < 10_000 ? 2 : abs < 100_000 ? 1 : 0)} s`;
}

function trimFixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** A fraction as a percentage with enough digits to tell 99.9% from 99.99%. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '–';
  const pct = fraction * 100;
  if (pct === 100 || pct === 0) return `${pct}%`;
  return `${pct >= 99 ? pct.toFixed(2) : pct.toFixed(1)}%`;
}

/** A window of virtual time, in ms. */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Zooms a window by `factor` (< 1 zooms in) around `anchorMs`, keeping the anchor at the
 * same place on screen, and clamps it to `[0, limitMs]` and to a width of at least
 * `minWidthMs`.
 */
export function zoomWindow(w: TimeWindow, factor: number, anchorMs: number, limitMs: number, minWidthMs = 0.05): TimeWindow {
  const width = w.endMs - w.startMs;
  const next = Math.min(Math.max(width * factor, minWidthMs), Math.max(limitMs, minWidthMs));
  const share = width > 0 ? (anchorMs - w.startMs) / width : 0.5;
  return clampWindow({ startMs: anchorMs - share * next, endMs: anchorMs - share * next + next }, limitMs);
}

/** Moves a window by `deltaMs`, keeping its width, within `[0, limitMs]`. */
export function panWindow(w: TimeWindow, deltaMs: number, limitMs: number): TimeWindow {
  return clampWindow({ startMs: w.startMs + deltaMs, endMs: w.endMs + deltaMs }, limitMs);
}

/** The window of `widthMs` whose right edge is the playhead (or starts at 0 early on). */
export function followWindow(playheadMs: number, widthMs: number, limitMs: number): TimeWindow {
  return clampWindow({ startMs: playheadMs - widthMs, endMs: playheadMs }, limitMs);
}

/** Shifts a window inside `[0, limitMs]` without changing its width (unless it is wider). */
export function clampWindow(w: TimeWindow, limitMs: number): TimeWindow {
  const width = Math.min(w.endMs - w.startMs, limitMs);
  let start = w.startMs;
  if (start < 0) start = 0;
  if (start + width > limitMs) start = limitMs - width;
  return { startMs: start, endMs: start + width };
}

/**
 * The metrics bucket width for a run: about 400 buckets, rounded up to 1, 2 or 5 times a
 * power of ten so that bucket edges fall on round times.
 */
export function chooseBucketMs(durationMs: number, buckets = 400): number {
  const raw = Math.max(durationMs / buckets, 0.1);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw - 1e-9) return m * power;
  return 10 * power;
}

/**
 * Axis labels for evenly spaced time ticks, with just enough decimals to tell neighbours
 * apart: a 200 ms window near 19.8 s reads 19.80 s, 19.85 s… rather than 19.8 s five times.
 */
export function formatTicks(splits: readonly number[]): string[] {
  if (splits.length === 0) return [];
  const step = splits.length > 1 ? Math.abs(splits[1]! - splits[0]!) : Math.abs(splits[0]!) || 1;
  const max = Math.max(...splits.map(Math.abs));
  const inSeconds = max >= 1000;
  const unitStep = inSeconds ? step / 1000 : step;
  const decimals = Math.min(6, Math.max(0, Math.ceil(-Math.log10(unitStep) - 1e-9)));
  return splits.map((v) => (inSeconds ? `${(v / 1000).toFixed(decimals)} s` : `${v.toFixed(decimals)} ms`));
}

/** Labels for a log axis: only powers of ten are labelled, so minor ticks do not crowd it. */
export function formatLogTicks(splits: readonly number[]): string[] {
  return splits.map((v) => {
    const exponent = Math.log10(v);
    return Math.abs(exponent - Math.round(exponent)) < 1e-9 ? formatMs(v) : '';
  });
}
