import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { checkReport, exerciseEntry, formatTable, missingEntry, report, toJUnit, type GradeReport } from '../../../scripts/lib/grade-report.ts';
import type { GradeResult, TestResult } from '../../../src/grader/types.ts';

/** The parts of sax (a strict XML parser, declared in package.json) these tests use. */
interface SaxParser {
  onerror: (error: Error) => void;
  onopentag: (tag: { name: string; attributes: Record<string, string> }) => void;
  onclosetag: () => void;
  ontext: (text: string) => void;
  write(xml: string): SaxParser;
  close(): void;
}
const sax = createRequire(import.meta.url)('sax') as { parser(strict: boolean): SaxParser };

/** Every element of `xml`, parsed strictly: a malformed document throws. */
function parseXml(xml: string): { name: string; attributes: Record<string, string>; text: string }[] {
  const parser = sax.parser(true);
  const elements: { name: string; attributes: Record<string, string>; text: string }[] = [];
  parser.onerror = (error) => {
    throw error;
  };
  const open: { text: string }[] = [];
  parser.onopentag = (tag) => {
    const element = { name: tag.name, attributes: tag.attributes, text: '' };
    elements.push(element);
    open.push(element);
  };
  parser.onclosetag = () => open.pop();
  parser.ontext = (text) => {
    const current = open[open.length - 1];
    if (current !== undefined) current.text += text;
  };
  parser.write(xml).close();
  return elements;
}

const test = (name: string, status: TestResult['status'], message?: string): TestResult => ({
  id: name,
  name,
  title: name.split(' > ').pop()!,
  ancestors: name.split(' > ').slice(0, -1),
  file: 'ring.test.ts',
  status,
  durationMs: 12.4,
  ...(message !== undefined ? { message } : {}),
});

function result(tests: TestResult[], errors: GradeResult['errors'] = []): GradeResult {
  const passed = tests.filter((t) => t.status === 'pass').length;
  const failed = tests.filter((t) => t.status === 'fail').length;
  return {
    ok: failed === 0 && errors.length === 0,
    tests,
    logs: [],
    droppedLogLines: 0,
    errors,
    summary: { passed, failed, skipped: tests.length - passed - failed, total: tests.length },
    durationMs: 480,
    hostDurationMs: 731.6,
    testsDurationMs: 300,
  };
}

/** A failure message with everything XML must escape, and a control character it cannot carry. */
const nasty = `AssertionError: expected <ring> & "nodes" 'to' be > 1.25\u0007\nsecond line`;

function sample(): GradeReport {
  return report(
    'cohort/alice',
    'record',
    [
      exerciseEntry({ id: 'sharding-ring', title: 'A ring' }, 42, result([test('ring > spreads keys', 'pass'), test('ring > moves few', 'fail', nasty), test('ring > later', 'skip')]), []),
      exerciseEntry({ id: 'sharding-router', title: 'A router & its map' }, 7, result([test('router > routes', 'pass')]), [
        { exercise: 'sharding-ring', file: 'ring.ts', source: 'reference' },
      ]),
      exerciseEntry({ id: 'capacity-planning', title: 'Workers' }, 9, result([], [{ kind: 'syntax', message: 'SyntaxError: Unexpected token <', file: 'capacity.ts' }]), []),
      missingEntry({ id: 'discovery-leases', title: 'Leases' }, 3),
    ],
    new Date('2026-12-03T10:00:00Z'),
  );
}

