import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = resolve(import.meta.dirname, '../../../scripts/require-node.mjs');

function run(env: Record<string, string>, node = process.execPath) {
  return spawnSync(node, [script], { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('the Node version check that runs before every script', () => {
  it('prints one line naming the Node version needed and exits 1 on an older Node', () => {
    const result = run({ FAULTLINES_PRETEND_NODE: '20.20.2' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'Fault Lines needs Node.js >= 22.12 (this is v20.20.2). Install it from https://nodejs.org or with `nvm install` (the repo has an .nvmrc), then run the command again.',
    ]);
  });

  it('rejects 22.11 and accepts 22.12 and later', () => {
    expect(run({ FAULTLINES_PRETEND_NODE: '22.11.0' }).status).toBe(1);
    expect(run({ FAULTLINES_PRETEND_NODE: '22.12.0' }).status).toBe(0);
    expect(run({ FAULTLINES_PRETEND_NODE: '24.1.0' }).status).toBe(0);
  });

  it('passes silently on the Node running these tests', () => {
    const result = run({});
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });
});
