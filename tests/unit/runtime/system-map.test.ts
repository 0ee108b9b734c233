/**
 * The system map's words for one component: planned, not started, the learner's code, or the
 * reference (chosen, or standing in for code the later exercises cannot use).
 */
import { memoryStorage, progressWith } from '../../support/memory-progress.ts';
import { describe, expect, it } from 'vitest';
import { chooseComponents } from '../../../src/runtime/exercise/components.ts';
import { emptyProgress, ProgressStore, type ProgressData } from '../../../src/runtime/progress.ts';
import { componentView, joinNames, switchedNote, switchLabel, type MapComponent } from '../../../src/runtime/system-map.ts';

const ring: MapComponent = { name: 'ring', exercise: 'sharding-ring', file: 'ring.ts', interfaceVersion: 'v1' };
const day = (ms: number) => `day ${ms}`;


const passRing = (store: ProgressStore, interfaceVersion = 'v1', at = 5_000) =>
  store.setExercise('sharding-ring', 'passed', 1_000, { files: { 'ring.ts': '// my ring' }, at, interfaceVersion });

describe('the state of a component on the map', () => {
  it('says a planned component is coming, in its module', () => {
    expect(componentView({ name: 'replica group', comingIn: 'Replication' }, emptyProgress(), day)).toEqual({ state: 'coming', label: 'Coming in Replication' });
    expect(componentView({ name: 'replica group' }, emptyProgress(), day).state).toBe('coming');
  });

  it('says a component is not started until its exercise has passed', () => {
    const other = progressWith((s) => s.setExercise('capacity-planning', 'passed', 1));
    expect(componentView(ring, emptyProgress(), day)).toEqual({ state: 'not-started', label: 'Not started' });
    expect(componentView(ring, other, day).state).toBe('not-started');
  });

  it("shows the learner's code and since when it passes, with the switch set to theirs", () => {
    const view = componentView(ring, progressWith((s) => passRing(s)), day);
    expect(view).toEqual({ state: 'yours', label: 'Your code — passing since day 5000', choice: 'mine' });
  });

  it('says when the code passed with help', () => {
    const data = progressWith((s) => s.setExercise('sharding-ring', 'passed-with-help', 1, { files: { 'ring.ts': 'x' }, at: 7, interfaceVersion: 'v1' }));
    expect(componentView(ring, data, day).label).toBe('Your code — passing since day 7 (passed with help)');
  });

  it('shows the reference once the learner chose it, and their code again when they switch back', () => {
    const store = new ProgressStore(memoryStorage());
    passRing(store);
    store.setComponentChoice('sharding-ring', 'reference');
    expect(componentView(ring, store.data, day)).toEqual({
      state: 'reference',
      label: 'Reference in use (you chose it)',
      detail: 'Your ring passed on day 5000.',
      choice: 'reference',
    });
    store.setComponentChoice('sharding-ring', 'mine');
    expect(componentView(ring, store.data, day).state).toBe('yours');
  });

  it('shows the reference, with no switch, when the passing code was not kept or the interface changed', () => {
    const old = progressWith((s) => s.setExercise('sharding-ring', 'passed', 1));
    expect(componentView(ring, old, day)).toMatchObject({ state: 'reference', label: 'Reference in use' });
    expect(componentView(ring, old, day).choice).toBeUndefined();
    expect(componentView(ring, old, day).detail).toContain('run its tests again');
    const changed = progressWith((s) => passRing(s, 'v0'));
    expect(componentView(ring, changed, day)).toMatchObject({ state: 'reference', label: 'Reference in use' });
    expect(componentView(ring, changed, day).detail).toContain('read-only files have changed');
    expect(componentView(ring, changed, day).choice).toBeUndefined();
  });

  it('agrees with the version later exercises are graded with', () => {
    const payload = {
      components: [{ exercise: 'sharding-ring', file: 'ring.ts', path: '../sharding-ring/ring.ts', name: 'ring', title: 'Ring', href: '/', interfaceVersion: 'v1', interfaceFiles: {}, direct: true }],
      dependencyFiles: [{ path: '../sharding-ring/ring.ts', text: '// reference' }],
    };
    const cases: ProgressData[] = [
      emptyProgress(),
      progressWith((s) => passRing(s)),
      progressWith((s) => passRing(s, 'v0')),
      progressWith((s) => {
        passRing(s);
        s.setComponentChoice('sharding-ring', 'reference');
      }),
      progressWith((s) => s.setExercise('sharding-ring', 'passed', 1)),
    ];
    for (const data of cases) {
      const graded = chooseComponents(payload, data)[0]!.source;
      const shown = componentView(ring, data, day).state;
      expect(shown === 'yours' ? 'yours' : 'reference', JSON.stringify(data.exercises)).toBe(graded);
    }
  });
});

describe('the switch between your code and the reference', () => {
  it('names every component the choice applies to', () => {
    expect(joinNames(['ring'])).toBe('ring');
    expect(joinNames(['registry', 'client cache'])).toBe('registry and client cache');
    expect(joinNames(['a', 'b', 'c'])).toBe('a, b and c');
    expect(switchLabel('mine', ['ring'])).toBe('Use the reference ring instead');
    expect(switchLabel('reference', ['registry', 'client cache'])).toBe('Use your registry and client cache again');
    expect(switchedNote('reference', ['ring'])).toBe('Later exercises will use the reference ring.');
    expect(switchedNote('mine', ['ring'])).toBe('Later exercises will use your ring.');
  });
});
