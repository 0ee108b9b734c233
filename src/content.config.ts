import { defineCollection } from 'astro:content';
import { file, glob } from 'astro/loaders';
import { lessonSchema, moduleSchema } from './content/schema.ts';
import { contentDir } from './content/paths.ts';

/**
 * Lessons are the MDX files under `content/<module>/`. A lesson's id is its file name
 * without the extension, so URLs stay stable when a lesson moves between modules; the
 * integrity check rejects two lessons with the same file name.
 */
const lessons = defineCollection({
  loader: glob({
    pattern: '*/*.mdx',
    base: contentDir,
    generateId: ({ entry }) => entry.replace(/^.*\//, '').replace(/\.mdx$/, ''),
  }),
  schema: lessonSchema,
});

/** The course's modules, in `content/modules.json`. */
const modules = defineCollection({
  loader: file(`${contentDir}/modules.json`),
  schema: moduleSchema,
});

export const collections = { lessons, modules };
