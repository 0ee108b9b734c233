import { RemoteError, RpcTimeoutError, type KvInput } from '@faultlines/sim';
import { assert, describe, expect, it } from 'vitest';
import { GROUPS, JOINING_GROUP, RING_VNODES, shardKey, shardMaps } from './cluster.ts';
import { createRouter } from './router.ts';
import { SHARD_COUNT, shardOf, wrongOwnerRejection } from './shards.ts';
import type { ForwardRequest, Send, ShardMap, ShardReply } from './types.ts';

/** The ring the cluster places shards with: yours, from the previous exercise. */
const RING = '../sharding-ring/ring.ts';

/**
 * What the cluster needs from the ring (checked in the first test below). Each shard is one
 * draw from the ring, so even a perfect ring spreads 32 shards lumpily. These bounds were
 * measured with 5,000 correct rings (the reference ring's scheme with 5,000 different
 * virtual-node names, 200 per group): the busiest group held 11–22 shards, more than 20 in
 * 3 rings of 5,000; g4 took 0–18, none in 2 rings and more than 16 in 2. The reference ring
 * gives 8, 11 and 13 shards to g1–g3 and moves 8 to g4. At 20 shards on one group the
 * rebalance tests still pass with wide margins (see rebalance.test.ts).
 */
const MOST_SHARDS_ON_ONE_GROUP = 20;
const MOVED_TO_NEW_GROUP = { min: 1, max: 16 } as const;

let cachedMaps: readonly [ShardMap, ShardMap] | undefined;

/** The epoch 1 and epoch 2 maps, built with your ring as the cluster builds them. */
function maps(): readonly [ShardMap, ShardMap] {
  if (cachedMaps === undefined) {
    try {
      cachedMaps = shardMaps();
    } catch (error) {
      throw new Error(`your ring (${RING}) threw while the cluster built its shard maps: ${String(error)}`);
    }
  }
  return cachedMaps;
}

/**
 * What the tests of one request at a time work with: the two maps, a key whose shard moves to
 * g4 in the epoch 2 map, and one whose shard stays put.
 */
function setting(): { before: ShardMap; after: ShardMap; movedKey: string; stayingKey: string } {
  const [before, after] = maps();
  const findKey = (moves: boolean, what: string): string => {
    for (let i = 0; i < 10_000; i++) {
      const shard = shardOf(`k${i}`);
      if ((after.owners[shard] !== before.owners[shard]) === moves) return `k${i}`;
    }
    throw new Error(`no shard ${what} with your ring (${RING}), so this test cannot run: see the test on the ring`);
  };
  return {
    before,
    after,
    get movedKey() {
      return findKey(true, 'moves when g4 joins');
    },
    get stayingKey() {
      return findKey(false, 'stays put when g4 joins');
    },
  };
}

/** "g1 8, g2 11, g3 13": how many shards each group owns in a map. */
function spread(map: ShardMap, groups: readonly string[]): string {
  return groups.map((g) => `${g} ${map.owners.filter((o) => o === g).length}`).join(', ');
}

