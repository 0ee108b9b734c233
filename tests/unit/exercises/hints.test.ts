import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listExercises, loadExercise } from '../../../src/content/exercises.ts';

/**
 * Hints point the way; they are not the code. A hint that quotes the reference solution
 * turns the exercise into copying, so no hint may share a run of this many tokens
 * (identifiers, numbers, punctuation) with the solution's own source.
 */
const LONGEST_SHARED_RUN = 10;

const root = resolve(import.meta.dirname, '../../..');

function tokens(text: string): string[] {
  return text.match(/[A-Za-z_$][\w$]*|\d+|[^\s\w]/g) ?? [];
}

/**
 * The longest run of tokens of `hint` that appears, in order and contiguous, in `source`,
 * leaving out runs the learner already has in the starter (a contract its comments spell
 * out, such as how the ring names its points, is not a giveaway).
 */
export function longestSharedRun(hint: string, source: string, starter = ''): { length: number; run: string } {
  const code = tokens(source);
  const words = tokens(hint);
  const given = ` ${tokens(starter).join(' ')} `;
  const at = new Map<string, number[]>();
  code.forEach((token, i) => at.set(token, [...(at.get(token) ?? []), i]));
  let best = { length: 0, run: '' };
  for (let i = 0; i < words.length; i++) {
    for (const j of at.get(words[i]!) ?? []) {
      let n = 0;
      while (i + n < words.length && j + n < code.length && words[i + n] === code[j + n]) n++;
      const run = words.slice(i, i + n).join(' ');
      if (n > best.length && !given.includes(` ${run} `)) best = { length: n, run };
    }
  }
  return best;
}

describe('exercise hints', () => {
  it('finds a quoted line of code, and not a sentence about it', () => {
    const source = 'export function ownerOf(key) {\n  return send(hint.owner, { epoch: hint.map.epoch, op });\n}\n';
    expect(longestSharedRun('then return send(hint.owner, { epoch: hint.map.epoch, op }) once', source).length).toBeGreaterThanOrEqual(LONGEST_SHARED_RUN);
    expect(longestSharedRun('send it to the owner the refusal names, with its epoch', source).length).toBeLessThan(LONGEST_SHARED_RUN);
    // What the starter already spells out is the contract, not a giveaway.
    expect(longestSharedRun('then return send(hint.owner, { epoch: hint.map.epoch, op }) once', source, source).length).toBe(0);
  });

  for (const id of listExercises(join(root, 'exercises'))) {
    it(`${id}: no hint quotes the reference solution`, () => {
      const exercise = loadExercise(id, { exercisesDir: join(root, 'exercises'), solutionsDir: join(root, 'solutions') });
      const solution = Object.values(exercise.solution).join('\n');
      const starter = exercise.files.map((f) => f.starter).join('\n');
      exercise.meta.hints.forEach((hint, i) => {
        const shared = longestSharedRun(hint, solution, starter);
        expect(shared.length, `hint ${i + 1} of ${id} repeats the reference solution: "${shared.run}"`).toBeLessThan(LONGEST_SHARED_RUN);
      });
    });
  }
});
