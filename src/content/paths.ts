/**
 * Where the course content lives. The build reads `content/` unless
 * FAULTLINES_CONTENT_DIR names another folder: the tests point it at deliberately broken
 * courses to prove that the build rejects them.
 */
export const contentDir: string = process.env.FAULTLINES_CONTENT_DIR ?? './content';

/** Where the exercises live, beside the content folder by default. */
export const exercisesDir: string = process.env.FAULTLINES_EXERCISES_DIR ?? './exercises';
