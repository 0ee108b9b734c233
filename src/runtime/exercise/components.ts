/**
 * Carry-forward in the page: which version of each earlier component an exercise is graded
 * with, what the result says about it, and what a re-run with the reference shows. Pure
 * functions over the payload and the learner's progress, so that every host (worker,
 * WebContainer) grades with the same files and the words can be tested without a page.
 *
 * The rule: the learner's latest passing code of the component's exercise, unless they chose
 * the reference for it, or the exercise's interface (its read-only files) changed since that
 * code passed; otherwise the reference.
 */
import type { ComponentPayload, ExercisePayload } from '../../content/exercise-payload.ts';
import type { GradeResult } from '../../grader/types.ts';
import type { ProgressData } from '../progress.ts';

/** Why the reference stands in for a component. */
export type ReferenceReason = 'not-passed' | 'chosen' | 'interface-changed' | 'this-run';

/** The version of one component used for a run. */
export interface ChosenComponent {
  readonly component: ComponentPayload;
  readonly source: 'yours' | 'reference';
  /** Set when the reference is used. */
  readonly reason?: ReferenceReason;
  /** For `interface-changed`: the read-only files that changed since the learner's code passed, when known. */
  readonly changedFiles?: readonly string[];
  /** When the learner's version passed (set for `yours`, and for a reference that replaced a passing version). */
  readonly passedAt?: number;
  readonly text: string;
}

/** What a stored result keeps about the components it was graded with (no code). */
export type ChosenSummary = Omit<ChosenComponent, 'text' | 'component'> & { readonly name: string; readonly exercise: string; readonly file: string };

/**
 * Chooses each component's version. `forceReference` names component paths to grade with the
 * reference for this run only (the "run with the reference" check).
 */
export function chooseComponents(
  payload: Pick<ExercisePayload, 'components' | 'dependencyFiles'>,
  progress: ProgressData,
  forceReference: ReadonlySet<string> = new Set(),
): ChosenComponent[] {
  const references = new Map(payload.dependencyFiles.map((f) => [f.path, f.text]));
  return payload.components.map((component) => {
    const reference = references.get(component.path) ?? '';
    const entry = progress.exercises[component.exercise];
    const passing = entry?.passing;
    const mine = passing?.files[component.file];
    const passedAt = mine !== undefined ? passing!.at : undefined;
    const use = (reason: ReferenceReason): ChosenComponent => ({ component, source: 'reference', reason, ...(passedAt !== undefined ? { passedAt } : {}), text: reference });
    if (mine === undefined) return use('not-passed');
    if (passing!.interfaceVersion !== component.interfaceVersion) {
      const then = passing!.interfaceFiles;
      const now = component.interfaceFiles ?? {};
      const changedFiles = then
        ? [...new Set([...Object.keys(then), ...Object.keys(now)])].filter((path) => then[path] !== now[path]).sort()
        : undefined;
      return { ...use('interface-changed'), ...(changedFiles && changedFiles.length > 0 ? { changedFiles } : {}) };
    }
    if (forceReference.has(component.path)) return use('this-run');
    if (entry?.useReference) return use('chosen');
    return { component, source: 'yours', passedAt: passing!.at, text: mine };
  });
}

/** The files to grade: the exercise's own, the earlier exercises' files, and the chosen components. */
export function gradeFiles(
  payload: Pick<ExercisePayload, 'dependencyFiles'>,
  own: Readonly<Record<string, string>>,
  chosen: readonly ChosenComponent[],
): Record<string, string> {
  const files: Record<string, string> = {};
  for (const f of payload.dependencyFiles) files[f.path] = f.text;
  for (const c of chosen) files[c.component.path] = c.text;
  return { ...files, ...own };
}

export function summarise(chosen: readonly ChosenComponent[]): ChosenSummary[] {
  return chosen.map(({ component, text: _, ...rest }) => ({ ...rest, name: component.name, exercise: component.exercise, file: component.file }));
}

const day = (ms: number): string => new Date(ms).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** One line per component for the result: which version was used and why. */
export function builtOnLine(c: ChosenSummary): string {
  if (c.source === 'yours') return `Your ${c.name} (${c.exercise}/${c.file}, passed ${day(c.passedAt!)}).`;
  switch (c.reason) {
    case 'chosen':
      return `The reference ${c.name}, as you chose; yours passed on ${day(c.passedAt!)}.`;
    case 'interface-changed':
      return c.changedFiles && c.changedFiles.length > 0
        ? `The reference ${c.name}: ${c.changedFiles.join(', ')} in ${c.exercise} changed since your ${c.name} passed. ` +
            `Open the exercise and run its tests again to use yours.`
        : `The reference ${c.name}: your passing ${c.name} was written against an earlier version of its exercise's ` +
            `read-only files, which have changed since. Run its tests again to use yours.`;
    case 'this-run':
      return `The reference ${c.name}, for this run only.`;
    default:
      return `The reference ${c.name}: yours has not passed its own tests yet.`;
  }
}

/**
 * What a re-run with the reference component says next to the learner's failing result:
 * whether the failure follows their component or this exercise's code.
 */
export function compareWithReference(name: string, mine: GradeResult, withReference: GradeResult): string {
  const failing = (r: GradeResult): string[] => r.tests.filter((t) => t.status === 'fail').map((t) => t.name);
  const ours = failing(mine);
  const theirs = failing(withReference);
  const count = (n: number): string => `${n} test${n === 1 ? '' : 's'}`;
  if (withReference.ok && !mine.ok) {
    const list = ours.slice(0, 2).map((n) => `“${n}”`).join(', ');
    const more = ours.length > 2 ? `, and ${ours.length - 2} more` : '';
    const errors = mine.errors.length > 0 && ours.length === 0 ? ' (with yours the run had errors)' : '';
    return (
      `Passes with the reference ${name}: look at your ${name}. With yours, ${count(ours.length)} failed${errors}` +
      `${ours.length > 0 ? `: ${list}${more}` : ''}. Its own tests pass, so these tests found something they do not check.`
    );
  }
  if (!withReference.ok) {
    const fixed = ours.filter((n) => !theirs.includes(n));
    if (fixed.length > 0) {
      return (
        `Fails with the reference ${name} too (${count(theirs.length)} failing, against ${count(ours.length)} with yours): ` +
        `the rest of the problem is in this exercise's code, but your ${name} also fails “${fixed[0]}”, which the reference passes.`
      );
    }
    return `Fails with the reference ${name} too (${count(theirs.length)} failing, against ${count(ours.length)} with yours): the problem is in this exercise's code, not in your ${name}.`;
  }
  return `Passes with your ${name} and with the reference.`;
}
