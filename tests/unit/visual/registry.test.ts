import { describe, expect, it } from 'vitest';
import { getScenario, listScenarios } from '../../../src/scenarios/index.ts';

describe('the scenario registry', () => {
  it('registers every scenario file by its id, without an edit to the registry', () => {
    const ids = listScenarios().map((s) => s.id);
    expect(ids).toContain('queueing-utilisation');
    expect(ids).toContain('lossy-cluster');
    expect(getScenario('queueing-utilisation').title).toBe('The queueing cliff');
  });

  it('names the known scenarios when asked for one that does not exist', () => {
    expect(() => getScenario('no-such-scenario')).toThrow(/no scenario with the id "no-such-scenario".*Known scenarios: .*queueing-utilisation/);
  });
});
