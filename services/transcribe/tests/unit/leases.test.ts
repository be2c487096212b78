// Shard leases with an in-memory lease table and a clock that moves only when told: the balance rule, taking free
// and expired leases, hand-over on request, and a lease that cannot be renewed stopping its shard in time.
import { describe, expect, test } from 'vitest';
import { LeaseCoordinator, type LeaseListener, type ObservedLease, planLeases } from '#worker/leases';
import type { ShardCheckpoint, ShardLease } from '#worker/ports';
import { MemoryLeaseStore } from '../fakes.ts';

const LEASE_MS = 10_000;
const RENEW_MS = 3_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const noMetrics = { latency: () => undefined, count: () => undefined };

function lease(shardId: string, owner?: string, extra: Partial<ObservedLease> = {}): ObservedLease {
  return { shardId, parents: [], counter: 1, expired: false, ...(owner ? { owner } : {}), ...extra };
}

describe('planLeases (the balance rule)', () => {
  test('a lone worker takes every free lease', () => {
    const plan = planLeases('a', [lease('s1'), lease('s2'), lease('s3'), lease('s4')], new Set(['a']));
    expect(plan.take.map((l) => l.shardId)).toEqual(['s1', 's2', 's3', 's4']);
  });

  test('takes free and expired leases up to ceil(shards / workers), free ones first', () => {
    const leases = [lease('s1', 'b', { expired: true }), lease('s2'), lease('s3', 'b'), lease('s4', 'c')];
    const plan = planLeases('a', leases, new Set(['a', 'b', 'c']));
    expect(plan.take.map((l) => l.shardId)).toEqual(['s2', 's1']);
    expect(plan.request).toBeUndefined();
  });

  test('with nothing free, asks the most loaded worker above the target for one lease', () => {
    const leases = [lease('s1', 'b'), lease('s2', 'b'), lease('s3', 'b'), lease('s4', 'b')];
    expect(planLeases('a', leases, new Set(['a', 'b'])).request).toEqual({ shardId: 's1', owner: 'b' });
    // 4 shards, 3 workers: the target is 2; b at 2 is not above it.
    const balanced = [lease('s1', 'b'), lease('s2', 'b'), lease('s3', 'c'), lease('s4', 'a')];
    expect(planLeases('a', balanced, new Set(['a', 'b', 'c'])).request).toBeUndefined();
  });

  test('hands a requested lease over only while above the target and to a live worker', () => {
    const mine = [lease('s1', 'a', { pendingOwner: 'b' }), lease('s2', 'a', { pendingOwner: 'c' }), lease('s3', 'a')];
    expect(planLeases('a', [...mine, lease('s4', 'a')], new Set(['a', 'b'])).requested).toEqual([
      { shardId: 's1', to: 'b', handOver: true },
      { shardId: 's2', to: 'c', handOver: false }, // c is not alive
    ]);
    expect(planLeases('a', [...mine, lease('s4', 'b')], new Set(['a', 'b', 'c'])).requested).toEqual([
      { shardId: 's1', to: 'b', handOver: true },
      { shardId: 's2', to: 'c', handOver: false }, // a is down to the target: ceil(4 shards / 3 workers)
    ]);
  });

  test('a shard split from another waits until its parent was read to the end', () => {
    const ended: ShardCheckpoint = { position: { type: 'SHARD_END' }, sessions: {} };
    const child = lease('s2', undefined, { parents: ['s1'] });
    expect(planLeases('a', [lease('s1', 'b'), child], new Set(['a', 'b'])).take).toEqual([]);
    const plan = planLeases('a', [lease('s1', undefined, { checkpoint: ended }), child], new Set(['a', 'b']));
    expect(plan.take.map((l) => l.shardId)).toEqual(['s2']);
  });
});

class Harness {
  readonly acquired: string[] = [];
  readonly lost: string[] = [];
  readonly handedOver: string[] = [];
  readonly coordinator: LeaseCoordinator;

  constructor(
    id: string,
    store: MemoryLeaseStore,
    readonly time: { now: number },
  ) {
    const listener: LeaseListener = {
      acquired: (l: ShardLease) => this.acquired.push(l.shardId),
      lost: (shardId) => this.lost.push(shardId),
      handOver: async (shardId): Promise<ShardCheckpoint> => {
        this.handedOver.push(shardId);
        return { position: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '42' }, highWater: '45', sessions: {} };
      },
      checkpoint: () => undefined,
    };
    this.coordinator = new LeaseCoordinator(
      id,
      store,
      listener,
      { now: () => time.now },
      { leaseMs: LEASE_MS, renewMs: RENEW_MS },
      quiet,
      noMetrics,
    );
  }
}

async function shards(store: MemoryLeaseStore, n: number) {
  for (let i = 1; i <= n; i++) await store.create(`s${i}`, []);
}

