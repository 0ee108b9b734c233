/**
 * The registry of lesson scenarios. Every `src/scenarios/<id>.ts` that exports
 * `const scenario: Scenario` registers itself: the files are found by `import.meta.glob`,
 * so adding a scenario needs no edit here. Lookup is by `scenario.id`.
 *
 * A scenario still being finished can live in `<id>.draft.ts`: it is not registered, so no
 * page can embed it, but its own tests import it and run.
 *
 * The glob is eager on purpose: the build reads titles and parameters in a component's
 * frontmatter, and the simulation worker bundles every scenario into one file (a worker
 * built as a classic script cannot load further chunks).
 */
import type { Scenario } from './types.ts';

const modules = import.meta.glob<{ scenario?: Scenario }>(['./*.ts', '!./index.ts', '!./types.ts', '!./*.draft.ts'], { eager: true });

interface Registry {
  readonly byId: ReadonlyMap<string, Scenario>;
  /** Files that did not register, and why: shown when a lookup fails. */
  readonly problems: readonly string[];
}

let registry: Registry | undefined;

function build(): Registry {
  const byId = new Map<string, Scenario>();
  const fileOf = new Map<string, string>();
  const problems: string[] = [];
  for (const [path, module] of Object.entries(modules).sort(([a], [b]) => a.localeCompare(b))) {
    const file = `src/scenarios/${path.slice(2)}`;
    const scenario = module.scenario;
    if (scenario === undefined || typeof scenario !== 'object' || typeof scenario.build !== 'function') {
      problems.push(`${file} does not export \`const scenario: Scenario\``);
      continue;
    }
    const other = fileOf.get(scenario.id);
    if (other !== undefined) {
      // Two files claiming one id would make a lesson show whichever loaded last.
      throw new Error(`Two scenarios have the id "${scenario.id}": ${other} and ${file}. Scenario ids must be unique.`);
    }
    byId.set(scenario.id, scenario);
    fileOf.set(scenario.id, file);
  }
  return { byId, problems };
}

/** Every registered scenario, sorted by id. */
export function listScenarios(): readonly Scenario[] {
  registry ??= build();
  return [...registry.byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** The scenario with this id, or `undefined`. */
export function findScenario(id: string): Scenario | undefined {
  registry ??= build();
  return registry.byId.get(id);
}

/**
 * The scenario with this id.
 *
 * @throws Error naming the known ids (and any file that failed to register) when there is none.
 */
export function getScenario(id: string): Scenario {
  const scenario = findScenario(id);
  if (scenario !== undefined) return scenario;
  const known = listScenarios().map((s) => s.id);
  const problems = registry!.problems.length > 0 ? ` Files that did not register: ${registry!.problems.join('; ')}.` : '';
  throw new Error(
    `There is no scenario with the id "${id}". Known scenarios: ${known.join(', ') || '(none)'}.` +
      ` A scenario lives in src/scenarios/<id>.ts and exports \`const scenario: Scenario\` whose id is "<id>".${problems}`,
  );
}
