// Use case: consume the audio stream as one of several long-running workers.
//   input: the stream's shards (read with iterators), the lease table shared with the other workers
//   output: what the Transcriber publishes (partials, finals), and each owned shard's checkpoint
//   primary course: every renewal period, take part in the leases (renew, take free or expired ones, balance); for
//   each owned shard, read records from its checkpoint (subscribed as the stream's registered consumer, or else at
//   most one GetRecords per poll interval), and hand them to
//   the one Transcriber that keeps every session's recogniser for the session's life; checkpoint about once a
//   second; on a lost lease stop the shard at once; on a hand-over request stop it and pass its checkpoint on; on a
//   graceful stop finalize the utterances in progress, checkpoint after them and free the leases.
import type { Clock, ServiceLog, ServiceMetrics } from '#core/ports';
import type { Transcriber } from '#core/transcriber';
import { LeaseCoordinator } from './leases.ts';
import {
  ExpiredIteratorError,
  type LeaseStore,
  ReadThrottledError,
  type ShardBatch,
  type ShardCheckpoint,
  type ShardLease,
  type ShardSource,
  type StreamPosition,
} from './ports.ts';
import { ShardConsumer, type ShardConsumerSettings } from './shard-consumer.ts';

export interface StreamWorkerSettings extends ShardConsumerSettings {
  /** See LeaseSettings. */
  leaseMs: number;
  renewMs: number;
  /** Least time between two GetRecords on one shard (Kinesis allows 5 a second per shard: 200 ms). */
  pollMs: number;
  /** How often each owned shard's checkpoint is written (when its reading moved on). */
  checkpointMs: number;
  /** Records per GetRecords. */
  batchSize: number;
  /** Where a shard without a checkpoint is read from. */
  initialPosition: 'LATEST' | 'TRIM_HORIZON';
  /** How often the stream's shards are listed (new shards after a reshard get a lease). */
  shardDiscoveryMs: number;
}

export interface StreamWorkerDeps {
  workerId: string;
  transcriber: Transcriber;
  leases: LeaseStore;
  source: ShardSource;
  clock: Clock;
  log: ServiceLog;
  metrics: ServiceMetrics;
  settings: StreamWorkerSettings;
}

interface OwnedShard {
  consumer: ShardConsumer;
  abort: AbortController;
  loop: Promise<void>;
  /** The checkpoint last handed to the lease for writing, and when. */
  checkpointedAt: number;
  moved: boolean;
  /** When idle sessions of the shard were last looked for (also after every batch). */
  sweptAt: number;
}

const MAX_BACKOFF_MS = 2_000;
const IDLE_SWEEP_MS = 5_000;

