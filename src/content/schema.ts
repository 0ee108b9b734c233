import { z } from 'astro/zod';

/** A kebab-case identifier: lowercase letters, digits and single hyphens. */
const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lowercase letters, digits and hyphens, e.g. "load-balancing"');

/**
 * A lesson's frontmatter. Every field is required except where a default is given, so a
 * typo in a field name fails the build instead of silently dropping the value.
 */
export const lessonSchema = z
  .object({
    /** Shown as the page heading and in the course map. */
    title: z.string().min(3).max(80),
    /** The id of the module in `content/modules.json` this lesson belongs to. */
    module: slug,
    /** Position within the module, from 1. */
    order: z.number().int().min(1),
    /** One or two sentences for the course map and search results. */
    summary: z.string().min(20).max(300),
    /** What the learner can do afterwards; each starts with a verb. */
    objectives: z.array(z.string().min(10)).min(2).max(8),
    /** Estimated minutes to read the lesson and finish its exercises. */
    minutes: z.number().int().min(1).max(240),
    /** Ids of lessons to read first. */
    prerequisites: z.array(slug).default([]),
    /** Ids of exercises (folders in `exercises/`) that the lesson embeds. */
    exercises: z.array(slug).default([]),
    /** Keeps a lesson out of the navigation and the course map while it is unfinished. */
    draft: z.boolean().default(false),
  })
  .strict();

export type LessonData = z.infer<typeof lessonSchema>;

/** A module of the course, in `content/modules.json`. */
export const moduleSchema = z
  .object({
    id: slug,
    title: z.string().min(3).max(80),
    /** Position in the course, from 1. */
    order: z.number().int().min(1),
    summary: z.string().min(20).max(300),
    /**
     * A module that is planned but has no lessons yet. The course map lists it as coming,
     * without links; the build fails if a published lesson names it.
     */
    coming: z.boolean().default(false),
  })
  .strict();

export type ModuleData = z.infer<typeof moduleSchema>;
