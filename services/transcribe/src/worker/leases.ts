// Shard leases: which worker reads which shard of the audio stream. Each worker renews its leases well before they
// expire, takes free and expired ones, and asks a loaded worker to hand one over, so that the shards end up shared
// fairly among the live workers. Every change of owner is a conditional write (see LeaseStore), and a worker that
// cannot renew a lease in time stops reading its shard before anyone else may take it.
import type { Clock, ServiceLog, ServiceMetrics } from '#core/ports';
import type { LeaseStore, ShardCheckpoint, ShardLease } from './ports.ts';

export interface LeaseSettings {
  /** A lease whose counter has not moved for this long (as this worker observes it) is expired: anyone may take it. */
  leaseMs: number;
  /** How often a worker renews its leases, writes its heartbeat and looks at the table. */
  renewMs: number;
}

export interface LeaseListener {
  /** A lease was taken or handed to this worker: read the shard from its checkpoint. */
  acquired(lease: ShardLease): void;
  /** A lease was lost (taken by another worker, or not renewed in time): stop reading the shard at once. */
  lost(shardId: string): void;
  /** Another worker asked for the shard: stop reading it and return the checkpoint to hand over with it. */
  handOver(shardId: string): Promise<ShardCheckpoint>;
  /** The shard's latest checkpoint, written with each renewal. */
  checkpoint(shardId: string): ShardCheckpoint | undefined;
}

/** A lease as a worker sees it: `expired` when its counter has not moved for a lease period. */
export type ObservedLease = ShardLease & { expired: boolean };

export interface LeasePlan {
  /** Free or expired leases to take now. */
  take: ObservedLease[];
  /** A lease of an over-loaded worker to ask for (when nothing is free). */
  request?: { shardId: string; owner: string };
  /** Own leases another worker asked for: hand them over (true) or keep them (false, the request is declined). */
  requested: { shardId: string; to: string; handOver: boolean }[];
}

/** A shard that may be read: not read to its end, and every parent it was split from was read to its end. */
export function isReadable(lease: ShardLease, byShard: ReadonlyMap<string, ShardLease>): boolean {
  if (lease.checkpoint?.position.type === 'SHARD_END') return false;
  return lease.parents.every((id) => {
    const parent = byShard.get(id);
    return parent === undefined || parent.checkpoint?.position.type === 'SHARD_END';
  });
}

/**
 * The balance rule. With S readable shards and W live workers, each worker aims at ceil(S / W) leases: it takes free
 * or expired leases up to that target, free ones first; when none is left and it holds fewer, it asks a worker that
 * holds more than the target for one. An owner hands a requested lease over while it holds more than the target
 * and the requester is alive; otherwise it declines.
 */
export function planLeases(me: string, leases: readonly ObservedLease[], liveWorkers: ReadonlySet<string>): LeasePlan {
  const byShard = new Map(leases.map((l) => [l.shardId, l]));
  const readable = leases.filter((l) => isReadable(l, byShard));
  const workers = Math.max(1, new Set([...liveWorkers, me]).size);
  const target = Math.ceil(readable.length / workers);
  const mine = readable.filter((l) => l.owner === me);

  const available = readable
    .filter((l) => l.owner !== me && (l.owner === undefined || l.expired))
    .sort(
      (a, b) => Number(a.owner !== undefined) - Number(b.owner !== undefined) || a.shardId.localeCompare(b.shardId),
    );
  const take = available.slice(0, Math.max(0, target - mine.length));

  let request: LeasePlan['request'];
  if (take.length === 0 && mine.length < target) {
    const held = new Map<string, ObservedLease[]>();
    for (const lease of readable) {
      if (lease.owner === undefined || lease.owner === me || lease.expired) continue;
      held.set(lease.owner, [...(held.get(lease.owner) ?? []), lease]);
    }
    const [owner, theirs] = [...held].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0] ?? [];
    const candidate = owner && theirs && theirs.length > target ? theirs.find((l) => !l.pendingOwner) : undefined;
    if (owner && candidate) request = { shardId: candidate.shardId, owner };
  }

  let kept = mine.length;
  const requested: LeasePlan['requested'] = [];
  for (const lease of mine) {
    if (!lease.pendingOwner || lease.pendingOwner === me) continue;
    const handOver = kept > target && liveWorkers.has(lease.pendingOwner);
    if (handOver) kept--;
    requested.push({ shardId: lease.shardId, to: lease.pendingOwner, handOver });
  }
  return { take, ...(request ? { request } : {}), requested };
}

