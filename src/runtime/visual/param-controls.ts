/**
 * The parameter controls Simulation.astro rendered, bound to the specs it serialized beside
 * them (`data-param-specs`). Each control is found once; a spec without its control is
 * named, as `bindParts` does for the other parts. The parsing and the labels are the pure
 * functions of controls.ts, shared with the server-rendered markup.
 */
import type { ParamValues, ScenarioParam } from '../../scenarios/types.ts';
import { el } from '../dom.ts';
import { controlsFor, paramValues, parseParam, readParamSpecs, sameParamNames, serializeParamSpecs, valueText } from './controls.ts';

interface BoundControl {
  readonly spec: ScenarioParam;
  readonly input: HTMLInputElement | HTMLSelectElement;
  /** A number parameter's value as text, beside its slider. */
  readonly output: HTMLOutputElement | null;
}

export class ParamControls {
  readonly #box: HTMLElement;
  readonly #scenarioId: string;
  readonly #component: string;
  #specs: readonly ScenarioParam[];
  #controls: readonly BoundControl[];

  /** Binds the controls in `box` (the `data-params` fieldset); throws naming what is missing or invalid. */
  constructor(box: HTMLElement, scenarioId: string, component: string) {
    this.#box = box;
    this.#scenarioId = scenarioId;
    this.#component = component;
    this.#specs = readParamSpecs(box.dataset.paramSpecs, component);
    this.#controls = this.#bind();
  }

  get specs(): readonly ScenarioParam[] {
    return this.#specs;
  }

  /** The values the controls hold now, parsed and clamped. */
  values(): Record<string, number | string | boolean> {
    const byName = new Map(this.#controls.map((c) => [c.spec.name, c.input]));
    return paramValues(this.#specs, (name) => {
      const input = byName.get(name)!;
      return input.type === 'checkbox' ? (input as HTMLInputElement).checked : input.value;
    });
  }

  /** Labels a number control's value as it moves (its output and aria-valuetext), before the run restarts. */
  showValue(target: EventTarget | null): void {
    const control = this.#controls.find((c) => c.input === target);
    if (control?.spec.kind !== 'number') return;
    const text = valueText(control.spec, Number(parseParam(control.spec, control.input.value)));
    control.input.setAttribute('aria-valuetext', text);
    if (control.output) control.output.textContent = text;
  }

  /**
   * Makes the controls those of the scenario the worker ran. They are the markup's own but
   * where a page carries another scenario's markup (a stand-in page for a scenario no
   * lesson embeds): then the controls are built afresh for the worker's parameters, starting
   * from `values`, the values the run was started with.
   */
  matchRun(specs: readonly ScenarioParam[], values: ParamValues): void {
    if (sameParamNames(this.#specs, specs)) return;
    const legend = this.#box.querySelector('legend');
    this.#box.replaceChildren(...(legend ? [legend] : []), ...controlsFor(specs, values).map((c) => this.#render(c)));
    this.#box.dataset.paramSpecs = serializeParamSpecs(specs);
    this.#specs = specs;
    this.#controls = this.#bind();
  }

  #bind(): BoundControl[] {
    const holders = new Map([...this.#box.querySelectorAll<HTMLElement>('[data-param]')].map((holder) => [holder.dataset.param, holder]));
    const missing: string[] = [];
    const controls: BoundControl[] = [];
    for (const spec of this.#specs) {
      const holder = holders.get(spec.name);
      const input = holder?.querySelector<HTMLInputElement | HTMLSelectElement>(spec.kind === 'select' ? 'select' : 'input');
      const output = holder?.querySelector('output') ?? null;
      const where = `[data-param="${spec.name}"]`;
      if (!holder) missing.push(where);
      else if (!input) missing.push(`${where} ${spec.kind === 'select' ? 'select' : 'input'}`);
      else if (spec.kind === 'number' && !output) missing.push(`${where} output`);
      else controls.push({ spec, input, output });
    }
    if (missing.length > 0) {
      throw new Error(`The ${this.#component} is missing ${missing.length === 1 ? 'a parameter control' : `${missing.length} parameter controls`}: ${missing.join(', ')}.`);
    }
    return controls;
  }

  /** One control as Simulation.astro renders it. */
  #render(c: ReturnType<typeof controlsFor>[number]): HTMLElement {
    const id = `sim-${this.#scenarioId}-${c.name}`;
    const box = el('div', { className: 'param' });
    box.dataset.param = c.name;
    box.dataset.kind = c.kind;
    const label = el('label', { htmlFor: id, textContent: c.label });
    if (c.kind === 'number') {
      const input = el('input', { id, type: 'range', min: String(c.min), max: String(c.max), step: String(c.step), value: String(c.value) });
      input.setAttribute('aria-valuetext', c.valueText);
      const out = el('output', { textContent: c.valueText });
      out.htmlFor.add(id);
      box.append(label, input, out);
    } else if (c.kind === 'select') {
      const select = el('select', { id });
      for (const o of c.options) select.append(new Option(o.label, o.value, false, o.value === c.value));
      box.append(label, select);
    } else {
      const input = el('input', { id, type: 'checkbox', checked: c.value });
      label.removeAttribute('for');
      label.className = 'check';
      label.replaceChildren(input, ` ${c.label}`);
      box.append(label);
    }
    return box;
  }
}
