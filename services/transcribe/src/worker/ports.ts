// What the stream worker needs from the outside: the audio stream's shards (read with iterators) and a lease store
// where workers share those shards and keep each shard's checkpoint.
import type { SessionResume } from '#core/transcriber';

export type { SessionResume };

/** Where reading a shard starts (Kinesis' iterator types). */
export type StreamPosition =
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' }
  | { type: 'AT_SEQUENCE_NUMBER'; sequenceNumber: string }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string }
  /** Records the stream took at or after `timestamp` (epoch ms). */
  | { type: 'AT_TIMESTAMP'; timestamp: number };

/** What a new owner of a shard needs to carry on where the last one stopped. */
export interface ShardCheckpoint {
  /** Where reading resumes; `SHARD_END` once a closed shard was read to its end. */
  position: StreamPosition | { type: 'SHARD_END' };
  /**
   * The last record the previous owner handled: a replay publishes no partials up to it (listeners saw them; they
   * would flicker back).
   */
  highWater?: string;
  /** Each session whose records follow `position`: where its replay resumes, or that it ended. */
  sessions: Record<string, SessionResume>;
}

export interface ShardLease {
  shardId: string;
  /** Shards this one was split or merged from: it is read only once they were read to their end. */
  parents: string[];
  owner?: string;
  /** A worker that asked the owner to hand the shard over (to balance the shards among workers). */
  pendingOwner?: string;
  /** Bumped by every write: a worker that sees it unchanged for a lease period takes the lease as expired. */
  counter: number;
  checkpoint?: ShardCheckpoint;
}

/** A worker's heartbeat: its counter moves while it lives. */
export interface WorkerBeat {
  workerId: string;
  counter: number;
}

/**
 * The lease table. Every change of owner is a conditional write, so two workers never both believe they took a
 * shard: a method returns false (or undefined) when its condition failed, and throws only for errors worth retrying.
 */
export interface LeaseStore {
  scan(): Promise<{ leases: ShardLease[]; workers: WorkerBeat[] }>;
  /** Creates a free lease for a shard unless one exists. */
  create(shardId: string, parents: string[]): Promise<void>;
  /** Takes a lease that is free or expired, if it is still exactly as seen (same counter). */
  take(seen: ShardLease, owner: string): Promise<ShardLease | undefined>;
  /**
   * Renews an owned lease (bumping its counter), writing the checkpoint when given and clearing a pending request
   * when `decline`; undefined when the lease is no longer owned.
   */
  renew(
    shardId: string,
    owner: string,
    checkpoint?: ShardCheckpoint,
    decline?: boolean,
  ): Promise<ShardLease | undefined>;
  /** Asks the owner of a lease to hand it over; false if it has another owner now or a request already. */
  request(shardId: string, owner: string, requester: string): Promise<boolean>;
  /** Gives an owned lease to the worker that asked for it, with the checkpoint to resume from. */
  handOver(shardId: string, owner: string, to: string, checkpoint: ShardCheckpoint): Promise<boolean>;
  /** Frees an owned lease (a graceful stop), with the checkpoint to resume from. */
  release(shardId: string, owner: string, checkpoint: ShardCheckpoint): Promise<boolean>;
  /** Writes the worker's heartbeat (bumping its counter). */
  beat(workerId: string): Promise<void>;
  /** Removes the worker's heartbeat (a graceful stop). */
  retire(workerId: string): Promise<void>;
}

export interface ShardInfo {
  shardId: string;
  parents: string[];
}

export interface StreamRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  /** When the stream took the record (epoch ms). */
  arrivedAt: number;
}

export interface ShardBatch {
  records: StreamRecord[];
  /** Undefined once a closed shard was read to its end. */
  next: string | undefined;
  millisBehindLatest: number | undefined;
}

export interface ShardSource {
  listShards(): Promise<ShardInfo[]>;
  iterator(shardId: string, from: StreamPosition): Promise<string>;
  read(iterator: string, limit: number): Promise<ShardBatch>;
  /**
   * When the worker is a registered consumer (enhanced fan-out): the shard's records from `from` on, pushed as the
   * stream takes them, until the subscription ends (Kinesis ends one after 5 minutes) or `signal` aborts. A batch's
   * `next` is undefined once a closed shard was read to its end. Throws ReadThrottledError while the shard cannot be
   * subscribed to yet (another subscription of the consumer holds it, or the last call was under a second ago).
   */
  subscribe?(shardId: string, from: StreamPosition, signal: AbortSignal): AsyncIterable<ShardBatch>;
}

/** Iterator errors a reader recovers from by taking a new iterator after its last record. */
export class ExpiredIteratorError extends Error {
  override name = 'ExpiredIteratorError';
}

/**
 * The shard's read limit was hit (5 GetRecords per second per shard, 2 MB/s; one SubscribeToShard a second, none
 * within 5 s of a successful one): back off.
 */
export class ReadThrottledError extends Error {
  override name = 'ReadThrottledError';
}
