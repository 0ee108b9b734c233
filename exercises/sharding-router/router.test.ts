import { RemoteError, RpcTimeoutError, type KvInput } from '@faultlines/sim';
import { describe, expect, it } from 'vitest';
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

describe('shard router, one request at a time', () => {
  it("sends each request to the owner in its map, stamped with the map's epoch", async () => {
    const router = createRouter(before);
    const { send, calls } = fakeCluster(before);
    const reply = await router.route(get(stayingKey), send);
    expect(calls, 'one request, to the owner in the map, with epoch 1').toEqual([
      { server: before.owners[shardOf(stayingKey)], request: { epoch: 1, op: get(stayingKey) } },
    ]);
    expect(reply.servedBy, 'pass the server reply on unchanged').toBe(before.owners[shardOf(stayingKey)]);
  });

  it('adopts a pushed map with a newer epoch and ignores an older one', () => {
    const router = createRouter(before);
    router.applyMap(after);
    expect(router.epoch, 'after a push of epoch 2 the router should hold epoch 2').toBe(2);
    expect(router.ownerOf(movedKey)).toBe('s4');
    router.applyMap(before);
    expect(
      router.epoch,
      'a late re-send of the epoch 1 map rolled the router back to epoch 1; pushes arrive out of order, so compare epochs',
    ).toBe(2);
    expect(router.ownerOf(movedKey), 'the stale push moved the shard back to its old owner').toBe('s4');
  });

  it('on a "wrong owner" refusal, retries once at the owner it names and remembers the new map', async () => {
    const router = createRouter(before);
    const { send, calls } = fakeCluster(after);
    const reply = await router.route(get(movedKey), send).catch((error: unknown) => error);
    expect(
      calls.map((c) => c.server),
      'first the old owner (which refuses), then s4, named in the refusal',
    ).toEqual([before.owners[shardOf(movedKey)], 's4']);
    expect((reply as ShardReply).servedBy, 'the operation should succeed at s4').toBe('s4');
    expect(router.epoch, "the refusal carries the server's epoch 2 map: adopt it").toBe(2);
    calls.length = 0;
    await router.route(get(movedKey), send);
    expect(
      calls.map((c) => c.server),
      'the next request for the same shard should go straight to s4, with no refusal first',
    ).toEqual(['s4']);
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
    expect(calls.length, `the router made ${calls.length} attempts; one retry (2 attempts) is the limit`).toBe(2);
    expect(outcome, 'after the retry is refused too, reject with that refusal').toBe('refused');
  });

  it('does not retry a timeout, since the first attempt may have taken effect', async () => {
    const router = createRouter(before);
    let attempts = 0;
    const timesOut: Send = (server) => {
      attempts++;
      return Promise.reject(new RpcTimeoutError(server, 250, attempts));
    };
    const error = await router.route({ kind: 'put', key: stayingKey, value: 'v' }, timesOut).catch((e: unknown) => e);
    expect(attempts, `the router sent ${attempts} attempts after a timeout; a timed-out put may have been applied`).toBe(1);
    expect(error, 'pass the RpcTimeoutError on unchanged').toBeInstanceOf(RpcTimeoutError);
  });
});
