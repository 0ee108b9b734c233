import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const scratch = mkdtempSync(join(tmpdir(), 'faultlines-build-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Builds one of the test courses in tests/fixtures/courses into a folder of its own. */
function build(course: string): { status: number | null; output: string; outDir: string } {
  const outDir = join(scratch, course, 'dist');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      ASTRO_TELEMETRY_DISABLED: '1',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      FAULTLINES_CONTENT_DIR: `./tests/fixtures/courses/${course}`,
      FAULTLINES_OUT_DIR: outDir,
      FAULTLINES_CACHE_DIR: join(scratch, course, 'cache'),
    },
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}`, outDir };
}

describe('the site build', { timeout: 120_000 }, () => {
  it('builds a valid course and writes the headers file for static hosts', () => {
    const { status, output, outDir } = build('valid');
    expect(status, output).toBe(0);
    expect(readFileSync(join(outDir, 'lessons/first/index.html'), 'utf8')).toContain('First lesson');
    expect(readFileSync(join(outDir, '_headers'), 'utf8')).toContain('Cross-Origin-Embedder-Policy: require-corp');
    expect(JSON.parse(readFileSync(join(outDir, 'vercel.json'), 'utf8')).headers[0].source).toBe('/(.*)');
  });

  it('fails on a wrong frontmatter field, naming the file and the field', () => {
    const { status, output } = build('bad-frontmatter');
    expect(status).not.toBe(0);
    expect(output).toContain('tests/fixtures/courses/bad-frontmatter/basics/first.mdx');
    expect(output).toMatch(/minutes.*Expected type `"number"`, received `"string"`/);
  });

  it('fails on a link to a lesson that does not exist, naming the file and line', () => {
    const { status, output } = build('broken-link');
    expect(status).not.toBe(0);
    expect(output).toContain(
      'tests/fixtures/courses/broken-link/basics/first.mdx:14: link to /lessons/sceond/ points to a lesson that does not exist',
    );
  });

  it('fails on a lesson that names an exercise with no folder, naming the file', () => {
    const { status, output } = build('missing-exercise');
    expect(status).not.toBe(0);
    expect(output).toContain(
      'tests/fixtures/courses/missing-exercise/basics/first.mdx: exercise "no-such-exercise" has no folder exercises/no-such-exercise/',
    );
  });
});
