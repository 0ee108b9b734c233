import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEtcdLog, parseKvEdn } from '../../../src/sim/checker/index.ts';
import { fixturesDir } from './fixtures-checker.ts';

describe('etcd Jepsen log parser', () => {
  it('reads invocations and completions of reads, writes and compare-and-sets', () => {
    const history = parseEtcdLog(
      [
        'INFO  jepsen.util - 0\t:invoke\t:read\tnil',
        'INFO  jepsen.util - 1\t:invoke\t:write\t4',
        'INFO  jepsen.util - 0\t:ok\t:read\tnil',
        'INFO  jepsen.util - 1\t:ok\t:write\t4',
        'INFO  jepsen.util - 2\t:invoke\t:cas\t[4 0]',
        'INFO  jepsen.util - 2\t:ok\t:cas\t[4 0]',
        'INFO  jepsen.util - 3\t:invoke\t:read\tnil',
        'INFO  jepsen.util - 3\t:ok\t:read\t0',
      ].join('\n'),
    );
    expect(history).toEqual([
      { clientId: 0, input: { kind: 'get', key: 'register' }, invokeMs: 0, returnMs: 2, status: 'ok', output: { kind: 'get', value: null } },
      { clientId: 1, input: { kind: 'put', key: 'register', value: '4' }, invokeMs: 1, returnMs: 3, status: 'ok', output: { kind: 'put' } },
      {
        clientId: 2,
        input: { kind: 'cas', key: 'register', expected: '4', value: '0' },
        invokeMs: 4,
        returnMs: 5,
        status: 'ok',
        output: { kind: 'cas', swapped: true },
      },
      { clientId: 3, input: { kind: 'get', key: 'register' }, invokeMs: 6, returnMs: 7, status: 'ok', output: { kind: 'get', value: '0' } },
    ]);
  });

  it('reads a failed compare-and-set as a completed one that did not swap', () => {
    const [op] = parseEtcdLog('INFO  jepsen.util - 4\t:invoke\t:cas\t[1 2]\nINFO  jepsen.util - 4\t:fail\t:cas\t[1 2]\n');
    expect(op).toMatchObject({ status: 'ok', output: { kind: 'cas', swapped: false } });
  });

  it('reads timeouts as unknown outcomes, a timed-out read as failed, and an unanswered invocation as unknown', () => {
    const history = parseEtcdLog(
      [
        'INFO  jepsen.util - 0\t:invoke\t:write\t1',
        'INFO  jepsen.util - 0\t:info\t:write\t:timed-out',
        'INFO  jepsen.util - 1\t:invoke\t:read\tnil',
        'INFO  jepsen.util - 1\t:fail\t:read\t:timed-out',
        'INFO  jepsen.util - 2\t:invoke\t:cas\t[1 3]',
      ].join('\n'),
    );
    expect(history.map((o) => o.status)).toEqual(['unknown', 'failed', 'unknown']);
    expect(history[0]).not.toHaveProperty('returnMs');
    expect(history[0]).toMatchObject({ error: 'timed-out' });
  });

  it('names the line of an event it cannot read', () => {
    expect(() => parseEtcdLog('INFO  jepsen.util - 0\t:invoke\t:read\tnil\nnonsense\n')).toThrow(/^line 2: not a jepsen.util event/);
    expect(() => parseEtcdLog('INFO  jepsen.util - 0\t:ok\t:read\tnil')).toThrow(/line 1: process 0 completes an operation it never invoked/);
  });

  it('parses every recorded etcd log, one operation per invocation', () => {
    const text = readFileSync(path.join(fixturesDir, 'etcd', 'etcd_000.log'), 'utf8');
    const invocations = text.split('\n').filter((l) => l.includes(':invoke')).length;
    expect(parseEtcdLog(text)).toHaveLength(invocations);
  });

  it('parses the empty log as an empty history', () => {
    expect(parseEtcdLog(readFileSync(path.join(fixturesDir, 'etcd', 'etcd_095.log'), 'utf8'))).toEqual([]);
  });
});

describe('key-value EDN parser', () => {
  it('reads appends, puts and gets with their keys and values', () => {
    const history = parseKvEdn(
      [
        '{:process 3, :type :invoke, :f :append, :key "4", :value "x 3 7 y"}',
        '{:process 1, :type :invoke, :f :get, :key "4", :value nil}',
        '{:process 3, :type :ok, :f :append, :key "4", :value "x 3 7 y"}',
        '{:process 1, :type :ok, :f :get, :key "4", :value "x 3 7 y"}',
        '{:process 2, :type :invoke, :f :put, :key "5", :value "say \\"hi\\""}',
        '{:process 2, :type :ok, :f :put, :key "5", :value "say \\"hi\\""}',
      ].join('\n'),
    );
    expect(history).toEqual([
      { clientId: 3, input: { kind: 'append', key: '4', value: 'x 3 7 y' }, invokeMs: 0, returnMs: 2, status: 'ok', output: { kind: 'append' } },
      { clientId: 1, input: { kind: 'get', key: '4' }, invokeMs: 1, returnMs: 3, status: 'ok', output: { kind: 'get', value: 'x 3 7 y' } },
      { clientId: 2, input: { kind: 'put', key: '5', value: 'say "hi"' }, invokeMs: 4, returnMs: 5, status: 'ok', output: { kind: 'put' } },
    ]);
  });

  it('reads :fail as failed and :info or no completion as unknown', () => {
    const history = parseKvEdn(
      [
        '{:process 0, :type :invoke, :f :put, :key "a", :value "1"}',
        '{:process 0, :type :fail, :f :put, :key "a", :value "1"}',
        '{:process 1, :type :invoke, :f :put, :key "a", :value "2"}',
        '{:process 1, :type :info, :f :put, :key "a", :value "2"}',
        '{:process 2, :type :invoke, :f :append, :key "a", :value "3"}',
      ].join('\n'),
    );
    expect(history.map((o) => o.status)).toEqual(['failed', 'unknown', 'unknown']);
  });

  it('names the line of a map it cannot read', () => {
    expect(() => parseKvEdn('{:process 0, :type :invoke, :f :get, :key "a", :value nil}\n{:process x}')).toThrow(/^line 2: /);
  });

  it('parses every recorded key-value log, one operation per invocation', () => {
    const text = readFileSync(path.join(fixturesDir, 'kv', 'c10-ok.txt'), 'utf8');
    const invocations = text.split('\n').filter((l) => l.includes(':invoke')).length;
    expect(parseKvEdn(text)).toHaveLength(invocations);
  });
});
