/**
 * `npx vitest exercises/<id>` must run an exercise as the grader does. The root config gives
 * each exercise a project of its own for that; these tests read what it builds for the
 * fixture exercises (the course's own folder may be empty).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExercise } from '../../../src/content/exercises.ts';
import { exerciseProjects, exerciseSetupFile } from '../../../vitest.config.ts';
import { fixtureRoot, simEntry } from './helpers.ts';

describe('the exercise projects of vitest.config.ts', () => {
  it('gives every exercise a project named after its folder, with its seed and per-test timeout', () => {
    const projects = exerciseProjects(fixtureRoot.exercisesDir);
    expect(projects.map((p) => [p.test?.name, p.test?.include, p.test?.provide?.seed, p.test?.testTimeout])).toEqual([
      ['exercises/percentile', ['exercises/percentile/**/*.test.ts'], 1, undefined],
      ['exercises/slo-check', ['exercises/slo-check/**/*.test.ts'], 2, undefined],
      ['exercises/token-bucket', ['exercises/token-bucket/**/*.test.ts'], 3, 2_000],
      ['exercises/weighted-pick', ['exercises/weighted-pick/**/*.test.ts'], 20240611, undefined],
    ]);
  });

  it('freezes the simulator and the harness before the tests load, as the grader does', () => {
    for (const project of exerciseProjects(fixtureRoot.exercisesDir)) {
      expect(project.test?.setupFiles).toEqual([exerciseSetupFile]);
      const name = project.test?.name;
      const id = typeof name === 'string' ? name.slice('exercises/'.length) : '';
      const exercise = loadExercise(id, fixtureRoot);
      const harness = exercise.files.filter((f) => f.role !== 'editable' && f.path.endsWith('.ts') && !f.path.endsWith('.test.ts'));
      expect(project.test?.provide?.harnessModules).toEqual(harness.map((f) => join(fixtureRoot.exercisesDir, id, f.path)));
    }
  });

  it('maps @faultlines/sim to the simulator’s source in every project', () => {
    for (const project of exerciseProjects(fixtureRoot.exercisesDir)) {
      expect(project.resolve?.alias).toEqual({ '@faultlines/sim': simEntry });
    }
  });

  it('still builds a project for an exercise whose exercise.json is broken, with vitest’s defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultlines-config-'));
    try {
      cpSync(join(fixtureRoot.exercisesDir, 'percentile'), join(dir, 'percentile'), { recursive: true });
      writeFileSync(join(dir, 'percentile', 'exercise.json'), '{ not json');
      const [project] = exerciseProjects(dir);
      expect([project?.test?.name, project?.test?.provide, project?.test?.testTimeout]).toEqual(['exercises/percentile', { harnessModules: [] }, undefined]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no exercise projects when there is no exercises folder', () => {
    expect(exerciseProjects(join(tmpdir(), 'faultlines-no-such-folder'))).toEqual([]);
  });
});
