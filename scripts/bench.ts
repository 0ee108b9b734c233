/**
 * `npm run bench` prints every performance figure as a table;
 * `npm run bench -- --json FILE` also writes them as
 * `{"<name>": {"value": <number>, "unit": "<unit>"}}` so that scripts can compare runs.
 * `npm run bench -- --only sim,checker` runs the named suites alone; `--help` says so.
 */
import { writeFileSync } from 'node:fs';
import type { BenchSuite, Figure } from './bench/types.ts';
import { suites } from './bench/suites.ts';
import { readArgs, UsageError } from './lib/args.ts';
import { isMain } from './lib/main.ts';

const help = `Usage:
  node scripts/bench.ts [options]      (npm run bench -- [options])

Runs the bench suites (${suites.map((s) => s.name).join(', ')}) and prints every figure as a table.

Options:
  --json <file>           also write the figures as {"<name>": {"value": <number>, "unit": "<unit>"}}
  --only <suite,...>      run the named suites alone
  -h, --help              show this help`;

const usage = 'Use --json FILE and/or --only suite1,suite2.';

export interface Args {
  json?: string;
  only?: Set<string>;
  help?: boolean;
}

export function parseArgs(argv: readonly string[]): Args {
  const { values, positionals } = readArgs(
    argv,
    { json: { type: 'string' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    (flag) => `Unknown argument ${flag}. ${usage}`,
  );
  if (positionals.length > 0) throw new UsageError(`Unknown argument ${positionals[0]}. ${usage}`);
  return {
    ...(values.json !== undefined ? { json: values.json } : {}),
    ...(values.only !== undefined ? { only: new Set(values.only.split(',')) } : {}),
    ...(values.help ? { help: true } : {}),
  };
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  if (args.help) {
    console.log(help);
    return 0;
  }
  const figures: Figure[] = [];
  const chosen: readonly BenchSuite[] = suites.filter((s) => !args.only || args.only.has(s.name));
  for (const suite of chosen) {
    process.stderr.write(`running ${suite.name}…\n`);
    await suite.run((figure) => figures.push(figure));
  }
  const rows = figures.map((f) => [f.name, formatValue(f.value), f.unit, f.note ?? '']);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length), 4));
  const line = (r: readonly string[]): string =>
    `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`.trimEnd();
  console.log(line(['figure', 'value', 'unit', 'note']));
  console.log(line(widths.map((w) => '-'.repeat(w)).concat('')));
  for (const r of rows) console.log(line(r));
  if (args.json) {
    const json: Record<string, { value: number; unit: string }> = {};
    for (const f of figures) json[f.name] = { value: f.value, unit: f.unit };
    writeFileSync(args.json, JSON.stringify(json, null, 2) + '\n');
    console.log(`\nwrote ${figures.length} figures to ${args.json}`);
  }
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await main();
