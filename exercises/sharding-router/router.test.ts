import { RemoteError, RpcTimeoutError, type KvInput } from '@faultlines/sim';
import { assert, describe, expect, it } from 'vitest';
import { initialMap, mapWithNewServer } from './cluster.ts';
import { createRouter } from './router.ts';
import { SHARD_COUNT, shardOf, wrongOwnerRejection } from './shards.ts';
import type { ForwardRequest, Send, ShardMap, ShardReply } from './types.ts';

const before = initialMap();
const after = mapWithNewServer(before, 's4');

/** A key whose shard moves to s4 in the epoch 2 map, and one whose shard stays put. */
const movedKey = findKey((shard) => after.owners[shard] !== before.owners[shard]);
const stayingKey = findKey((shard) => after.owners[shard] === before.owners[shard]);

function findKey(test: (shard: number) => boolean): string {
  for (let i = 0; i < 10_000; i++) if (test(shardOf(`k${i}`))) return `k${i}`;
  throw new Error('no such key');
}

interface Call {
  readonly server: string;
  readonly request: ForwardRequest;
}

/**
 * A fake cluster: servers that judge ownership by `truth` and answer as the real ones do,
 * recording every call.
 */
function fakeCluster(truth: ShardMap): { send: Send; calls: Call[] } {
  const calls: Call[] = [];
  const send: Send = (server, request) => {
    calls.push({ server, request });
    const shard = shardOf(request.op.key);
    if (truth.owners[shard] !== server) {
      const refusal = wrongOwnerRejection(shard, truth, request.epoch);
      return Promise.reject(new RemoteError(server, refusal.message, true));
    }
    const reply = { kind: 'get', value: null, servedBy: server, servedAtMs: 0, epoch: truth.epoch } as ShardReply;
    return Promise.resolve(reply);
  };
  return { send, calls };
}

const get = (key: string): KvInput => ({ kind: 'get', key });

/** "1 attempt", "2 attempts". */
const attempts = (n: number): string => `${n} ${n === 1 ? 'attempt' : 'attempts'}`;

/** A list of servers as a sentence reads it: "only s2", "s2, then s4", or "nobody". */
const servers = (list: readonly string[]): string =>
  list.length === 0 ? 'nobody' : list.length === 1 ? `only ${list[0]}` : list.join(', then ');

describe('shard router, one request at a time', () => {
  it("sends each request to the owner in its map, stamped with the map's epoch", async () => {
    const router = createRouter(before);
    const { send, calls } = fakeCluster(before);
    const reply = await router.route(get(stayingKey), send);
    expect(calls, 'one request, to the owner in the map, with epoch 1').toEqual([
      { server: before.owners[shardOf(stayingKey)], request: { epoch: 1, op: get(stayingKey) } },
    ]);
    const owner = before.owners[shardOf(stayingKey)];
    assert(reply.servedBy === owner, `the reply says it was served by ${reply.servedBy}, not ${owner}: pass the server's reply on unchanged`);
  });

  it('adopts a pushed map with a newer epoch and ignores an older one', () => {
    const router = createRouter(before);
    router.applyMap(after);
    assert(router.epoch === 2, `after a push of epoch 2 the router holds epoch ${router.epoch}; it should hold 2`);
    const owner = router.ownerOf(movedKey);
    assert(owner === 's4', `after a push of the epoch 2 map, ownerOf says ${owner} owns ${movedKey}; that map says s4`);
    router.applyMap(before);
    assert(
      router.epoch === 2,
      `a late re-send of the epoch 1 map rolled the router back to epoch ${router.epoch}; it should keep epoch 2: ` +
        'pushes arrive out of order, so compare epochs',
    );
    const stale = router.ownerOf(movedKey);
    assert(stale === 's4', `the stale push moved ${movedKey} back to ${stale}; it should stay with s4, its owner at epoch 2`);
  });

  it('on a "wrong owner" refusal, retries once at the owner it names and remembers the new map', async () => {
    const router = createRouter(before);
    const { send, calls } = fakeCluster(after);
    const reply = await router.route(get(movedKey), send).catch((error: unknown) => error);
    const oldOwner = before.owners[shardOf(movedKey)]!;
    const first = calls.map((c) => c.server);
    assert(
      first.length === 2 && first[0] === oldOwner && first[1] === 's4',
      `the router called ${servers(first)}; it should call ${oldOwner} (the old owner, which refuses), then s4, named ` +
        'in the refusal',
    );
    const servedBy = (reply as Partial<ShardReply> | undefined)?.servedBy;
    assert(servedBy === 's4', `the operation ended with ${servedBy === undefined ? String(reply) : `a reply from ${servedBy}`}; it should succeed at s4`);
    assert(router.epoch === 2, `after the refusal the router holds epoch ${router.epoch}; the refusal carries the server's epoch 2 map: adopt it`);
    calls.length = 0;
    await router.route(get(movedKey), send);
    const next = calls.map((c) => c.server);
    assert(
      next.length === 1 && next[0] === 's4',
      `the next request for the same shard went to ${servers(next)}; it should go straight to s4, with no refusal first`,
    );
  });

  it('gives up after one retry, passing the refusal on', async () => {
    const router = createRouter(before);
    // A cluster in which nobody owns anything the router asks for: every call is refused.
    const calls: string[] = [];
    const refuseAll: Send = (server, request) => {
      calls.push(server);
      const shard = shardOf(request.op.key);
      const owners = Array.from({ length: SHARD_COUNT }, () => `elsewhere-${calls.length}`);
      const refusal = wrongOwnerRejection(shard, { epoch: 1 + calls.length, owners }, request.epoch);
      return Promise.reject(new RemoteError(server, refusal.message, true));
    };
    const outcome = await router.route(get(movedKey), refuseAll).then(
      () => 'resolved',
      (error: unknown) => (error instanceof RemoteError && error.rejected ? 'refused' : `other: ${String(error)}`),
    );
    assert(
      calls.length === 2,
      `the router made ${attempts(calls.length)} at a request every server refuses; it should make 2: one retry, then give up`,
    );
    assert(outcome === 'refused', `after the retry was refused too, route ${outcome === 'resolved' ? 'resolved' : `rejected with ${outcome}`}; it should reject with that refusal`);
  });

  it('does not retry a timeout, since the first attempt may have taken effect', async () => {
    // Telling a timeout from a refusal is the point: a router that retries nothing at all makes
    // one attempt here too, and proves nothing. So first check that it does retry a refusal.
    const retrying = createRouter(before);
    const refused = fakeCluster(after);
    await retrying.route(get(movedKey), refused.send).catch(() => undefined);
    assert(
      refused.calls.length >= 2,
      `Not checked yet: a router that never retries passes this test without telling a timeout from a refusal, and ` +
        `yours made ${attempts(refused.calls.length)} at a "wrong owner" refusal. Make the test on retrying a ` +
        'refusal pass first.',
    );
    const router = createRouter(before);
    let sent = 0;
    const timesOut: Send = (server) => {
      sent++;
      return Promise.reject(new RpcTimeoutError(server, 250, sent));
    };
    const error = await router.route({ kind: 'put', key: stayingKey, value: 'v' }, timesOut).catch((e: unknown) => e);
    assert(sent === 1, `the router made ${attempts(sent)} at a put that timed out; it should make 1: a timed-out put may have been applied`);
    assert(
      error instanceof RpcTimeoutError,
      `route ${error === undefined ? 'resolved' : `rejected with ${String(error)}`} after the timeout; pass the RpcTimeoutError on unchanged`,
    );
  });
});
