/**
 * The parts of the exercise panel that the server renders (src/components/Exercise.astro),
 * found once and typed. A part that is missing is named, so a change to the markup that drops
 * one fails where it is read, not later as "cannot read properties of null".
 */

/** The buttons the panel wires, by their `data-action`. */
export const PANEL_ACTIONS = ['run', 'hint', 'reset', 'compare', 'solution', 'switch-editor'] as const;
export type PanelAction = (typeof PANEL_ACTIONS)[number];

export interface PanelParts {
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
  readonly buttons: Readonly<Record<PanelAction, HTMLButtonElement>>;
}

/** Anything with `querySelector`, such as an element (so a test can hand in a stand-in). */
export interface PartsRoot {
  querySelector(selector: string): Element | null;
}

/** The panel's parts inside `section`; throws, naming every missing one, if any is missing. */
export function bindPanelParts(section: PartsRoot, exerciseId: string): PanelParts {
  const missing: string[] = [];
  const find = <T extends Element>(selector: string): T => {
    const found = section.querySelector(selector);
    if (found === null) missing.push(selector);
    return found as T;
  };
  const parts = {
    status: find<HTMLElement>('[data-status]'),
    editorHost: find<HTMLElement>('[data-editor]'),
    tabs: find<HTMLElement>('[data-tabs]'),
    results: find<HTMLElement>('[data-results]'),
    consoleOut: find<HTMLElement>('[data-console]'),
    hintsList: find<HTMLOListElement>('[data-hints]'),
    storageNote: find<HTMLElement>('[data-storage]'),
    badge: find<HTMLElement>('[data-exercise-status]'),
    comparison: find<HTMLElement>('[data-comparison]'),
    terminalPanel: find<HTMLDetailsElement>('[data-terminal-panel]'),
    terminal: find<HTMLElement>('[data-terminal]'),
    buttons: Object.fromEntries(PANEL_ACTIONS.map((action) => [action, find<HTMLButtonElement>(`[data-action="${action}"]`)])) as Record<PanelAction, HTMLButtonElement>,
  };
  if (missing.length > 0) {
    throw new Error(`The exercise panel for ${exerciseId} is missing ${missing.length === 1 ? 'a part' : `${missing.length} parts`}: ${missing.join(', ')}.`);
  }
  return parts;
}