describe(`the ring the cluster places shards with (yours, ${RING})`, () => {
  it(`spreads the 32 shards over the groups, at most ${MOST_SHARDS_ON_ONE_GROUP} on one, and moves ${MOVED_TO_NEW_GROUP.min}–${MOVED_TO_NEW_GROUP.max} of them, all to g4, when g4 joins`, () => {
    const [before, after] = maps();
    const firstGroups = GROUPS.filter((g) => g !== JOINING_GROUP);
    for (const [map, groups] of [
      [before, firstGroups],
      [after, GROUPS],
    ] as const) {
      const stray = map.owners.findIndex((owner) => !(groups as readonly string[]).includes(owner));
      assert(
        stray < 0,
        `your ring (${RING}) placed shard ${stray} (key ${shardKey(stray)}) on ${String(map.owners[stray])} in the epoch ` +
          `${map.epoch} map, which is not one of the groups in the ring then (${groups.join(', ')})`,
      );
      for (const group of groups) {
        const count = map.owners.filter((o) => o === group).length;
        assert(
          count <= MOST_SHARDS_ON_ONE_GROUP,
          `your ring (${RING}) put ${count} of the ${SHARD_COUNT} shards on ${group} in the epoch ${map.epoch} map ` +
            `(${spread(map, groups)}); the cluster needs at most ${MOST_SHARDS_ON_ONE_GROUP} on one group, and a ring with ` +
            `${RING_VNODES} virtual nodes per group almost always puts at most 18 there. The shard keys (${shardKey(0)}, ` +
            `${shardKey(1)}, … ${shardKey(SHARD_COUNT - 1)}) differ only in their last characters: does ownerOf hash ` +
            'every key with hash32, so that they land far apart?',
        );
      }
    }
    const moved = after.owners.flatMap((owner, shard) => (owner !== before.owners[shard] ? [shard] : []));
    const elsewhere = moved.find((shard) => after.owners[shard] !== JOINING_GROUP);
    assert(
      elsewhere === undefined,
      `when g4 joined, your ring (${RING}) moved shard ${elsewhere} from ${before.owners[elsewhere ?? 0]} to ` +
        `${after.owners[elsewhere ?? 0]}; a join may only move shards to the group that joined`,
    );
    assert(
      moved.length >= MOVED_TO_NEW_GROUP.min && moved.length <= MOVED_TO_NEW_GROUP.max,
      `your ring (${RING}) moved ${moved.length === 0 ? 'none' : moved.length} of the ${SHARD_COUNT} shards when g4 joined ` +
        `(epoch 1: ${spread(before, firstGroups)}; epoch 2: ${spread(after, GROUPS)}); a consistent-hash ring moves about a ` +
        `quarter (8), and the cluster needs ${MOVED_TO_NEW_GROUP.min} to ${MOVED_TO_NEW_GROUP.max}`,
    );
  });
});

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

/**
 * A map of the router's own: the maps here are shared by every test and are also the fake
 * servers' truth, and a router may change the maps it holds in place.
 */
const copyOf = (map: ShardMap): ShardMap => ({ epoch: map.epoch, owners: [...map.owners] });

/** "1 attempt", "2 attempts". */
const attempts = (n: number): string => `${n} ${n === 1 ? 'attempt' : 'attempts'}`;

/** A list of servers as a sentence reads it: "only g2", "g2, then g4", or "nobody". */
const servers = (list: readonly string[]): string =>
  list.length === 0 ? 'nobody' : list.length === 1 ? `only ${list[0]}` : list.join(', then ');