interface Owned {
  /** When the last successful renewal started: the lease is ours until `renewedAt + leaseMs - renewMs`. */
  renewedAt: number;
  /** Renewals and checkpoint writes of one lease run one after another, the latest checkpoint last. */
  writing: Promise<unknown>;
}

/** Keeps this worker's leases: one `cycle()` per renewal period, `renew()` whenever a checkpoint is due. */
export class LeaseCoordinator {
  private readonly owned = new Map<string, Owned>();
  /** When this worker first saw each lease's counter (and owner) as they are now. */
  private readonly leaseSeen = new Map<string, { counter: number; owner: string | undefined; since: number }>();
  private readonly workerSeen = new Map<string, { counter: number; since: number }>();
  private live = new Set<string>();

  constructor(
    readonly workerId: string,
    private readonly store: LeaseStore,
    private readonly listener: LeaseListener,
    private readonly clock: Clock,
    private readonly settings: LeaseSettings,
    private readonly log: ServiceLog,
    private readonly metrics: ServiceMetrics,
  ) {
    if (settings.renewMs * 2 >= settings.leaseMs) {
      throw new RangeError(`renewMs (${settings.renewMs}) must be under half of leaseMs (${settings.leaseMs})`);
    }
  }

  /** Shards this worker holds a lease on. */
  get shards(): string[] {
    return [...this.owned.keys()];
  }

  /** Workers seen alive at the last cycle, this one included. */
  get liveWorkers(): ReadonlySet<string> {
    return this.live;
  }

  /**
   * Whether the lease is still ours: renewed recently enough that no other worker can have taken it yet (another
   * worker waits a whole lease period after it last saw the counter move; this one stops a renewal period earlier).
   */
  owns(shardId: string): boolean {
    const own = this.owned.get(shardId);
    return !!own && this.clock.now() - own.renewedAt < this.settings.leaseMs - this.settings.renewMs;
  }

  /** One round: heartbeat, read the table, follow the plan, renew what is due. Errors are logged, never thrown. */
  async cycle(): Promise<void> {
    try {
      await this.store.beat(this.workerId);
    } catch (error) {
      this.log.warn('worker heartbeat failed', { workerId: this.workerId, error: (error as Error).message });
    }
    let table: Awaited<ReturnType<LeaseStore['scan']>>;
    try {
      table = await this.store.scan();
    } catch (error) {
      // Nothing is taken or handed over without a fresh look at the table, but owned leases are still renewed.
      this.log.warn('lease table unreadable', { workerId: this.workerId, error: (error as Error).message });
      await this.renewDue();
      this.expireUnrenewed();
      return;
    }
    const now = this.clock.now();
    this.observeWorkers(table.workers, now);
    const leases = table.leases.map((lease) => this.observeLease(lease, now));

    for (const shardId of [...this.owned.keys()]) {
      const lease = leases.find((l) => l.shardId === shardId);
      if (lease?.owner !== this.workerId) this.lose(shardId, 'owned by another worker now');
    }
    for (const lease of leases) {
      // Handed to this worker by its previous owner (or held by an earlier run under the same worker id, which is
      // gone: ids are unique among live workers). Counted as renewed a period ago, so it is renewed at once below.
      if (lease.owner === this.workerId && !this.owned.has(lease.shardId)) {
        this.acquire(lease, now - this.settings.renewMs, 'handed over');
      }
    }

    const plan = planLeases(this.workerId, leases, this.live);
    for (const { shardId, to, handOver } of plan.requested) {
      if (handOver) await this.handOver(shardId, to);
      else await this.renew(shardId, { decline: true });
    }
    for (const lease of plan.take) {
      const started = this.clock.now();
      try {
        const taken = await this.store.take(lease, this.workerId);
        if (taken) this.acquire(taken, started, lease.owner ? `expired (was ${lease.owner})` : 'free');
      } catch (error) {
        this.log.warn('lease take failed', { shardId: lease.shardId, error: (error as Error).message });
      }
    }
    if (plan.request) {
      await this.store
        .request(plan.request.shardId, plan.request.owner, this.workerId)
        .catch((error: Error) => this.log.warn('lease request failed', { ...plan.request, error: error.message }));
    }
    await this.renewDue();
    this.expireUnrenewed();
  }

  /** Renews the owned leases not renewed (nor checkpointed) for a renewal period. */
  private async renewDue(): Promise<void> {
    const due = this.clock.now() - this.settings.renewMs;
    await Promise.all(
      [...this.owned].filter(([, own]) => own.renewedAt <= due).map(([shardId]) => this.renew(shardId)),
    );
  }

