import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { merge, passRates, readReport, ReportFileError, toCsv, toHtml, toMarkdown } from '../../../scripts/lib/cohort.ts';
import { missingEntry, report, type ReportExercise } from '../../../scripts/lib/grade-report.ts';
import { main } from '../../../scripts/report.ts';

const entry = (id: string, passed: number, total: number, seed = 7): ReportExercise => ({
  id,
  title: `The ${id} exercise`,
  status: passed === total ? 'passed' : 'failed',
  passed,
  failed: total - passed,
  skipped: 0,
  total,
  seed,
  durationMs: 500,
  components: [],
  tests: Array.from({ length: total }, (_, i) => ({ name: `t${i}`, file: 'x.test.ts', status: i < passed ? ('passed' as const) : ('failed' as const), durationMs: 1 })),
  errors: [],
});

const when = new Date('2026-12-01T09:00:00Z');
const alice = report('alice', 'record', [entry('ring', 8, 8, 11), entry('router', 10, 13, 12)], when);
const bob = report('bob', 'record', [entry('ring', 3, 8, 21), missingEntry({ id: 'router', title: 'The router exercise' }, 22), entry('capacity', 12, 12, 23)], when);
/** A learner whose name needs escaping in every format. */
const carol = report('carol', 'exercise', [entry('ring', 8, 8)], when);

describe('a cohort of reports', () => {
  it('has every learner and every exercise, with a hole where a report does not cover one', () => {
    const c = merge([
      { name: 'alice', report: alice },
      { name: 'bob', report: bob },
    ]);
    expect(c.learners.map((l) => l.name)).toEqual(['alice', 'bob']);
    expect(c.exercises.map((x) => x.id)).toEqual(['ring', 'router', 'capacity']);
    expect(c.cells[0]).toEqual([{ status: 'passed', passed: 8, total: 8, seed: 11 }, { status: 'failed', passed: 10, total: 13, seed: 12 }, undefined]);
    expect(c.cells[1]![1]).toEqual({ status: 'missing', passed: 0, total: 0, seed: 22 });
    expect(passRates(c)).toEqual([
      { id: 'ring', passed: 1, graded: 2 },
      { id: 'router', passed: 0, graded: 2 },
      { id: 'capacity', passed: 1, graded: 1 },
    ]);
    expect(() => merge([{ name: 'alice', report: alice }, { name: 'alice', report: bob }])).toThrow('Two reports are both named alice');
  });

  it('refuses a file that is not a report of this version, naming it', () => {
    expect(() => readReport('a.json', '{ nope')).toThrow(/^a\.json is not JSON: /);
    expect(() => readReport('b.json', JSON.stringify({ ...alice, version: 2 }))).toThrow(
      'b.json is not a grade report this version can read: This report is version 2; this version of the course reads version 1 only.',
    );
    expect(() => readReport('c.json', JSON.stringify({ format: 'junit' }))).toThrow(ReportFileError);
    expect(readReport('d.json', JSON.stringify(alice))).toEqual(alice);
  });

  it('writes Markdown, CSV and HTML that keep awkward names intact', () => {
    const c = merge([
      { name: 'alice', report: alice },
      { name: 'bob', report: bob },
      { name: 'o"neil, <carol> | x', report: carol },
    ]);
    const md = toMarkdown(c);
    expect(md).toContain('| alice | 1/3 | ✓ 8/8 | ✗ 10/13 | – |');
    expect(md).toContain('| bob | 1/3 | ✗ 3/8 | no files | ✓ 12/12 |');
    expect(md).toContain('| o"neil, <carol> \\| x | 1/3 | ✓ 8/8 | – | – |');
    expect(md).toContain('| router | 0 of 2 |');

    const csv = toCsv(c).split('\r\n');
    expect(csv[0]).toBe('learner,exercise,status,tests_passed,tests_total,seed,graded_at');
    expect(csv[1]).toBe('alice,ring,passed,8,8,11,2026-12-01T09:00:00.000Z');
    expect(csv).toContain('bob,router,missing,0,0,22,2026-12-01T09:00:00.000Z');
    expect(csv).toContain('"o""neil, <carol> | x",ring,passed,8,8,7,2026-12-01T09:00:00.000Z');
    // A hole is no row: 2 + 3 + 1 rows, a header, and the empty string after the last line break.
    expect(csv).toHaveLength(8);

    const html = toHtml(c, { js: 'window.uPlot = function () {};', css: '.u{}' });
    expect(html).toContain('<th scope="row">o&quot;neil, &lt;carol&gt; | x</th>');
    expect(html).not.toContain('<carol>');
    expect(html).toContain('<td class="missing">no files</td>');
    expect(html).toContain('const ids = ["ring","router","capacity"];');
    expect(html).toContain(`const data = [[0,1,2],[${200 / 3},0,100]];`);
  });

  it("sums up each learner's capstone day from the day report in their grade report, and leaves out a report that cannot be read", () => {
    const graded = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/day-reports/capstone-grade-report.json'), 'utf8')) as ReturnType<typeof report>;
    const capstone = graded.exercises[0]!;
    const dana = report('dana', 'record', [entry('ring', 8, 8), capstone], when);
    const broken = report('erin', 'record', [{ ...capstone, report: { format: 'faultlines-day-report', version: 1 } }], when);
    const c = merge([{ name: 'dana', report: dana }, { name: 'erin', report: broken }, { name: 'alice', report: alice }]);
    expect(c.days).toEqual([
      { learner: 'dana', seed: 2026, availability: 0.999389, budgetSpent: 0.6107, p99OutsideMs: 14.431, p99InsideMs: 14.535, ackedWritesLost: 0, met: 9, checks: 9, firstChange: '' },
    ]);
    expect(toMarkdown(c)).toContain('| dana | 2026 | 99.939% | 61% | 14.4 ms | 14.5 ms | 0 | 9/9 | nothing |');
    const html = toHtml(c, { js: '', css: '' });
    expect(html).toContain('<caption>Each learner\'s capstone day</caption>');
    expect(html).toContain('<tr><th scope="row">dana</th><td>2026</td><td>99.939%</td><td>61%</td>');
    // No day report, no section.
    expect(toMarkdown(merge([{ name: 'alice', report: alice }]))).not.toContain('Capstone days');
  });

  it('keeps a name that would close the chart script out of it', () => {
    const sneaky = report('x', 'exercise', [entry('</script><b>x', 1, 1)], when);
    const html = toHtml(merge([{ name: 'x', report: sneaky }]), { js: '', css: '' });
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain('\\u003c/script>\\u003cb>x');
  });
});

