/**
 * `npm run bench` prints every performance figure as a table;
 * `npm run bench -- --json FILE` also writes them as
 * `{"<name>": {"value": <number>, "unit": "<unit>"}}` so that scripts can compare runs.
 * `npm run bench -- --only sim,checker` runs the named suites alone.
 */
import { writeFileSync } from 'node:fs';
import type { BenchSuite, Figure } from './bench/types.ts';
import { suites } from './bench/suites.ts';
import { isMain } from './lib/main.ts';

function parseArgs(argv: readonly string[]): { json?: string; only?: Set<string> } {
  const out: { json?: string; only?: Set<string> } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') out.json = argv[++i];
    else if (arg === '--only') out.only = new Set((argv[++i] ?? '').split(','));
    else throw new Error(`Unknown argument ${arg}. Use --json FILE and/or --only suite1,suite2.`);
  }
  return out;
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
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
}

if (isMain(import.meta.url)) await main();