  /**
   * Renews an owned lease, with the shard's latest checkpoint (or `checkpoint`). False when the lease is not ours
   * any more (it is then given up) or the write failed (retried by the next cycle).
   */
  renew(shardId: string, options: { checkpoint?: ShardCheckpoint; decline?: boolean } = {}): Promise<boolean> {
    const own = this.owned.get(shardId);
    if (!own) return Promise.resolve(false);
    const write = own.writing.then(async () => {
      if (this.owned.get(shardId) !== own) return false;
      const started = this.clock.now();
      try {
        const checkpoint = options.checkpoint ?? this.listener.checkpoint(shardId);
        const renewed = await this.store.renew(shardId, this.workerId, checkpoint, options.decline ?? false);
        if (this.owned.get(shardId) !== own) return false;
        if (!renewed) {
          this.lose(shardId, 'renewal refused');
          return false;
        }
        own.renewedAt = Math.max(own.renewedAt, started);
        return true;
      } catch (error) {
        this.log.warn('lease renewal failed', { shardId, error: (error as Error).message });
        return false;
      }
    });
    own.writing = write.catch(() => undefined);
    return write;
  }

  /** Frees an owned lease with its final checkpoint (a graceful stop). */
  async release(shardId: string, checkpoint: ShardCheckpoint): Promise<boolean> {
    const own = this.owned.get(shardId);
    if (!own) return false;
    await own.writing;
    this.owned.delete(shardId);
    try {
      const released = await this.store.release(shardId, this.workerId, checkpoint);
      if (released) this.metrics.count('LeasesReleased');
      return released;
    } catch (error) {
      this.log.warn('lease release failed; it expires instead', { shardId, error: (error as Error).message });
      return false;
    }
  }

  /** Gives up every lease silently (the process is going away without a graceful stop). */
  forget(): void {
    this.owned.clear();
  }

  private async handOver(shardId: string, to: string): Promise<void> {
    const own = this.owned.get(shardId);
    if (!own) return;
    const checkpoint = await this.listener.handOver(shardId);
    await own.writing;
    this.owned.delete(shardId);
    try {
      if (await this.store.handOver(shardId, this.workerId, to, checkpoint)) {
        this.metrics.count('LeasesHandedOver');
        this.log.info('lease handed over', { shardId, to });
        return;
      }
      this.log.warn('lease hand-over refused (not ours any more)', { shardId, to });
    } catch (error) {
      this.log.warn('lease hand-over failed; it expires instead', { shardId, to, error: (error as Error).message });
    }
  }

  private acquire(lease: ShardLease, renewedAt: number, how: string): void {
    this.owned.set(lease.shardId, { renewedAt, writing: Promise.resolve() });
    this.metrics.count('LeasesTaken');
    this.log.info('lease taken', { shardId: lease.shardId, workerId: this.workerId, how });
    this.listener.acquired(lease);
  }

  private lose(shardId: string, why: string): void {
    if (!this.owned.delete(shardId)) return;
    this.metrics.count('LeasesLost');
    this.log.warn('lease lost; the shard is no longer read here', { shardId, workerId: this.workerId, why });
    this.listener.lost(shardId);
  }

  /** A lease not renewed in time is given up before any other worker may take it. */
  private expireUnrenewed(): void {
    for (const shardId of [...this.owned.keys()]) {
      if (!this.owns(shardId)) this.lose(shardId, 'not renewed in time');
    }
  }

  private observeLease(lease: ShardLease, now: number): ObservedLease {
    const seen = this.leaseSeen.get(lease.shardId);
    if (!seen || seen.counter !== lease.counter || seen.owner !== lease.owner) {
      this.leaseSeen.set(lease.shardId, { counter: lease.counter, owner: lease.owner, since: now });
      return { ...lease, expired: false };
    }
    return { ...lease, expired: lease.owner !== undefined && now - seen.since >= this.settings.leaseMs };
  }

  private observeWorkers(workers: readonly { workerId: string; counter: number }[], now: number): void {
    const live = new Set<string>([this.workerId]);
    for (const { workerId, counter } of workers) {
      const seen = this.workerSeen.get(workerId);
      if (!seen || seen.counter !== counter) this.workerSeen.set(workerId, { counter, since: now });
      if (now - (this.workerSeen.get(workerId)?.since ?? now) < this.settings.leaseMs) live.add(workerId);
    }
    this.live = live;
  }
}
