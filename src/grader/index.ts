/**
 * The grader: runs an exercise's vitest tests against a learner's files and returns the
 * verdicts as JSON. Host-agnostic: it touches neither the DOM nor Node's modules, so a Node
 * child process, a Web Worker and a WebContainer all run this same code.
 */
export { grade, defaultTestTimeoutMs } from './grade.ts';
export { evalEvaluator } from './loader.ts';
export { codeFrame } from './transpile.ts';
export { formatResult } from './format.ts';
export type {
  Evaluator,
  EvaluatedModules,
  GradeError,
  GradeErrorKind,
  GradeEvent,
  GradeRequest,
  GradeResult,
  HostMessage,
  PortableGradeRequest,
  LogLimits,
  LogLine,
  ModuleFactory,
  ModuleUnit,
  SourceLocation,
  Summary,
  TestResult,
  TestStatus,
} from './types.ts';
