/**
 * "Compare with solution": the learner's file beside the reference, in the editor's diff view
 * or, for an editor without one, as text below it. Comparing counts as help, as showing
 * the solution does; the learner is asked first unless they have had help already.
 */
import { el } from '../dom.ts';
import type { ExerciseEditor } from './editor-api.ts';
import { comparisonStatus } from './panel-text.ts';

export function mountCompare(o: {
  readonly button: HTMLButtonElement;
  /** Where the reference goes when the editor cannot draw a comparison. */
  readonly comparison: HTMLElement;
  readonly status: HTMLElement;
  readonly editor: ExerciseEditor;
  readonly editable: readonly string[];
  readonly activePath: () => string;
  readonly helped: () => boolean;
  readonly loadSolution: () => Promise<Record<string, string> | undefined>;
  /** Records that the learner had help (and saves that with their code). */
  readonly markHelped: () => void;
}): void {
  const { button, comparison, editor, editable } = o;
  let comparing = false;
  button.addEventListener('click', async () => {
    if (comparing) {
      comparing = false;
      button.textContent = 'Compare with solution';
      button.setAttribute('aria-pressed', 'false');
      editor.showDiff(undefined);
      comparison.hidden = true;
      return;
    }
    if (!o.helped() && !confirm('Compare your code with the reference solution? The exercise will count as solved with help.')) return;
    const reference = await o.loadSolution();
    if (!reference) return;
    o.markHelped();
    const active = o.activePath();
    const path = editable.includes(active) ? active : editable[0]!;
    comparing = true;
    button.textContent = 'Close comparison';
    button.setAttribute('aria-pressed', 'true');
    const layout = editor.showDiff(path, reference[path]);
    if (!layout) {
      comparison.hidden = false;
      comparison.replaceChildren(el('h4', { textContent: `Reference solution: ${path}` }), el('pre', { textContent: reference[path] ?? '' }));
    }
    o.status.textContent = comparisonStatus(layout, path);
  });
}