describe('the grade report', () => {
  it('keeps each exercise with its counts, seed, host time, components and tests', () => {
    const r = sample();
    expect(r).toMatchObject({ format: 'faultlines-grade-report', version: 1, source: 'cohort/alice', seedRule: 'record', ok: false, generatedAt: '2026-12-03T10:00:00.000Z' });
    expect(r.exercises.map((e) => [e.id, e.status, e.passed, e.failed, e.skipped, e.total, e.seed])).toEqual([
      ['sharding-ring', 'failed', 1, 1, 1, 3, 42],
      ['sharding-router', 'passed', 1, 0, 0, 1, 7],
      ['capacity-planning', 'failed', 0, 0, 0, 0, 9],
      ['discovery-leases', 'missing', 0, 0, 0, 0, 3],
    ]);
    expect(r.exercises[0]!.durationMs).toBe(732);
    expect(r.exercises[0]!.tests[1]).toEqual({ name: 'ring > moves few', file: 'ring.test.ts', status: 'failed', durationMs: 12, message: nasty });
    expect(r.exercises[1]!.components).toEqual([{ exercise: 'sharding-ring', file: 'ring.ts', source: 'reference' }]);
    expect(report('x', 'exercise', [r.exercises[1]!]).ok).toBe(true);
  });

  it('passes its own check, through JSON, and the check names what is wrong with anything else', () => {
    expect(checkReport(JSON.parse(JSON.stringify(sample())))).toEqual([]);
    expect(checkReport([])).toEqual(['A report is a JSON object.']);
    expect(checkReport({ format: 'other' })[0]).toContain('This is not a grade report');
    expect(checkReport({ ...sample(), version: 2 })).toEqual(['This report is version 2; this version of the course reads version 1 only.']);
    const broken = JSON.parse(JSON.stringify(sample())) as { ok: boolean; seedRule: string; exercises: { passed: number; status: string; seed: number }[] };
    broken.exercises[0]!.passed = 3;
    broken.exercises[1]!.status = 'great';
    broken.exercises[2]!.seed = -1;
    broken.seedRule = 'lucky';
    expect(checkReport(broken)).toEqual([
      '"seedRule" must be "exercise", "fixed" or "record".',
      'exercises[0].passed is 3, but 1 of its tests passed.',
      'exercises[1].status must be "passed", "failed" or "missing".',
      'exercises[2].seed must be a whole number ≥ 0.',
    ]);
    expect(checkReport({ ...sample(), ok: true })).toEqual(['"ok" must be true exactly when every exercise passed.']);
  });

  it('prints a table with the result, tests, seed, time and first failure of each exercise', () => {
    const lines = formatTable(sample()).split('\n');
    expect(lines[0]).toMatch(/^exercise\s+result\s+tests\s+seed\s+time\s+first failure$/);
    expect(lines[1]).toMatch(/^sharding-ring\s+failed\s+1\/3\s+42\s+0\.7 s\s+ring > moves few: AssertionError: expected <ring> & "nodes" 'to' be > 1\.25\S* second line$/);
    expect(lines[2]).toMatch(/^sharding-router\s+passed\s+1\/1\s+7\s+0\.7 s$/);
    expect(lines[3]).toMatch(/^capacity-planning\s+failed\s+0\/0\s+9\s+0\.7 s\s+SyntaxError: Unexpected token <$/);
    expect(lines[4]).toMatch(/^discovery-leases\s+no files\s+–\s+3\s+–$/);
    expect(lines.at(-1)).toBe('1 of 4 exercise(s) passed.');
  });

  it('writes JUnit XML that a strict parser reads back, failures and all', () => {
    const xml = toJUnit(sample());
    const elements = parseXml(xml);
    const root = elements[0]!;
    expect(root).toMatchObject({ name: 'testsuites', attributes: { name: 'Fault Lines', tests: '6', failures: '3', timestamp: '2026-12-03T10:00:00.000Z' } });
    const suites = elements.filter((e) => e.name === 'testsuite');
    expect(suites.map((s) => [s.attributes['name'], s.attributes['tests'], s.attributes['failures'], s.attributes['skipped']])).toEqual([
      ['sharding-ring', '3', '1', '1'],
      ['sharding-router', '1', '0', '0'],
      ['capacity-planning', '1', '1', '0'],
      ['discovery-leases', '1', '1', '0'],
    ]);
    const cases = elements.filter((e) => e.name === 'testcase');
    expect(cases.map((c) => c.attributes['name'])).toEqual(['ring > spreads keys', 'ring > moves few', 'ring > later', 'router > routes', 'errors outside the tests', 'files']);
    expect(cases[0]!.attributes['time']).toBe('0.012');
    const failures = elements.filter((e) => e.name === 'failure');
    // The message survives escaping; only the control character XML cannot carry is gone.
    expect(failures[0]!.text).toBe(nasty.replace('\u0007', ''));
    expect(failures[0]!.attributes['message']).toBe(`AssertionError: expected <ring> & "nodes" 'to' be > 1.25`);
    expect(failures[1]!.text).toBe('syntax: SyntaxError: Unexpected token <');
    expect(failures[2]!.attributes['message']).toBe('no files for this exercise in cohort/alice');
    expect(elements.filter((e) => e.name === 'skipped')).toHaveLength(1);
    expect(elements.filter((e) => e.name === 'property' && e.attributes['name'] === 'seed').map((p) => p.attributes['value'])).toEqual(['42', '7', '9', '3']);
  });
});
