/**
 * The parts of the exercise panel that the server renders (src/components/Exercise.astro),
 * found once and typed; a part that is missing is named (see `bindParts`).
 */
import { bindParts, type PartsRoot } from '../dom.ts';

/** The buttons the panel wires, by their `data-action`. */
export const PANEL_ACTIONS = ['run', 'hint', 'reset', 'compare', 'solution', 'switch-editor'] as const;
export type PanelAction = (typeof PANEL_ACTIONS)[number];

interface Regions {
  /** The one-line status the screen reader announces (`role="status"`). */
  readonly status: HTMLElement;
  /** Where the editor goes. */
  readonly editorHost: HTMLElement;
  /** The file tabs' list. */
  readonly tabs: HTMLElement;
  /** Where results are listed. */
  readonly results: HTMLElement;
  /** What the learner's code printed. */
  readonly consoleOut: HTMLElement;
  /** The hints shown so far. */
  readonly hintsList: HTMLOListElement;
  /** Where the panel says that code could not be saved (storage full or off). */
  readonly storageNote: HTMLElement;
  /** The badge that says the exercise was passed (with help or not). */
  readonly badge: HTMLElement;
  /** The side-by-side comparison with the reference. */
  readonly comparison: HTMLElement;
  /** The collapsible panel of what the WebContainer process printed, and its terminal. */
  readonly terminalPanel: HTMLDetailsElement;
  readonly terminal: HTMLElement;
}

export interface PanelParts extends Regions {
  readonly buttons: Readonly<Record<PanelAction, HTMLButtonElement>>;
}

const regions: { readonly [K in keyof Regions]: string } = {
  status: '[data-status]',
  editorHost: '[data-editor]',
  tabs: '[data-tabs]',
  results: '[data-results]',
  consoleOut: '[data-console]',
  hintsList: '[data-hints]',
  storageNote: '[data-storage]',
  badge: '[data-exercise-status]',
  comparison: '[data-comparison]',
  terminalPanel: '[data-terminal-panel]',
  terminal: '[data-terminal]',
};

/** The panel's parts inside `section`; throws, naming every missing one, if any is missing. */
export function bindPanelParts(section: PartsRoot, exerciseId: string): PanelParts {
  const buttons = Object.fromEntries(PANEL_ACTIONS.map((action) => [action, `[data-action="${action}"]`])) as Record<PanelAction, string>;
  const all = bindParts<Regions & Record<PanelAction, HTMLButtonElement>>(section, { ...regions, ...buttons }, `exercise panel for ${exerciseId}`);
  return { ...all, buttons: Object.fromEntries(PANEL_ACTIONS.map((action) => [action, all[action]])) as Record<PanelAction, HTMLButtonElement> };
}