export class StreamWorker {
  readonly coordinator: LeaseCoordinator;
  private readonly shards = new Map<string, OwnedShard>();
  private running = false;
  private cycleAbort = new AbortController();
  private cycling: Promise<void> | undefined;
  private lastDiscovery = Number.NEGATIVE_INFINITY;
  /** Sessions being forgotten after their shard was lost or handed over. */
  private dropping: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: StreamWorkerDeps) {
    this.coordinator = new LeaseCoordinator(
      deps.workerId,
      deps.leases,
      {
        acquired: (lease) => this.startShard(lease),
        lost: (shardId) => void this.stopShard(shardId, 'lost'),
        handOver: (shardId) => this.stopShard(shardId, 'handed over'),
        checkpoint: (shardId) => this.shards.get(shardId)?.consumer.checkpoint(),
      },
      deps.clock,
      { leaseMs: deps.settings.leaseMs, renewMs: deps.settings.renewMs },
      deps.log,
      deps.metrics,
    );
  }

  get workerId(): string {
    return this.deps.workerId;
  }

  /** Shards this worker reads now. */
  get ownedShards(): string[] {
    return [...this.shards.keys()].sort();
  }

  /** Starts taking part in the leases: the first round runs before this resolves. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.cycleAbort = new AbortController();
    await this.round();
    this.cycling = this.cycleLoop();
  }

  /**
   * Graceful stop: no new leases; each shard's reading stops, the utterances in progress end as finals, and the
   * leases are freed with checkpoints after them, so another worker carries on at once. Resolves when all is done.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.cycleAbort.abort();
    await this.cycling;
    const owned = [...this.shards];
    for (const [, shard] of owned) shard.abort.abort();
    await Promise.all(owned.map(([, shard]) => shard.loop));
    await this.dropping;
    const sessions = new Set(owned.flatMap(([, shard]) => [...shard.consumer.sessions]));
    await this.deps.transcriber.shutdown(sessions);
    for (const [shardId, shard] of owned) {
      this.shards.delete(shardId);
      await this.coordinator.release(shardId, shard.consumer.checkpoint());
    }
    await this.deps.leases
      .retire(this.deps.workerId)
      .catch((error: Error) => this.deps.log.warn('heartbeat not removed', { error: error.message }));
    await this.deps.transcriber.shutdown();
    this.deps.log.info('stream worker stopped', { workerId: this.deps.workerId });
  }

  private async cycleLoop(): Promise<void> {
    while (this.running) {
      if (!(await sleep(this.deps.settings.renewMs, this.cycleAbort.signal))) return;
      await this.round();
    }
  }

  private async round(): Promise<void> {
    const now = this.deps.clock.now();
    if (now - this.lastDiscovery >= this.deps.settings.shardDiscoveryMs) {
      try {
        for (const shard of await this.deps.source.listShards())
          await this.deps.leases.create(shard.shardId, shard.parents);
        this.lastDiscovery = now;
      } catch (error) {
        this.deps.log.warn('cannot list the stream shards', { error: (error as Error).message });
      }
    }
    await this.coordinator.cycle();
    for (const shardId of this.shards.keys()) {
      if (!this.coordinator.shards.includes(shardId)) void this.stopShard(shardId, 'lost');
    }
  }

  private startShard(lease: ShardLease): void {
    if (!this.running) return;
    const { settings } = this.deps;
    const consumer = new ShardConsumer(
      lease.shardId,
      lease.checkpoint,
      { type: settings.initialPosition },
      this.deps,
      settings,
    );
    const shard: OwnedShard = {
      consumer,
      abort: new AbortController(),
      loop: Promise.resolve(),
      checkpointedAt: this.deps.clock.now(),
      moved: false,
      sweptAt: this.deps.clock.now(),
    };
    this.shards.set(lease.shardId, shard);
    this.deps.log.info('reading shard', {
      shardId: lease.shardId,
      from: consumer.readFrom,
      sessions: Object.keys(lease.checkpoint?.sessions ?? {}).length,
    });
    // After the sessions of a lost shard were forgotten, so a shard that comes back starts clean.
    shard.loop = this.dropping.then(() => this.readShard(lease.shardId, shard));
  }

  /** Stops reading a shard; the sessions it fed are forgotten (lost) and its checkpoint returned (hand-over). */
  private async stopShard(shardId: string, why: 'lost' | 'handed over'): Promise<ShardCheckpoint> {
    const shard = this.shards.get(shardId);
    if (!shard) return { position: { type: 'LATEST' }, sessions: {} };
    this.shards.delete(shardId);
    shard.abort.abort();
    await shard.loop;
    const checkpoint = shard.consumer.checkpoint();
    this.dropping = this.dropping.then(() => this.deps.transcriber.drop(shard.consumer.sessions));
    await this.dropping;
    this.deps.log.info('stopped reading shard', { shardId, why });
    return checkpoint;
  }

  private readShard(shardId: string, shard: OwnedShard): Promise<void> {
    const { subscribe } = this.deps.source;
    return subscribe ? this.subscribeShard(shardId, shard, subscribe) : this.pollShard(shardId, shard);
  }

  /** Standard iterators: one GetRecords per poll interval at most. */
  private async pollShard(shardId: string, shard: OwnedShard): Promise<void> {
    const { source, settings, clock } = this.deps;
    const { signal } = shard.abort;
    let iterator: string | undefined;
    let lastRead = Number.NEGATIVE_INFINITY;
    let backoff = settings.pollMs;
    while (!signal.aborted) {
      const wait = lastRead + settings.pollMs - clock.now();
      if (wait > 0 && !(await sleep(wait, signal))) return;
      // A lease that could not be renewed in time stops the shard before anyone else may take it.
      if (!this.coordinator.owns(shardId)) return;
      try {
        if (iterator === undefined) {
          iterator = await this.iterator(shardId, shard.consumer.readFrom);
          shard.consumer.startedReading();
        }
        lastRead = clock.now();
        const batch = await source.read(iterator, settings.batchSize);
        if (signal.aborted || !this.coordinator.owns(shardId)) return;
        if (batch.records.length === 0) await this.sweepIfIdle(shard);
        if (!(await this.take(shardId, shard, batch))) return;
        backoff = settings.pollMs;
        iterator = batch.next;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ExpiredIteratorError) {
          iterator = undefined;
          continue;
        }
        if (!(await this.backOff(shardId, error, backoff, signal))) return;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /**
   * Enhanced fan-out: the shard's records pushed as the stream takes them; a subscription that ends (Kinesis ends
   * each after 5 minutes, or another took it over) is renewed from after the last record handled.
   */
  private async subscribeShard(
    shardId: string,
    shard: OwnedShard,
    subscribe: NonNullable<ShardSource['subscribe']>,
  ): Promise<void> {
    const { settings } = this.deps;
    const { signal } = shard.abort;
    let backoff = settings.pollMs;
    while (!signal.aborted) {
      if (!this.coordinator.owns(shardId)) return;
      try {
        const from = shard.consumer.readFrom;
        shard.consumer.startedReading();
        // Ended with the shard's reading, or on leaving this loop (its HTTP/2 stream closes).
        const ending = new AbortController();
        const batches = subscribe(shardId, from, AbortSignal.any([signal, ending.signal]))[Symbol.asyncIterator]();
        let next = batches.next();
        try {
          for (;;) {
            // A quiet shard still gives back the recognisers of sessions gone silent (never mid-batch).
            const step = await settleWithin(next, shard.sweptAt + IDLE_SWEEP_MS - this.deps.clock.now());
            if (signal.aborted || !this.coordinator.owns(shardId)) return;
            if (step === undefined) {
              await this.sweepIfIdle(shard);
              continue;
            }
            if (step.done) break;
            backoff = settings.pollMs;
            if (!(await this.take(shardId, shard, step.value))) return;
            next = batches.next();
          }
        } finally {
          // Leaving mid-subscription (lease lost, stopping): what the subscription still does fails unseen.
          next.catch(() => undefined);
          ending.abort();
          batches.return?.().catch(() => undefined);
        }
      } catch (error) {
        if (signal.aborted) return;
        if (!(await this.backOff(shardId, error, backoff, signal))) return;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /**
   * One batch read or pushed: handed to the transcriber, the checkpoint written about once a checkpoint period.
   * False once the shard was read to its end (its lease is released, its reading over).
   */
  private async take(shardId: string, shard: OwnedShard, batch: ShardBatch): Promise<boolean> {
    const { settings, clock, log } = this.deps;
    if (batch.records.length > 0) {
      await shard.consumer.handle(batch.records);
      shard.moved = true;
      shard.sweptAt = clock.now();
    }
    if (batch.next === undefined) {
      log.info('shard read to its end', { shardId });
      this.shards.delete(shardId);
      await this.coordinator.release(shardId, shard.consumer.finished());
      return false;
    }
    if (shard.moved && clock.now() - shard.checkpointedAt >= settings.checkpointMs) {
      shard.moved = false;
      shard.checkpointedAt = clock.now();
      // Not awaited: the write goes out while reading goes on (the coordinator writes one lease at a time).
      void this.coordinator.renew(shardId, { checkpoint: shard.consumer.checkpoint() });
    }
    return true;
  }

  /** Gives back the recognisers of the shard's sessions gone silent, once per idle-sweep period. */
  private async sweepIfIdle(shard: OwnedShard): Promise<void> {
    if (this.deps.clock.now() - shard.sweptAt < IDLE_SWEEP_MS) return;
    shard.sweptAt = this.deps.clock.now();
    await this.deps.transcriber.releaseIdle(shard.consumer.sessions);
  }

  /** A failed read or subscription: counted or logged, then a wait; false if the shard stopped meanwhile. */
  private backOff(shardId: string, error: unknown, ms: number, signal: AbortSignal): Promise<boolean> {
    if (error instanceof ReadThrottledError) this.deps.metrics.count('ReadsThrottled');
    else this.deps.log.warn('reading a shard failed; retrying', { shardId, error: (error as Error).message });
    return sleep(ms, signal);
  }

  /** An iterator at the position; a checkpoint's record trimmed from the stream meanwhile falls back to its start. */
  private async iterator(shardId: string, from: StreamPosition): Promise<string> {
    try {
      return await this.deps.source.iterator(shardId, from);
    } catch (error) {
      if ((error as Error).name !== 'InvalidArgumentException' || !('sequenceNumber' in from)) throw error;
      this.deps.log.warn('checkpoint no longer on the stream; reading from the oldest record', { shardId });
      return this.deps.source.iterator(shardId, { type: 'TRIM_HORIZON' });
    }
  }
}

/** The promise's result if it settles within `ms`, else undefined (the promise goes on; no timer is left behind). */
async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
