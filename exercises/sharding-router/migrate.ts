import type { Donor, ShardRecord } from './types.ts';

/** How many records the starter ships per batch: 16 records of 4 KiB, 64 KiB. */
const BATCH_RECORDS = 16;

/**
 * Moves one shard from the donor to `to`. The cluster calls it on the donor's server, one
 * shard at a time, while clients keep sending (see `cluster.ts`).
 *
 * This starter is correct but stops the world: it pauses the shard first, so every request
 * for it waits for the whole copy, and it ships one batch at a time, waiting for each to be
 * stored before sending the next. Make it move the shard while it serves:
 *
 * 1. Copy while the shard serves: note the donor's log position, then scan and ship the
 *    records without pausing. Writes go on meanwhile.
 * 2. Catch up: ship what changed since the position you noted (`changesSince`), until
 *    little is left. Ship only what changed, not the shard again.
 * 3. Cut over in a short critical section: pause, ship the last changes, commit, and make
 *    sure both the new owner and the donor hold the new map before you resume. The
 *    configuration service's push reaches them only much later.
 * 4. Then drop the donor's copy.
 *
 * And keep the link busy: a batch that waits for the answer to the previous one leaves the
 * link idle for a round trip each time.
 */
export async function moveShard(donor: Donor, shard: number, to: string): Promise<void> {
  donor.pause(shard);
  let afterKey: string | null = null;
  do {
    const chunk = donor.scan(shard, afterKey, BATCH_RECORDS);
    await ship(donor, to, shard, chunk.records);
    afterKey = chunk.nextAfterKey;
  } while (afterKey !== null);
  const map = await donor.commit(shard, to);
  // The new owner must know it owns the shard before the waiting requests are refused and
  // redirected to it, and the donor must know it no longer does before it handles them.
  await donor.tell(to, map);
  donor.adopt(map);
  donor.resume(shard);
  donor.drop(shard);
}

async function ship(donor: Donor, to: string, shard: number, records: readonly ShardRecord[]): Promise<void> {
  if (records.length > 0) await donor.ship(to, shard, records);
}
