/**
 * The system page's map (src/pages/system.astro): how one component of the store stands for
 * this learner, in the words the map shows. It follows the rule later exercises are graded
 * by (`chooseComponents` in `./exercise/components.ts`): the learner's latest passing code
 * of the component, unless they chose the reference, their passing code lacks the file, or
 * the exercise's interface changed since it passed.
 */
import type { ProgressData } from './progress.ts';

/** What the map knows about a component: from content/system.json and its exercise, at build time. */
export interface MapComponent {
  /** What the learner calls it ("ring"). */
  readonly name: string;
  /** The exercise that builds it and its file there; absent while the component is planned. */
  readonly exercise?: string;
  readonly file?: string;
  /** The exercise's interface fingerprint in this build. */
  readonly interfaceVersion?: string;
  /** The title of the module it is planned in, for a planned component. */
  readonly comingIn?: string;
}

export type ComponentState = 'coming' | 'not-started' | 'yours' | 'reference';

export interface ComponentView {
  readonly state: ComponentState;
  /** The state in a few words: "Not started", "Reference in use (you chose it)". */
  readonly label: string;
  /** A sentence more, when there is something to add. */
  readonly detail?: string;
  /**
   * The learner's current choice between their code and the reference, when they have one
   * to make: only for passing code the later exercises can use.
   */
  readonly choice?: 'mine' | 'reference';
}

/** A day as the results show it ("2 Dec 2026" in an English locale). */
export const formatDay = (ms: number): string => new Date(ms).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** How `component` stands in `progress`. `day` formats dates (the tests fix it). */
export function componentView(component: MapComponent, progress: ProgressData, day: (ms: number) => string = formatDay): ComponentView {
  if (component.exercise === undefined) {
    return { state: 'coming', label: component.comingIn ? `Coming in ${component.comingIn}` : 'Coming later' };
  }
  const entry = progress.exercises[component.exercise];
  if (!entry) return { state: 'not-started', label: 'Not started' };
  const passing = entry.passing;
  if (!passing || component.file === undefined || passing.files[component.file] === undefined) {
    return {
      state: 'reference',
      label: 'Reference in use',
      detail: 'You passed this exercise before the course kept passing code: run its tests again and later exercises will use yours.',
    };
  }
  if (component.interfaceVersion !== undefined && passing.interfaceVersion !== component.interfaceVersion) {
    return {
      state: 'reference',
      label: 'Reference in use',
      detail: `The exercise's read-only files have changed since your ${component.name} passed: run its tests again to use yours.`,
    };
  }
  if (entry.useReference) {
    return { state: 'reference', label: 'Reference in use (you chose it)', detail: `Your ${component.name} passed on ${day(passing.at)}.`, choice: 'reference' };
  }
  const help = entry.status === 'passed-with-help' ? ' (passed with help)' : '';
  return { state: 'yours', label: `Your code — passing since ${day(passing.at)}${help}`, choice: 'mine' };
}

/** "ring", "registry and client cache", "a, b and c". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * The switch's words for a choice made per exercise: `names` are every component that
 * exercise builds, since the choice applies to all of them.
 */
export function switchLabel(choice: 'mine' | 'reference', names: readonly string[]): string {
  return choice === 'mine' ? `Use the reference ${joinNames(names)} instead` : `Use your ${joinNames(names)} again`;
}

/** What the map says once the learner has switched to `choice`. */
export function switchedNote(choice: 'mine' | 'reference', names: readonly string[]): string {
  return choice === 'reference'
    ? `Later exercises will use the reference ${joinNames(names)}.`
    : `Later exercises will use your ${joinNames(names)}.`;
}