describe('shard router, one request at a time', () => {
  it("sends each request to the owner in its map, stamped with the map's epoch", async () => {
    const { before, stayingKey } = setting();
    const router = createRouter(copyOf(before));
    const { send, calls } = fakeCluster(before);
    const reply = await router.route(get(stayingKey), send);
    expect(calls, 'one request, to the owner in the map, with epoch 1').toEqual([
      { server: before.owners[shardOf(stayingKey)], request: { epoch: 1, op: get(stayingKey) } },
    ]);
    const owner = before.owners[shardOf(stayingKey)];
    assert(reply.servedBy === owner, `the reply says it was served by ${reply.servedBy}, not ${owner}: pass the server's reply on unchanged`);
  });

  it('adopts a pushed map with a newer epoch and ignores an older one', () => {
    const { before, after, movedKey } = setting();
    const router = createRouter(copyOf(before));
    router.applyMap(copyOf(after));
    assert(router.epoch === 2, `after a push of epoch 2 the router holds epoch ${router.epoch}; it should hold 2`);
    const owner = router.ownerOf(movedKey);
    assert(owner === JOINING_GROUP, `after a push of the epoch 2 map, ownerOf says ${owner} owns ${movedKey}; that map says g4`);
    router.applyMap(copyOf(before));
    assert(
      router.epoch === 2,
      `a late re-send of the epoch 1 map rolled the router back to epoch ${router.epoch}; it should keep epoch 2: ` +
        'pushes arrive out of order, so compare epochs',
    );
    const stale = router.ownerOf(movedKey);
    assert(stale === JOINING_GROUP, `the stale push moved ${movedKey} back to ${stale}; it should stay with g4, its owner at epoch 2`);
  });

  it('on a "wrong owner" refusal, retries once at the owner it names and remembers the new map', async () => {
    const { before, after, movedKey } = setting();
    const router = createRouter(copyOf(before));
    const { send, calls } = fakeCluster(after);
    const reply = await router.route(get(movedKey), send).catch((error: unknown) => error);
    const oldOwner = before.owners[shardOf(movedKey)]!;
    const first = calls.map((c) => c.server);
    assert(
      first.length === 2 && first[0] === oldOwner && first[1] === JOINING_GROUP,
      `the router called ${servers(first)}; it should call ${oldOwner} (the old owner, which refuses), then g4, named ` +
        'in the refusal',
    );
    const servedBy = (reply as Partial<ShardReply> | undefined)?.servedBy;
    assert(servedBy === JOINING_GROUP, `the operation ended with ${servedBy === undefined ? String(reply) : `a reply from ${servedBy}`}; it should succeed at g4`);
    assert(router.epoch === 2, `after the refusal the router holds epoch ${router.epoch}; the refusal carries the server's epoch 2 map: adopt it`);
    calls.length = 0;
    await router.route(get(movedKey), send);
    const next = calls.map((c) => c.server);
    assert(
      next.length === 1 && next[0] === JOINING_GROUP,
      `the next request for the same shard went to ${servers(next)}; it should go straight to g4, with no refusal first`,
    );
  });

  it('keeps a newer map when a slow refusal carries an older one', async () => {
    const { before, after, movedKey, stayingKey } = setting();
    // A router that learns nothing from refusals keeps its epoch 3 here without comparing any
    // epochs, and proves nothing. So first check that it adopts a newer map from a refusal.
    const learning = createRouter(copyOf(before));
    await learning.route(get(movedKey), fakeCluster(after).send).catch(() => undefined);
    assert(
      learning.epoch === 2,
      'Not checked yet: a router that never learns from a refusal passes this test without comparing epochs, and ' +
        `yours held epoch ${learning.epoch} after a refusal carrying the epoch 2 map. Make the test on retrying a ` +
        'refusal pass first.',
    );
    // A later rebalance, epoch 3: g4 also takes the shard of stayingKey, which g1–g3 held until then.
    const stayingShard = shardOf(stayingKey);
    const third: ShardMap = {
      epoch: 3,
      owners: after.owners.map((owner, shard) => (shard === stayingShard ? JOINING_GROUP : owner)),
    };
    const router = createRouter(copyOf(before));
    // The router sends a request for movedKey with its epoch 1 map. While the old owner's refusal
    // (carrying that server's map, epoch 2) is on its way back, the epoch 3 map is pushed.
    const cluster = fakeCluster(third);
    let first = true;
    const slowRefusal: Send = (server, request) => {
      if (!first) return cluster.send(server, request);
      first = false;
      router.applyMap(copyOf(third));
      const refusal = wrongOwnerRejection(shardOf(request.op.key), after, request.epoch);
      return Promise.reject(new RemoteError(server, refusal.message, true));
    };
    await router.route(get(movedKey), slowRefusal).catch(() => undefined);
    assert(
      router.epoch === 3,
      `the router held epoch 3 (pushed while its request was on its way) when a refusal carrying the older epoch 2 ` +
        `map arrived, and then held epoch ${router.epoch}; it should keep epoch 3: a refusal can be slow too, so ` +
        "adopt its map only when it is newer than yours, as with pushes",
    );
    const owner = router.ownerOf(stayingKey);
    assert(
      owner === JOINING_GROUP,
      `after the slow refusal, ownerOf says ${owner} owns ${stayingKey}; the epoch 3 map the router holds says g4`,
    );
    cluster.calls.length = 0;
    await router.route(get(stayingKey), cluster.send).catch(() => undefined);
    const next = cluster.calls.map((c) => c.server);
    assert(
      next.length === 1 && next[0] === JOINING_GROUP,
      `the next request for ${stayingKey} went to ${servers(next)}; it should go straight to g4, its owner in the ` +
        'epoch 3 map, with no refusal first',
    );
  });

  it('gives up after one retry, passing the refusal on', async () => {
    const { before, after, movedKey } = setting();
    const router = createRouter(copyOf(before));
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
    const { before, after, movedKey, stayingKey } = setting();
    // Telling a timeout from a refusal is the point: a router that retries nothing at all makes
    // one attempt here too, and proves nothing. So first check that it does retry a refusal.
    const retrying = createRouter(copyOf(before));
    const refused = fakeCluster(after);
    await retrying.route(get(movedKey), refused.send).catch(() => undefined);
    assert(
      refused.calls.length >= 2,
      `Not checked yet: a router that never retries passes this test without telling a timeout from a refusal, and ` +
        `yours made ${attempts(refused.calls.length)} at a "wrong owner" refusal. Make the test on retrying a ` +
        'refusal pass first.',
    );
    const router = createRouter(copyOf(before));
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
