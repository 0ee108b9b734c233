/**
 * The scenario's parameters as form controls, and reading them back. Shared by the
 * server-rendered placeholder and the live runtime, so both label values the same way.
 */
import type { ParamValues, ScenarioParam } from '../../scenarios/types.ts';

export const DEFAULT_SEED = 1;

export type Control =
  | { readonly kind: 'number'; readonly name: string; readonly label: string; readonly min: number; readonly max: number; readonly step: number; readonly value: number; readonly valueText: string }
  | { readonly kind: 'select'; readonly name: string; readonly label: string; readonly options: readonly { readonly value: string; readonly label: string }[]; readonly value: string }
  | { readonly kind: 'boolean'; readonly name: string; readonly label: string; readonly value: boolean };

/** "70 QPS", "2 workers"-style text for a number parameter, also read out as aria-valuetext. */
export function valueText(param: Extract<ScenarioParam, { kind: 'number' }>, value: number): string {
  const digits = Math.max(0, -Math.floor(Math.log10(param.step > 0 ? param.step : 1)));
  const shown = value.toLocaleString('en-US', { maximumFractionDigits: Math.min(digits, 6) });
  return param.unit ? `${shown}${param.unit === '%' ? '' : ' '}${param.unit}` : shown;
}

export function controlsFor(params: readonly ScenarioParam[], values: ParamValues = {}): Control[] {
  return params.map((p): Control => {
    if (p.kind === 'number') {
      const value = typeof values[p.name] === 'number' ? (values[p.name] as number) : p.default;
      return { kind: 'number', name: p.name, label: p.label, min: p.min, max: p.max, step: p.step, value, valueText: valueText(p, value) };
    }
    if (p.kind === 'select') {
      const value = typeof values[p.name] === 'string' ? (values[p.name] as string) : p.default;
      return { kind: 'select', name: p.name, label: p.label, options: p.options, value };
    }
    const value = typeof values[p.name] === 'boolean' ? (values[p.name] as boolean) : p.default;
    return { kind: 'boolean', name: p.name, label: p.label, value };
  });
}

/**
 * A parameter's value from its control's raw value, clamped to the parameter's range and
 * step: a hand-edited page or a stale form must not build a scenario it was never meant to.
 */
export function parseParam(param: ScenarioParam, raw: string | boolean): number | string | boolean {
  if (param.kind === 'boolean') return raw === true || raw === 'true' || raw === 'on';
  if (param.kind === 'select') return param.options.some((o) => o.value === raw) ? String(raw) : param.default;
  const n = Number(raw);
  if (!Number.isFinite(n)) return param.default;
  const stepped = param.min + Math.round((n - param.min) / param.step) * param.step;
  const clamped = Math.min(param.max, Math.max(param.min, stepped));
  // Round away floating-point residue such as 0.30000000000000004.
  return Number(clamped.toPrecision(12));
}

/** The seed the first run uses: the author's choice or the default, as a non-negative integer. */
export function initialSeed(seed: number | undefined): number {
  return seed !== undefined && Number.isInteger(seed) && seed >= 0 ? seed : DEFAULT_SEED;
}

/** A fresh seed for "New seed": any non-negative 31-bit integer different from the current one. */
export function nextSeed(current: number, random: () => number = Math.random): number {
  for (;;) {
    const seed = Math.floor(random() * 2 ** 31);
    if (seed !== current) return seed;
  }
}

/** Parses the seed field; undefined when it is not a non-negative integer. */
export function parseSeed(text: string): number | undefined {
  if (!/^\s*\d{1,10}\s*$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 2 ** 32 ? n : undefined;
}
