/** `scripts/lib/main.ts`: whether a script module is the program node was started with. */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isMain } from '../../../scripts/lib/main.ts';

const script = fileURLToPath(new URL('../../../scripts/grade.ts', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'faultlines-main-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('isMain', () => {
  it('is true for the module node was started with, and false for any other', () => {
    expect(isMain(pathToFileURL(script).href, script)).toBe(true);
    expect(isMain(import.meta.url, script)).toBe(false);
  });

  it('sees through symbolic links to the script or to a folder above it', () => {
    const linkedFile = join(base, 'grade.ts');
    symlinkSync(script, linkedFile);
    const linkedDir = join(base, 'scripts');
    symlinkSync(join(script, '..'), linkedDir, 'dir');
    expect(isMain(pathToFileURL(script).href, linkedFile)).toBe(true);
    expect(isMain(pathToFileURL(join(linkedDir, 'grade.ts')).href, script)).toBe(true);
  });

  it('is false when there is no entry file (node -e, a REPL) or it does not exist', () => {
    expect(isMain(pathToFileURL(script).href, undefined)).toBe(false);
    expect(isMain(pathToFileURL(script).href, join(base, 'missing.ts'))).toBe(false);
  });

  it('is false for a script imported by a test, so importing it runs nothing', () => {
    expect(isMain(pathToFileURL(script).href)).toBe(false);
  });
});