describe('LeaseCoordinator', () => {
  test('a second worker gets half the shards by hand-over, with the checkpoint of each', async () => {
    const store = new MemoryLeaseStore();
    await shards(store, 4);
    const time = { now: 0 };
    const a = new Harness('a', store, time);
    await a.coordinator.cycle();
    expect(a.coordinator.shards.sort()).toEqual(['s1', 's2', 's3', 's4']);

    const b = new Harness('b', store, time);
    for (let round = 0; round < 3; round++) {
      time.now += RENEW_MS;
      await b.coordinator.cycle();
      await a.coordinator.cycle();
    }
    await b.coordinator.cycle();
    expect(a.coordinator.shards).toHaveLength(2);
    expect(b.coordinator.shards).toHaveLength(2);
    expect(a.handedOver.sort()).toEqual(b.acquired.sort());
    expect(a.lost).toEqual([]);
    for (const shardId of b.coordinator.shards) {
      expect(store.leases.get(shardId)?.checkpoint?.highWater).toBe('45');
      expect(store.leases.get(shardId)?.owner).toBe('b');
    }
  });

  test("a dead worker's leases are taken a lease period after their counters stopped, never earlier", async () => {
    const store = new MemoryLeaseStore();
    await shards(store, 2);
    const time = { now: 0 };
    const a = new Harness('a', store, time);
    const b = new Harness('b', store, time);
    await a.coordinator.cycle();
    await b.coordinator.cycle();
    expect(a.coordinator.shards).toHaveLength(2);
    expect(b.coordinator.shards).toHaveLength(0);

    // a stops renewing (killed) at t = 0.
    let takenAt: number | undefined;
    while (takenAt === undefined) {
      time.now += 1_000;
      await b.coordinator.cycle();
      if (b.coordinator.shards.length === 2) takenAt = time.now;
      // The dead worker, if it could still look, would already consider the leases gone.
      if (b.coordinator.shards.length > 0) expect(a.coordinator.owns('s1') || a.coordinator.owns('s2')).toBe(false);
    }
    expect(takenAt).toBeGreaterThanOrEqual(LEASE_MS);
    expect(takenAt).toBeLessThanOrEqual(LEASE_MS + RENEW_MS);
  });

  test('a lease another worker took is lost at the next look, and its shard stops', async () => {
    const store = new MemoryLeaseStore();
    await shards(store, 1);
    const time = { now: 0 };
    const a = new Harness('a', store, time);
    await a.coordinator.cycle();
    // Someone took it (after seeing it expire, say).
    const seen = store.leases.get('s1')!;
    await store.take(seen, 'intruder');
    time.now += RENEW_MS;
    await a.coordinator.cycle();
    expect(a.lost).toEqual(['s1']);
    expect(a.coordinator.owns('s1')).toBe(false);
    // A renewal (a checkpoint write) on a lease that is gone is refused too.
    expect(await a.coordinator.renew('s1')).toBe(false);
  });

  test('a worker that cannot renew gives its leases up before anyone else may take them', async () => {
    const store = new MemoryLeaseStore();
    await shards(store, 1);
    const time = { now: 0 };
    const a = new Harness('a', store, time);
    await a.coordinator.cycle();
    store.unreachable = true;
    time.now += RENEW_MS;
    await a.coordinator.cycle();
    expect(a.coordinator.owns('s1')).toBe(true);
    time.now = LEASE_MS - RENEW_MS;
    expect(a.coordinator.owns('s1')).toBe(false);
    await a.coordinator.cycle();
    expect(a.lost).toEqual(['s1']);
  });

  test('a worker that cannot read the table still renews the leases it holds', async () => {
    const store = new MemoryLeaseStore();
    await shards(store, 1);
    const time = { now: 0 };
    const a = new Harness('a', store, time);
    await a.coordinator.cycle();
    store.scansFail = true;
    for (let i = 0; i < 10; i++) {
      time.now += RENEW_MS;
      await a.coordinator.cycle();
    }
    expect(a.coordinator.owns('s1')).toBe(true);
    expect(a.lost).toEqual([]);
  });

  test('a checkpoint write renews the lease and is what a new owner starts from', async () => {
    const store = new MemoryLeaseStore();
    await shards(store, 1);
    const time = { now: 0 };
    const a = new Harness('a', store, time);
    await a.coordinator.cycle();
    const checkpoint: ShardCheckpoint = {
      position: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '7' },
      highWater: '9',
      sessions: { s_session0001: { resumeFrom: 12, inUtterance: true } },
    };
    time.now += 5_000;
    expect(await a.coordinator.renew('s1', { checkpoint })).toBe(true);
    time.now += 3_000; // 8 s after the take, 3 s after the checkpoint write
    expect(a.coordinator.owns('s1')).toBe(true);
    expect(store.leases.get('s1')?.checkpoint).toEqual(checkpoint);
  });

  test('a graceful release frees the lease for the next worker at once', async () => {
    const store = new MemoryLeaseStore();
    await shards(store, 1);
    const time = { now: 0 };
    const a = new Harness('a', store, time);
    const b = new Harness('b', store, time);
    await a.coordinator.cycle();
    await b.coordinator.cycle();
    await a.coordinator.release('s1', {
      position: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '5' },
      sessions: {},
    });
    await b.coordinator.cycle();
    expect(b.coordinator.shards).toEqual(['s1']);
    expect(store.leases.get('s1')?.checkpoint?.position).toEqual({
      type: 'AFTER_SEQUENCE_NUMBER',
      sequenceNumber: '5',
    });
  });
});