describe('npm run report', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'faultlines-report-'));
    writeFileSync(join(dir, 'alice.json'), JSON.stringify(alice));
    writeFileSync(join(dir, 'bob.json'), JSON.stringify(bob));
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ ...bob, version: 0 }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the three summaries, with uPlot inlined so the page opens offline', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const out = join(dir, 'out');
    expect(await main([join(dir, 'alice.json'), join(dir, 'bob.json'), '--out', out])).toBe(0);
    expect(log).toHaveBeenCalledWith(`2 learner(s), 3 exercise(s): wrote summary.md, summary.csv and summary.html to ${out}`);
    log.mockRestore();
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('| bob | 1/3 |');
    expect(readFileSync(join(out, 'summary.csv'), 'utf8').split('\r\n')).toHaveLength(7);
    const html = readFileSync(join(out, 'summary.html'), 'utf8');
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]*\ssrc=/);
    expect(html).not.toMatch(/<link[^>]*stylesheet/);
  });

  it('refuses an old report by name, exits 2 and writes nothing', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const out = join(dir, 'refused');
    expect(await main([join(dir, 'alice.json'), join(dir, 'old.json'), '--out', out])).toBe(2);
    expect(error.mock.calls[0]![0]).toBe(
      `${join(dir, 'old.json')} is not a grade report this version can read: This report is version 0; this version of the course reads version 1 only.`,
    );
    expect(await main(['--out', out])).toBe(2);
    expect(error.mock.calls[1]![0]).toContain('Name at least one report file.');
    error.mockRestore();
    expect(existsSync(out)).toBe(false);
  });
});
