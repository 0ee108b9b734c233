/**
 * The tests each course exercise's starter is allowed to pass, each with the reason it really
 * checks the starter's code there. A test that passes on a starter for no reason of its own (a
 * check that returns early, or one whose premise the starter never sets up, such as "an ejected
 * backend" in a balancer that never ejects) tells a learner something is done that is not: such
 * a test must fail, saying what to fix first. validity.test.ts fails when a starter passes a test
 * that is not listed here, and when a listed one no longer passes, so this list stays true.
 */
export const starterPasses: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  capstone: {
    'a production day > builds the store from your components and runs the whole day without an error in their code':
      "the whole day runs through every component with the starter's plan (quorums of one), and every error they raise is recorded",
    'a production day > meets 99.9% availability outside the zone cut':
      "the starter's quorums of one answer whatever a zone cut does; every request of the day outside the cut is counted, and a plan whose quorums a cut can starve (W = 4) or whose routers are too few fails",
    "a production day > keeps 99% of requests answered while a zone is cut off":
      "every request made during the cut is counted; quorums of one are always met, and a plan needing four replicas fails here",
    'a production day > keeps p99 under 40 ms outside the faults and under 120 ms inside them':
      "the p99 of the starter's day is measured inside and outside the fault windows; too few routers for the flash crowd fail",
    'a production day > loses no acknowledged write':
      'every key the day wrote is read after it, and each acknowledged write is looked for; quorums of one happened to keep the latest write of each key here, while their reads were stale (the linearizability test fails)',
    'a production day > runs as many routers as planned, and your capacity plan holds the peak':
      "the starter takes the capacity plan's router count, and the busiest router's utilisation at the peak is measured; two routers per zone fail",
  },
  'capacity-planning': {
    'workersNeeded > returns a whole number of workers, at least one':
      'the starter rounds up with Math.ceil, and every service gets a whole number of workers, at least one; a ' +
      'fractional or zero answer fails',
    'workersPerZone: losing one of 3 availability zones at the busiest hour > returns a whole number of workers per zone, at least one':
      "the starter divides its pool by the zones and rounds up, so every zone gets a whole number of workers, at least one; " +
      'a fractional or zero answer fails',
  },
  'balancer-heterogeneous': {
    '1,200 requests a second over five backends, one slow and one failing > returns only the names of backends it was offered, and never throws':
      "every pick of the starter's round robin in the 6,000-request run is checked against the backends offered",
    'choosing among backends > spreads load over five equal, healthy backends within max/mean 1.145':
      "round robin's spread is measured in a simulated run (about 1.0× the mean); a balancer that favours a position fails",
  },
  'discovery-leases': {
    'the registry > lists an instance as soon as it registers, and lists instances sorted by id':
      "the starter's register and sorted lookup are complete; the lookup is compared with the expected list",
    'the registry > removes an instance at once when it deregisters':
      "the starter's deregister deletes the lease; the lookup right after is compared with the expected list",
    'the client cache > offers no instance before its first refresh':
      "the starter's usable returns the empty list it starts with; anything else fails",
    'the client cache > offers exactly the instances of the latest refresh, in the order the registry sent them':
      "the starter's update replaces the list and its usable returns it; two refreshes are compared with the expected lists",
    'failover in the simulated cluster > raises no errors inside the simulation':
      "the whole failover run goes through the starter's registry and cache, and every error they raise is recorded",
    'failover in the simulated cluster > keeps the p99 of answered requests within the 60 ms the instances were sized for':
      "the starter's usable offers every instance it fetched, and the p99 of the run's answered requests is measured " +
      '(46.7–50.9 ms over seeds 1–100, under the 60 ms bound); instances given too few workers (1 instead of 2) measure 59–98 ms, ' +
      'and a cache that never forgives a failure, leaving fewer instances to carry the load, up to 67 ms',
  },
  'sharding-ring': {
    'consistent-hash ring > maps every key to a node that is in the ring, and refuses lookups on an empty ring':
      "hash-mod-N maps each of 20,000 keys to a member, and the starter's empty ring throws",
    'consistent-hash ring > spreads 30,000 keys over 10 nodes with max/mean below 1.25 at 200 virtual nodes each':
      'hash-mod-N spreads keys evenly; the busiest node is measured (about 1.03× the mean)',
    'consistent-hash ring > ignores adding a node twice or removing one that is not there, and can remove any node':
      "the starter's addNode and removeNode guard against duplicates and unknown ids, and owners are compared before and after",
  },
  'replication-log': {
    'a healthy group: three zones, 3,000 writes/s > raises no errors inside the simulation, in any mode':
      "three whole runs go through the starter's leader and followers, and every error they raise is recorded",
    'a healthy group: three zones, 3,000 writes/s > acknowledges every write, in every mode':
      "the starter's leader appends, syncs and resolves each write; every one of its 3,000 writes per mode must come back acknowledged, and a leader that waits for followers that never answer fails",
    'a healthy group: three zones, 3,000 writes/s > hears of each entry only through the network':
      "the starter's followers append only what its messages bring; each of their appends is timed against the leader's",
    'a healthy group: three zones, 3,000 writes/s > acknowledges in async mode without waiting for followers: p99 at most 3 ms':
      "the starter's leader acknowledges after its own sync, which is what async mode asks; its p99 over 6,000 writes is measured, and waiting for a follower fails",
    'a healthy group: three zones, 3,000 writes/s > sends each entry to each follower about once: at most 1.2 copies when nothing is lost':
      "the starter's leader ships each entry once, when it appends it, and never re-sends; every value its messages carry is counted in three whole runs, and a leader that also ships each entry in a batch fails",
  },
  'replication-failover': {
    'a leader that is alive > is not replaced before its heartbeats have stopped for failAfterMs':
      "the starter detects a dead leader after failAfterMs of silence, as asked; twenty runs time every epoch it starts against the heartbeats the controller received, with heartbeats cut for most of failAfterMs and 2% of the controller's messages lost, and a controller that gives up sooner fails",
    'a leader that is alive > sends (almost) no commands while the leader is alive':
      "the starter sends nothing while its leader's heartbeats arrive, which is what the test asks; every command of the twenty runs without a failover is counted, and a controller that fences its followers on every tick fails",
  },
  'quorum-store': {
    'CP mode: linearizable, and refusing on the minority side > raises no errors and stores only values clients wrote':
      "the starter stores only the values clients put and throws nothing; every value any replica stores is checked against the values clients issued, and every error inside the simulation is collected",
    'CP mode: linearizable, and refusing on the minority side > answers every request while the network is whole':
      "the starter answers from the coordinator's own copy, so every request gets an answer; each request's status is checked, and a store that refuses or times out with every replica reachable fails",
    'CP mode: linearizable, and refusing on the minority side > stays available on the majority side through a 10 s partition':
      'the starter never waits for another replica, which is all the test asks of the majority side; every request of zones b and c during the cut is checked, and a store that waits for all five replicas fails',
    'CP mode: linearizable, and refusing on the minority side > serves the minority side again soon after the partition heals':
      'the starter never refuses, so zone a is served after the heal; every request of zone a from 0.5 s after the heal is checked, and a store that keeps refusing fails',
    'AP mode: available everywhere, and converging after the partition > raises no errors and stores only values clients wrote':
      'as in CP mode: every stored value and every error in the AP run is checked',
    'AP mode: available everywhere, and converging after the partition > answers on both sides through a 10 s partition':
      "the starter answers from the coordinator's own copy on both sides, which is what AP mode promises; every request during the cut is checked, and a store that needs a second replica fails on the minority side",
    'both modes: replicas know only what the network brings them > no replica stores, and no client reads, a value written across the cut before the cut heals':
      "the starter's replicas learn of a write only from the messages it sends; every value stored and every value read during the cuts of three runs is checked against the side it was written on, and replicas that share a map at module level fail",
  },
  'replication-reads': {
    'follower reads > never show a session an older state than it has seen (monotonic reads)':
      "the starter reads each session's nearest replica only, so its reads go back in time only if that replica restarts behind a state it had shown and the key changed in between; every read of 60 runs is checked against the leader's log, and a session that moves between followers without a token fails",
    'follower reads > ask replicas only for indexes the session has been told of':
      "the starter asks every replica for index 0, which is all the test asks; every read of 60 runs has the index it asks for checked against the indexes its session's replies carried, and sessions that share one token fail",
    'follower reads > have followers serve at least 75% of the reads in zones b and c':
      "the starter reads the nearest replica, a follower for zones b and c, which is the point of the test; every read's serving replica is counted, and a session that reads from the leader fails",
    'follower reads > answer the median read in zones b and c within 0.6 ms':
      "the starter reads the replica in its own zone, which is what the test asks; every read's time is measured, and a session that spreads its reads over both followers fails",
  },
  'sharding-router': {
    'the ring the cluster places shards with (yours, ../sharding-ring/ring.ts) > spreads the 32 shards over the groups, at most 20 on one, and moves 1–16 of them, all to g4, when g4 joins':
      "it checks the ring from the previous exercise, not the router: the shard maps are built with the ring and every owner is counted, so the starter router cannot change its verdict",
    "shard router, one request at a time > sends each request to the owner in its map, stamped with the map's epoch":
      'the starter sends to the owner in its map with its epoch; the call and the reply are compared',
    'shard router under a rebalance (1,500 ops/s; g4 joins at t = 2 s) > has every operation answered by the server that owned its key at that moment':
      "every one of the starter's thousands of successful operations is checked against the owner at that moment",
    'shard router under a rebalance (1,500 ops/s; g4 joins at t = 2 s) > answers every operation with a reply served after the client sent it and before the router returned it':
      "every one of the starter's thousands of successful replies has its servedAtMs checked against the moment the client sent the operation and the moment the router returned it",
    'shard router under a rebalance (1,500 ops/s; g4 joins at t = 2 s) > returns only values one copy of the data could give: the gets and puts are linearizable, key by key':
      "the starter forwards every get and put to an owner, and the values its thousands of successful gets returned are checked against the puts by the linearizability checker",
    'moving shards to g4 while clients read and write them (your moveShard) > moves every shard the new map gives g4: a move commits, on its first attempt or a retry':
      "the starter migration is correct when nothing fails but stops the world (the lesson's task is to make it live), and the balancer's retry moves the shard its zone-cut attempt left paused: each moved shard is followed to a commit at the configuration service, and a shard that never commits fails",
    'moving shards to g4 while clients read and write them (your moveShard) > loses no write: after the moves, every key holds a value the clients could have read last':
      "the starter migration pauses the shard for its whole copy, so no write can be missed; all 10,000 keys' final values are checked against the history, and a live copy without catch-up fails",
    'moving shards to g4 while clients read and write them (your moveShard) > ships at most 10% more than the rows the moved shards held and the rows written while they moved':
      "the starter migration ships each shard once; every batch it sends is counted against the rows held and written, and catching up by shipping the shard again fails",
    'moving shards to g4 while clients read and write them (your moveShard) > ends each move with the old and the new owner both holding the map that records it':
      "the starter migration adopts the committed map and tells it to the new owner, as the lesson's phases say; both servers' maps are read at the end of each move, and leaving either to the late push fails",
    'moving shards to g4 while clients read and write them (your moveShard) > leaves no copy of a moved shard on its old owner':
      "the starter migration drops the donor's copy at the end of each move; every server's leftover records are counted after the run, and a move that keeps them fails",
  },
  'raft-election': {
    'safety: one leader per term, whatever the network does > raises no errors, sends only well-formed messages, and elects leaders at all':
      "the starter's messages are checked one by one on their way, and it does elect leaders: its heartbeats are what the other tests read",
    'liveness: a leader soon, and the same leader while it lives > elects a first leader within 600 ms of the start (p99 over the 100 failover and lossy runs)':
      'the starter votes for every candidate, so one round of votes always elects someone (unsafely: the safety tests fail); the time of its first heartbeat is measured in 100 runs',
    'liveness: a leader soon, and the same leader while it lives > elects a new leader within 220 ms (median) and 600 ms (p99) when the leader crashes or is cut off (150 failovers on 50 seeds)':
      "the starter's 150 ms timeout and vote for everyone elect at once after a crash; the time to the next term's heartbeat is measured after 150 crashes and cuts",
    'liveness: a leader soon, and the same leader while it lives > stands for election only after hearing no leader for 150 ms':
      "the starter restarts its 150 ms timer on every heartbeat of its term, and the time from each heartbeat to each stand is measured; a shorter timer fails",
    'liveness: a leader soon, and the same leader while it lives > a leader cut off from the others stops leading within 120 ms of the network healing (50 seeds)':
      "the starter adopts any higher term and stops its heartbeats; every heartbeat of the cut-off leader's old term after the heal is looked for",
  },
  'raft-log': {
    'safety: through crashes, partitions, loss, duplicates and reordering (50 seeds) > raises no errors, elects leaders, and answers at least 40% of the commands':
      "the starter's election works and its leader answers every command it receives at once; errors, leaders and the share answered are counted in 50 runs",
    'throughput > acknowledges at least 5,000 commands a simulated second with 2 ms fsyncs (100 clients, 20 seeds)':
      'the starter acknowledges a command the moment it sends it, so it is fast (unsafely: the safety tests fail); its acknowledged commands are counted in 20 runs',
    'one server, message by message > refuses a command it does not lead for, naming the leader it follows, and follows the leader of its own term as a candidate':
      "the starter's election and its refusals work as in \"Leader election\"; the test checks the refusal a follower and a deposed candidate give, and the candidate's timer",
    'one server, message by message > restarts its election timeout on an Append of its term and on a vote it grants; a candidate that wins nothing stands again':
      "the starter's election timer is the one of \"Leader election\", which already restarts on Appends and votes; each moment it stands is checked with 150 ms timeouts",
    'one server, message by message: the leader keeps the log moving > sends a follower only what it has not acknowledged':
      "the starter's heartbeats already start past what a follower acknowledged; the test reads every Append it sends to a follower that holds its whole log",
  },
  'raft-lease-read': {
    'fast reads > answers at least 90.0% of gets within 1.5 ms on a quiet network, from its lease, and stays linearizable (20 seeds)':
      "the starter's lease is too generous, not too slow: its leader answers gets from its store, and the latency of every get is measured in 20 runs (a layer that sends gets through the log answers none within 1.5 ms)",
    'safe reads: the leader cut off with its clock at its slowest (50 seeds) > loses no acknowledged put, keeps the rules of votes, acknowledgements and commits, and ends with the same store everywhere':
      "the starter passes every message on to the log server unchanged, so puts and votes follow \"The log\"; only its reads are wrong, and lost puts, breaches and final stores are checked in 50 runs",
    'one server, message by message > as a leader that hears of a newer term, stops answering gets from its store at once, though its lease had time left':
      "the starter reads from its store only while its term is the one it sent Appends in; a get before and a get after an Append of term 3 are checked",
    'one server, message by message > as leader, answers a get from its store with every put it has acknowledged':
      "the starter reads env.read at the moment of the get, and its lease holds just after n2 and n3 answered; the value it gives after an acknowledged put is checked",
  },
};
