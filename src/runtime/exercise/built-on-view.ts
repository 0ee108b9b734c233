/**
 * The "Built on" part of an exercise's result: one line per earlier component the run used
 * (yours or the reference, and why), a switch between yours and the reference for the runs
 * to come, and, under a failing result graded with your component, a one-click re-run with
 * the reference whose outcome says where the problem is.
 */
import type { ComponentPayload } from '../../content/exercise-payload.ts';
import { el } from '../dom.ts';
import { builtOnLine, type ChosenSummary } from './components.ts';

export interface BuiltOnOptions {
  /** The components the shown result was graded with. */
  readonly used: readonly ChosenSummary[];
  readonly components: readonly ComponentPayload[];
  /** Whether the shown result failed and still describes the code in the editor. */
  readonly canCompare: boolean;
  /** The learner's saved choice for a component's exercise, when it has passing code to choose. */
  choiceOf(exercise: string): 'mine' | 'reference' | undefined;
  setChoice(exercise: string, choice: 'mine' | 'reference'): void;
  /** Grades the shown code again with the reference for one component; resolves with the comparison. */
  runWithReference(path: string): Promise<string>;
}

export function renderBuiltOn(options: BuiltOnOptions): HTMLElement {
  const section = el('section', { className: 'built-on' });
  section.dataset.builtOn = '';
  const headingId = `built-on-${Math.random().toString(36).slice(2, 8)}`;
  section.setAttribute('aria-labelledby', headingId);
  section.append(el('h3', { id: headingId, textContent: 'Built on your earlier work' }));
  const list = el('ul', {});
  for (const used of options.used) {
    const component = options.components.find((c) => c.exercise === used.exercise && c.file === used.file);
    const item = el('li', {});
    item.dataset.component = used.exercise;
    item.dataset.source = used.source;
    item.append(el('span', { textContent: `${builtOnLine(used)} ` }));
    if (component) item.append(el('a', { href: component.href, textContent: `Open the ${component.name} exercise` }));
    const choice = options.choiceOf(used.exercise);
    if (choice !== undefined && component) {
      const note = el('span', { className: 'choice-note' });
      note.setAttribute('role', 'status');
      const toggle = el('button', { type: 'button', className: 'button small' });
      toggle.dataset.action = 'component-choice';
      let current = choice;
      const label = () => {
        toggle.textContent = current === 'mine' ? `Use the reference ${component.name} from now on` : `Use your ${component.name} again`;
      };
      label();
      toggle.addEventListener('click', () => {
        current = current === 'mine' ? 'reference' : 'mine';
        options.setChoice(used.exercise, current);
        label();
        note.textContent = current === 'mine' ? ` Your ${component.name} will be used from the next run.` : ` The reference ${component.name} will be used from the next run.`;
      });
      item.append(' ', toggle, note);
    }
    if (options.canCompare && used.source === 'yours' && component) {
      const compare = el('button', { type: 'button', className: 'button small' });
      compare.dataset.action = 'run-with-reference';
      compare.textContent = `Run with the reference ${component.name}`;
      const answer = el('p', { className: 'blame' });
      answer.setAttribute('role', 'status');
      compare.addEventListener('click', () => {
        compare.disabled = true;
        compare.setAttribute('aria-busy', 'true');
        answer.textContent = `Running the tests with the reference ${component.name}…`;
        options
          .runWithReference(component.path)
          .then((text) => {
            answer.textContent = text;
            answer.dataset.blame = 'done';
          })
          .catch((error: unknown) => {
            answer.textContent = `The run with the reference ${component.name} could not finish: ${(error as Error).message}`;
            answer.dataset.blame = 'failed';
          })
          .finally(() => {
            compare.disabled = false;
            compare.removeAttribute('aria-busy');
          });
      });
      item.append(' ', compare, answer);
    }
    list.append(item);
  }
  section.append(list);
  return section;
}
