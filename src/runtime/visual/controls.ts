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

/**
 * The scenario's parameters as the page carries them to the runtime: JSON in the parameter
 * fieldset's `data-param-specs`, written once where the controls are rendered, so the
 * runtime never has to rebuild the specs from the controls' attributes.
 */
export function serializeParamSpecs(params: readonly ScenarioParam[]): string {
  return JSON.stringify(params);
}

/**
 * Reads back what {@link serializeParamSpecs} wrote, checking every field the runtime uses.
 * A page whose markup and runtime disagree fails here, with `where` and the faulty part
 * named, rather than as a control that silently reads the wrong value.
 */
export function readParamSpecs(json: string | undefined, where: string): ScenarioParam[] {
  const fail = (what: string): never => {
    throw new Error(`The ${where} has invalid parameter specs: ${what}.`);
  };
  if (json === undefined) fail('the data-param-specs attribute is missing');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json!);
  } catch (error) {
    fail(`they are not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) return fail('they are not a list');
  const names = new Set<string>();
  return parsed.map((raw: unknown, i): ScenarioParam => {
    const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const name = typeof p.name === 'string' && p.name !== '' ? p.name : fail(`parameter ${i + 1} has no name`);
    const field = `parameter "${name}"`;
    if (names.has(name)) fail(`${field} appears twice`);
    names.add(name);
    const label = typeof p.label === 'string' ? p.label : fail(`${field} has no label`);
    const finite = (key: string): number => (typeof p[key] === 'number' && Number.isFinite(p[key]) ? p[key] : fail(`${field} has no numeric ${key}`));
    if (p.kind === 'number') {
      const [min, max, step, value] = [finite('min'), finite('max'), finite('step'), finite('default')];
      if (!(min <= max) || !(step > 0)) fail(`${field} has an empty range or a step that is not positive`);
      if (p.unit !== undefined && typeof p.unit !== 'string') fail(`${field} has a unit that is not text`);
      return { kind: 'number', name, label, min, max, step, default: value, ...(p.unit !== undefined ? { unit: p.unit as string } : {}) };
    }
    if (p.kind === 'select') {
      const options = Array.isArray(p.options) ? (p.options as unknown[]) : fail(`${field} has no options`);
      const checked = options.map((o) => {
        const option = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
        if (typeof option.value !== 'string' || typeof option.label !== 'string') fail(`${field} has an option without a value and a label`);
        return { value: option.value as string, label: option.label as string };
      });
      const value = typeof p.default === 'string' && checked.some((o) => o.value === p.default) ? p.default : fail(`${field} has a default that is not one of its options`);
      return { kind: 'select', name, label, options: checked, default: value };
    }
    if (p.kind === 'boolean') {
      return { kind: 'boolean', name, label, default: typeof p.default === 'boolean' ? p.default : fail(`${field} has no true or false default`) };
    }
    return fail(`${field} has an unknown kind ${JSON.stringify(p.kind)}`);
  });
}

/**
 * The values of a run from its controls' raw values (a slider's or a select's text, a
 * checkbox's checked state), each parsed and clamped by {@link parseParam}.
 */
export function paramValues(specs: readonly ScenarioParam[], raw: (name: string) => string | boolean): Record<string, number | string | boolean> {
  return Object.fromEntries(specs.map((spec) => [spec.name, parseParam(spec, raw(spec.name))]));
}

/** Whether two lists of parameters have the same names in the same order. */
export function sameParamNames(a: readonly Pick<ScenarioParam, 'name'>[], b: readonly Pick<ScenarioParam, 'name'>[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name);
}
