/**
 * A vitest reporter for the parity test: it writes, per test, the full name, the state and
 * each error as `name: message` (what vitest's own reporters print), plus the file-level
 * and unhandled errors, as JSON to the path in FAULTLINES_PARITY_OUT. The built-in JSON
 * reporter is not enough: it gives only stacks, whose first line can name a different error
 * class than the error has (vitest copies stacks for async matchers).
 */
import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

interface ErrorLike {
  readonly name?: string;
  readonly message?: string;
}

function text(error: ErrorLike): string {
  return error.name ? `${error.name}: ${error.message ?? ''}` : String(error.message ?? '');
}

export default class ParityReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<ErrorLike>): void {
    const out = process.env.FAULTLINES_PARITY_OUT;
    if (!out) throw new Error('FAULTLINES_PARITY_OUT is not set');
    const report = {
      modules: modules.map((module) => ({
        file: module.moduleId,
        errors: module.errors().map(text),
        tests: [...module.children.allTests()].map((test) => {
          const result = test.result();
          return {
            name: test.fullName,
            state: result.state,
            mode: test.options.mode,
            errors: (result.errors ?? []).map(text),
          };
        }),
      })),
      unhandled: unhandledErrors.map(text),
    };
    writeFileSync(out, JSON.stringify(report, null, 2));
  }
}
