import { describe, expect, it } from 'vitest';
import { grade } from '../../../src/grader/index.ts';
import { warmUpRequest } from '../../../src/grader/warm-up.ts';
import * as sim from '../../../src/sim/index.ts';

describe('the worker warm-up exercise', () => {
  it('passes, so that warming a worker up exercises the whole grading path and the simulator', async () => {
    const result = await grade({ ...warmUpRequest, builtins: { '@faultlines/sim': sim } });
    expect(result.errors).toEqual([]);
    expect(result.summary).toEqual({ passed: 5, failed: 0, skipped: 0, total: 5 });
    expect(Object.keys(warmUpRequest.files).sort()).toEqual(['service.spec.ts', 'service.ts']);
  });
});
