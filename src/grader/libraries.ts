/**
 * Published packages an exercise may offer its learner, by the name the learner imports.
 *
 * An exercise lists the ones it offers in `libraries` in its exercise.json (an exercise that
 * uses an earlier component offers that component's libraries too, since its file is graded
 * with it). Each host provides them, loaded before anything is graded: the Node host in
 * `node/builtins.ts`, the Worker in `worker/worker-entry.ts`, the WebContainer bundle in
 * `node/webcontainer-entry.ts`. The grader hands a learner's file only the libraries its
 * exercise lists; any other import of a package is refused with a message that names the
 * file and line.
 *
 * A library is not hardened as the simulator is (see `harden.ts`): it is only ever used by
 * the learner's code, which may do with it what it likes, and each host loads a copy of its
 * own that the simulator's measurements never share (hdr-histogram-js as its self-contained
 * UMD build, while the simulator bundles its own histogram classes). Some libraries keep
 * state in their classes (hdr-histogram-js counts the histograms it builds in a static
 * field), which frozen classes would break. What learner code cannot change are the shared
 * built-ins, which are locked once a library has loaded: a library must not patch them after
 * that.
 *
 * To add one: add it to `package.json` (pinned by the lockfile), here, and to each host (the
 * type checker names a host that lacks it), and say which exercise offers it;
 * tests/unit/grader/libraries.test.ts loads each as the Node host does.
 */
export const LIBRARIES = {
  'hdr-histogram-js': {
    /** Shown to the learner beside the exercise. */
    description: 'HdrHistogram: latency histograms with a fixed relative error, as load generators and proxies record them',
    /** The package's types, for the editor (relative to node_modules/<name>/). */
    types: 'dist/index.d.ts',
  },
} as const;

export type LibraryName = keyof typeof LIBRARIES;

export const LIBRARY_NAMES = Object.keys(LIBRARIES) as [LibraryName, ...LibraryName[]];

export function isLibrary(name: string): name is LibraryName {
  return Object.hasOwn(LIBRARIES, name);
}
