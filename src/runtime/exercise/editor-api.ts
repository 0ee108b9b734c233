/** What the exercise panel needs from an editor; Monaco and the plain fallback both provide it. */
export interface EditorMarker {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** How a comparison is drawn: two labelled columns, or one column with − and + lines. */
export type DiffLayout = 'side-by-side' | 'inline';

export interface ExerciseEditor {
  /** Which kind of editor this is, for the panel to describe. */
  readonly kind: 'monaco' | 'plain';
  getValue(path: string): string;
  setValue(path: string, text: string): void;
  /** Shows a file (switching tabs is the panel's job) and optionally moves to a line. */
  show(path: string, line?: number, column?: number): void;
  onChange(listener: (path: string) => void): void;
  /** Registers the run shortcut (Ctrl/Cmd+Enter) inside the editor. */
  onRunShortcut(listener: () => void): void;
  setMarkers(path: string, markers: readonly EditorMarker[]): void;
  /** Type and syntax errors in the given files, from the language service when there is one. */
  diagnostics(paths: readonly string[]): Promise<EditorMarker[]>;
  /**
   * Shows the learner's file against another text (the reference), read-only, and says how
   * it is drawn; `undefined` hides it. An editor without a diff view returns `undefined`
   * and the panel shows the reference itself.
   */
  showDiff(path: string | undefined, other?: string): DiffLayout | undefined;
  setTheme(theme: 'light' | 'dark'): void;
  focus(): void;
  dispose(): void;
}

export interface EditorFile {
  readonly path: string;
  readonly text: string;
  readonly readOnly: boolean;
}
