/**
 * The system the course builds, in `content/system.json`: its components, which exercise
 * builds each one (and in which file), and the ones still to come. The system page and its
 * map are drawn from it, the exercise panel names components with it, and an exercise may
 * only `use` a component listed here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'astro/zod';
import { contentDir } from './paths.ts';

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lowercase letters, digits and hyphens');

export const systemSchema = z
  .object({
    components: z
      .array(
        z
          .object({
            /** Stable id, used in the map's element ids. */
            id: slug,
            /** What the learner calls it, lower case: "ring", "client cache". */
            name: z.string().min(3).max(40),
            /** Its job in the store, one sentence. */
            role: z.string().min(20).max(240),
            /** The exercise that builds it and the editable file it lives in; absent while planned. */
            exercise: slug.optional(),
            file: z.string().regex(/^[a-z0-9][a-z0-9._-]*\.ts$/).optional(),
            /** The module it belongs to (in content/modules.json). */
            module: slug,
            /** Where it sits in the store, front to back: the map draws the layers in this order. */
            layer: z.enum(['clients', 'front', 'routing', 'storage', 'control', 'sizing']),
          })
          .strict()
          .refine((c) => (c.exercise === undefined) === (c.file === undefined), 'give both exercise and file, or neither (planned)'),
      )
      .min(1),
  })
  .strict();

export type System = z.infer<typeof systemSchema>;
export type SystemComponent = System['components'][number];

/** Whether the course describes its system at all (the test courses do not). */
export function systemDescribed(dir: string = contentDir): boolean {
  return existsSync(join(dir, 'system.json'));
}

/** Reads and checks `content/system.json`; a problem throws naming the file. */
export function loadSystem(dir: string = contentDir): System {
  const path = join(dir, 'system.json');
  // A course without a system description (the test courses) has no components.
  if (!existsSync(path)) return { components: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  const parsed = systemSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const ids = parsed.data.components.map((c) => c.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new Error(`${path}: the component id "${twice}" is used twice`);
  return parsed.data;
}

/** The component an exercise's file builds, if it is one. */
export function componentOf(system: System, exercise: string, file: string): SystemComponent | undefined {
  return system.components.find((c) => c.exercise === exercise && c.file === file);
}

/** What `systemProblems` needs to know about an exercise. */
export interface ExerciseFacts {
  readonly id: string;
  readonly editable: readonly string[];
  readonly uses: readonly { readonly exercise: string; readonly file: string }[];
}

/**
 * Cross-checks the system with the exercises: a built component names an existing exercise
 * and one of its editable files, and every `uses` names a component of the system. Returns
 * one sentence per problem, naming the file to fix.
 */
export function systemProblems(system: System, exercises: readonly ExerciseFacts[], moduleIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const byId = new Map(exercises.map((e) => [e.id, e]));
  for (const c of system.components) {
    if (!moduleIds.has(c.module)) problems.push(`content/system.json: component "${c.id}" names module "${c.module}", which is not in content/modules.json`);
    if (c.exercise === undefined) continue;
    const exercise = byId.get(c.exercise);
    if (!exercise) problems.push(`content/system.json: component "${c.id}" is built in exercise "${c.exercise}", which does not exist`);
    else if (!exercise.editable.includes(c.file!)) {
      problems.push(`content/system.json: component "${c.id}" lives in ${c.exercise}/${c.file}, which is not an editable file of that exercise`);
    }
  }
  for (const e of exercises) {
    for (const use of e.uses) {
      if (!componentOf(system, use.exercise, use.file)) {
        problems.push(`exercises/${e.id}/exercise.json: uses ${use.exercise}/${use.file}, which is not a component in content/system.json`);
      }
    }
  }
  return problems;
}
