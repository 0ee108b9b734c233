/**
 * The two views a failed test can open under itself, each loaded on first use and closed
 * by the same button: the checker's counterexample, and a traced run of the test.
 */
import type { TestResult } from '../../grader/types.ts';
import { el } from '../dom.ts';
import type { HostChoice, Submission } from '../hosts/host.ts';

/** How to close each open view, by the element it was drawn into. */
const openViews = new WeakMap<HTMLElement, () => void>();

/** Closes the view in `into`, if one is open, and says whether it was. */
function closeView(into: HTMLElement): boolean {
  const hide = openViews.get(into);
  if (!hide) return false;
  hide();
  openViews.delete(into);
  return true;
}

/**
 * Draws the checker's counterexample under a failed test: the few operations that are
 * not linearizable by themselves, on a timeline per client. Pressed again, hides it.
 */
export async function toggleCounterexample(t: TestResult, trigger: HTMLButtonElement, into: HTMLElement): Promise<void> {
  if (closeView(into)) {
    trigger.textContent = 'Show counterexample';
    trigger.setAttribute('aria-expanded', 'false');
    return;
  }
  if (t.counterexample === undefined) return;
  trigger.disabled = true;
  try {
    const view = await import('../visual/counterexample-view.ts');
    openViews.set(into, view.renderCounterexample(into, t.counterexample, { timeUnit: 'ms', describeState: (state) => String(state) }));
    trigger.textContent = 'Hide counterexample';
    trigger.setAttribute('aria-expanded', 'true');
  } catch (error) {
    into.replaceChildren(el('p', { className: 'trace-status', textContent: `The counterexample could not be drawn: ${(error as Error).message}` }));
  } finally {
    trigger.disabled = false;
  }
}

/**
 * Runs the test again, from the submission whose result is on show, with its simulations
 * traced, and draws their messages under it. Pressed again, hides them.
 */
export async function toggleTrace(
  t: TestResult,
  trigger: HTMLButtonElement,
  into: HTMLElement,
  submission: Submission | undefined,
  host: () => Promise<HostChoice>,
): Promise<void> {
  if (closeView(into)) {
    trigger.textContent = 'Show trace';
    trigger.setAttribute('aria-expanded', 'false');
    return;
  }
  if (!submission) return;
  trigger.disabled = true;
  trigger.setAttribute('aria-busy', 'true');
  const note = el('p', { className: 'trace-status', textContent: `Running "${t.name}" again with its simulations traced…` });
  note.setAttribute('role', 'status');
  into.replaceChildren(note);
  try {
    const choice = await host();
    if (!choice.host.trace) throw new Error('this page cannot trace a run');
    const [outcome, view] = await Promise.all([choice.host.trace(submission, t.id), import('../visual/test-trace.ts')]);
    openViews.set(into, view.mountTestTrace(into, outcome, t));
    trigger.textContent = 'Hide trace';
    trigger.setAttribute('aria-expanded', 'true');
  } catch (error) {
    note.textContent = `The trace could not be made: ${(error as Error).message}`;
  } finally {
    trigger.disabled = false;
    trigger.removeAttribute('aria-busy');
  }
}
