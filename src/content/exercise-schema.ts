import { z } from 'astro/zod';
import { LIBRARY_NAMES } from '../grader/libraries.ts';

/**
 * `exercises/<id>/exercise.json`: what the learner sees and how the exercise is graded.
 * The starter files, tests and (in `solutions/<id>/`) reference files sit beside it.
 */
export const exerciseMetaSchema = z
  .object({
    /** Shown above the editor. */
    title: z.string().min(3).max(80),
    /** One or two sentences: what to build and how it is judged. */
    summary: z.string().min(20).max(400),
    /**
     * Every file of the exercise, in tab order. `editable` files are the learner's;
     * `readonly` files are shown but locked (tests are always read-only); `hidden` files
     * take part in grading but are not shown.
     */
    files: z
      .array(
        z
          .object({
            path: z.string().regex(/^[a-z0-9][a-z0-9._-]*\.ts$/, 'a file name such as "balancer.ts" (no folders)'),
            role: z.enum(['editable', 'readonly', 'hidden']),
          })
          .strict(),
      )
      .min(1),
    /**
     * Components of earlier exercises this one builds on: each names an exercise and one of
     * its editable files. The exercise's files import it by relative path
     * (`../sharding-ring/ring.ts`); the grader lays the earlier exercise's other files beside
     * it and grades with the learner's latest passing version of the file, or the reference.
     */
    uses: z
      .array(
        z
          .object({
            exercise: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'an exercise id such as "sharding-ring"'),
            file: z.string().regex(/^[a-z0-9][a-z0-9._-]*\.ts$/, 'a file name such as "ring.ts"'),
          })
          .strict(),
      )
      .default([]),
    /**
     * Published packages the learner's code may import here (see src/grader/libraries.ts for
     * the ones the course provides): every host loads them, the page shows them beside the
     * exercise and the editor knows their types. Any other package is refused.
     */
    libraries: z.array(z.enum(LIBRARY_NAMES)).default([]),
    /** Progressive hints, shown one at a time; the last may all but give the answer. */
    hints: z.array(z.string().min(10)).min(1).max(6),
    /** The seed every simulated run in the tests starts from; printed with each result. */
    seed: z.number().int().min(0).max(2 ** 32 - 1),
    /**
     * How long one test (or hook) may run before it fails, in milliseconds; at most the run's
     * limit, for the capstone, whose day runs in one hook.
     */
    testTimeoutMs: z.number().int().min(100).max(120_000).default(5_000),
    /** How long the whole run may take before the host stops it, in milliseconds. */
    runTimeoutMs: z.number().int().min(1_000).max(120_000).default(10_000),
  })
  .strict()
  .superRefine((meta, ctx) => {
    const paths = meta.files.map((f) => f.path);
    const duplicate = paths.find((p, i) => paths.indexOf(p) !== i);
    if (duplicate) ctx.addIssue({ code: 'custom', path: ['files'], message: `"${duplicate}" is listed twice` });
    if (!meta.files.some((f) => f.role === 'editable')) {
      ctx.addIssue({ code: 'custom', path: ['files'], message: 'at least one file must be editable' });
    }
    if (!paths.some((p) => p.endsWith('.test.ts'))) {
      ctx.addIssue({ code: 'custom', path: ['files'], message: 'at least one *.test.ts file must be listed' });
    }
    const used = meta.uses.map((u) => `${u.exercise}/${u.file}`);
    const twice = used.find((u, i) => used.indexOf(u) !== i);
    if (twice) ctx.addIssue({ code: 'custom', path: ['uses'], message: `"${twice}" is used twice` });
    const library = meta.libraries.find((l, i) => meta.libraries.indexOf(l) !== i);
    if (library) ctx.addIssue({ code: 'custom', path: ['libraries'], message: `"${library}" is listed twice` });
    for (const f of meta.files) {
      if (f.path.endsWith('.test.ts') && f.role === 'editable') {
        ctx.addIssue({ code: 'custom', path: ['files'], message: `${f.path}: test files cannot be editable` });
      }
    }
  });

export type ExerciseMeta = z.infer<typeof exerciseMetaSchema>;

/** What a learner may do with a file: edit it, read it, or not see it. */
export type FileRole = ExerciseMeta['files'][number]['role'];
