/**
 * The setup file of every exercise's vitest project (`exerciseProjects` in vitest.config.ts,
 * and the suites that run exercises under the vitest CLI). Before the test file, and with it
 * the learner's files, loads, it freezes the simulator and the exercise's own modules (its
 * harness; `inject('harnessModules')` lists them) as the grader does in every host (see
 * harden.ts), and locks the built-ins the tests compute with: so `npx vitest exercises/<id>`
 * refuses what a grade refuses.
 *
 * Vitest runs a setup file in the same module graph as the test file, so the simulator
 * frozen here is the one the test file and the learner's files import as `@faultlines/sim`.
 */
import { inject } from 'vitest';
import * as sim from '../sim/index.ts';
import { hardenIntrinsics, hardenModule } from './harden.ts';
import { LIBRARY_NAMES } from './libraries.ts';

// The libraries an exercise may offer load first, as every host loads them before it locks
// the built-ins: some set up shims on the built-ins as they load (hdr-histogram-js assigns
// `Object.hasOwn`). Here they are the packages themselves, as `npx vitest` resolves them.
for (const name of LIBRARY_NAMES) await import(/* @vite-ignore */ name);
hardenIntrinsics();
hardenModule(sim);
for (const path of inject('harnessModules') ?? []) {
  hardenModule(await import(/* @vite-ignore */ path));
}
