import { capstoneBench } from './capstone.ts';
import { checkerBench } from './checker.ts';
import { cohortBench } from './cohort.ts';
import { graderBench } from './grader.ts';
import { pageBench } from './page.ts';
import { simBench } from './sim.ts';
import { visualBench } from './visual.ts';
import type { BenchSuite } from './types.ts';

/** Every bench suite, in the order the table prints them. */
export const suites: readonly BenchSuite[] = [simBench, checkerBench, graderBench, capstoneBench, pageBench, visualBench, cohortBench];
