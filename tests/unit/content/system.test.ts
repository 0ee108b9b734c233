/**
 * content/system.json describes the store the course builds; it must agree with the
 * exercises (each built component is an editable file of its exercise, and every `uses`
 * names a component), so that the system page and the panel never name what does not exist.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listExercises, loadExercise } from '../../../src/content/exercises.ts';
import { loadSystem, systemProblems } from '../../../src/content/system.ts';
import modules from '../../../content/modules.json' with { type: 'json' };

describe('the system description', () => {
  it('matches the exercises and modules of the course', () => {
    const facts = listExercises().map((id) => {
      const e = loadExercise(id);
      return { id, editable: e.files.filter((f) => f.role === 'editable').map((f) => f.path), uses: e.meta.uses };
    });
    expect(systemProblems(loadSystem(), facts, new Set(modules.map((m) => m.id)))).toEqual([]);
  });

  it('names every editable file of every exercise as a component, so that any of them can be carried forward', () => {
    const system = loadSystem();
    for (const id of listExercises()) {
      for (const f of loadExercise(id).files.filter((f) => f.role === 'editable')) {
        expect(system.components.some((c) => c.exercise === id && c.file === f.path), `${id}/${f.path}`).toBe(true);
      }
    }
  });

  it('reports each mismatch in a sentence naming the file to fix', () => {
    const system = {
      components: [
        { id: 'ring', name: 'ring', role: 'places shards on groups, consistently', exercise: 'sharding-ring', file: 'ring.ts', module: 'sharding', layer: 'routing' as const },
        { id: 'gone', name: 'gone thing', role: 'names an exercise that is not there', exercise: 'nowhere', file: 'x.ts', module: 'nowhere', layer: 'front' as const },
      ],
    };
    const facts = [
      { id: 'sharding-ring', editable: ['other.ts'], uses: [] },
      { id: 'sharding-router', editable: ['router.ts'], uses: [{ exercise: 'sharding-ring', file: 'hash.ts' }] },
    ];
    expect(systemProblems(system, facts, new Set(['sharding']))).toEqual([
      'content/system.json: component "ring" lives in sharding-ring/ring.ts, which is not an editable file of that exercise',
      'content/system.json: component "gone" names module "nowhere", which is not in content/modules.json',
      'content/system.json: component "gone" is built in exercise "nowhere", which does not exist',
      'exercises/sharding-router/exercise.json: uses sharding-ring/hash.ts, which is not a component in content/system.json',
    ]);
  });

  it('rejects a malformed file naming it, and treats a missing one as a course with no components', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultlines-system-'));
    try {
      expect(loadSystem(dir)).toEqual({ components: [] });
      writeFileSync(join(dir, 'system.json'), JSON.stringify({ components: [{ id: 'x', name: 'xx', role: 'r', module: 'm', layer: 'front' }] }));
      expect(() => loadSystem(dir)).toThrow(/system\.json: components\.0\.name|system\.json: components\.0\.role/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
