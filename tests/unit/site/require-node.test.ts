import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const script = resolve(root, 'scripts/require-node.mjs');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { engines: { node: string } };

function run(env: Record<string, string>, node = process.execPath) {
  return spawnSync(node, [script], { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('the Node version check that runs before every script', () => {
  it('prints one line naming the Node versions needed and exits 1 on an older Node', () => {
    const result = run({ FAULTLINES_PRETEND_NODE: '20.20.2' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'Fault Lines needs Node.js 22.22.2 or a later 22.x, 24.15.0 or a later 24.x, or 26.0.0 or later (this is v20.20.2). ' +
        'Install it with `nvm install` (the repo has an .nvmrc) or `npm install --prefix ~/.local/node22 node@22` (see the README), then run the command again.',
    ]);
  });

  it('refuses the Node versions some installed dependency does not support', () => {
    // 22.12 is what astro asks for; undici wants 22.19 and @inquirer/* (StrykerJS) 22.22.2.
    for (const version of ['22.12.0', '22.19.0', '22.22.1', '23.11.0', '24.14.1', '25.2.0']) {
      expect(run({ FAULTLINES_PRETEND_NODE: version }).status, `v${version}`).toBe(1);
    }
  });

  it('accepts 22.22.2 and later 22.x, 24.15 and later 24.x, and 26 on', () => {
    for (const version of ['22.22.2', '22.23.3', '24.15.0', '24.20.1', '26.0.0', '27.1.0']) {
      const result = run({ FAULTLINES_PRETEND_NODE: version });
      expect(result.status, `v${version}: ${result.stderr}`).toBe(0);
      expect(result.stderr).toBe('');
    }
  });

  it('reads its range from package.json, which .nvmrc and the README agree with', () => {
    expect(pkg.engines.node).toBe('^22.22.2 || ^24.15.0 || >=26.0.0');
    expect(readFileSync(resolve(root, '.nvmrc'), 'utf8').trim()).toBe('22.22.2');
    expect(readFileSync(resolve(root, 'README.md'), 'utf8')).toContain('Node.js 22.22.2');
  });

  it('passes silently on the Node running these tests', () => {
    const result = run({});
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });
});
