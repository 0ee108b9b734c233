/**
 * The libraries the course provides (src/grader/libraries.ts): each loads as the Node host
 * loads it, works once the realm's built-ins are locked, has the types the editor shows,
 * and the exercises offer only those.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listExercises, loadExercise } from '../../../src/content/exercises.ts';
import { LIBRARIES, LIBRARY_NAMES } from '../../../src/grader/libraries.ts';
import { loadNodeLibraries } from '../../../src/grader/node/builtins.ts';

const root = join(import.meta.dirname, '../../..');

describe('the libraries the course provides', () => {
  it('load in the Node host, each a module of its own, and only those asked for', async () => {
    expect(Object.keys(await loadNodeLibraries([]))).toEqual([]);
    const modules = await loadNodeLibraries(LIBRARY_NAMES);
    expect(Object.keys(modules).sort()).toEqual([...LIBRARY_NAMES].sort());
    const hdr = modules['hdr-histogram-js'] as typeof import('hdr-histogram-js');
    const histogram = hdr.build({ numberOfSignificantValueDigits: 3 });
    for (let v = 1; v <= 1000; v++) histogram.recordValue(v);
    expect(histogram.getValueAtPercentile(99)).toBe(990);
    // The self-contained build, not the package's modules the simulator imports.
    const shared = await import('hdr-histogram-js');
    expect(hdr.JsHistogram).not.toBe(shared.JsHistogram);
  });

  it("have their types where the editor reads them, in the package's version the lockfile pins", () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of LIBRARY_NAMES) {
      expect(existsSync(join(root, 'node_modules', name, LIBRARIES[name].types)), name).toBe(true);
      expect(manifest.dependencies[name], `${name} is a dependency, pinned`).toBe(lock.packages[`node_modules/${name}`]?.version);
    }
  });

  it('are the only ones exercises offer, and a component passes its libraries on to the exercises that use it', () => {
    for (const id of listExercises()) {
      const exercise = loadExercise(id);
      for (const name of exercise.libraries) expect(LIBRARY_NAMES, `${id} offers ${name}`).toContain(name);
      for (const component of exercise.components) {
        for (const name of loadExercise(component.exercise).libraries) expect(exercise.libraries, `${id} uses ${component.exercise}`).toContain(name);
      }
    }
    expect(loadExercise('discovery-leases').libraries).toEqual(['hdr-histogram-js']);
  });
});
