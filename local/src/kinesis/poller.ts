// Lambda's Kinesis event source mapping, locally: polls each shard in order and invokes a handler with KinesisStreamEvents.
import {
  type _Record,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type ListShardsCommandOutput,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** The function the mapping invokes; a `batchItemFailures` reply retries from the first failed record. */
// biome-ignore lint/suspicious/noConfusingVoidType: mirrors Lambda's handler type, where returning nothing is success.
export type KinesisBatchHandler = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse | void>;

export type StartingPosition = 'LATEST' | 'TRIM_HORIZON';

/** What an on-failure destination receives for records discarded after the retries ran out. */
export interface KinesisBatchFailure {
  readonly streamName: string;
  readonly shardId: string;
  readonly records: readonly KinesisStreamRecord[];
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  readonly approximateArrivalOfFirstRecord: string;
  readonly approximateArrivalOfLastRecord: string;
  readonly condition: 'RetryAttemptsExhausted';
  /** Failed invocations of exactly these records (the larger, bisected batches before them not counted). */
  readonly attempts: number;
  readonly error: unknown;
}

export interface KinesisPollerOptions {
  /** Records per GetRecords and per invocation (1–10000); default 100. */
  batchSize?: number;
  /** Wait after a GetRecords that returned records; default 0 (poll again at once). */
  pollIntervalMs?: number;
  /** Wait after a GetRecords that returned nothing; default 10. */
  idleDelayMs?: number;
  /** Where shards known at the first start begin; shards that appear later start at TRIM_HORIZON. Default LATEST. */
  startingPosition?: StartingPosition;
  /** Split a failing batch in two before retrying; default true. */
  bisectOnError?: boolean;
  /**
   * Retries before failing records are discarded to `onFailure`; default 3, negative = retry forever. Bisecting
   * does not spend retries: they count once a batch can no longer be split (or bisecting is off).
   */
  maxRetries?: number;
  /** First delay before re-invoking after a failure; doubles per retry up to 1 s. Default 10. */
  retryDelayMs?: number;
  /** How often to look for new shards (resharding); default 5000. */
  shardDiscoveryIntervalMs?: number;
  /** First backoff after a throttle or transport error; doubles up to 2 s. Default 50. */
  errorBackoffMs?: number;
  onFailure?: (failure: KinesisBatchFailure) => void | Promise<void>;
  /**
   * Where the mapping's checkpoints live across restarts of the process: a shard with a saved checkpoint
   * resumes after it instead of at `startingPosition`. Default: in memory only.
   */
  checkpoints?: CheckpointStore;
  /** Poll errors and handler errors; default logs to stderr. */
  onError?: (error: KinesisPollerError) => void;
  invokeIdentityArn?: string;
}

/** Keeps the last sequence number handled per shard (what Lambda's event source mapping keeps for it). */
export interface CheckpointStore {
  load(): Promise<Readonly<Record<string, string>>>;
  /** Called after every batch handled or discarded; may write lazily, but must keep the latest. */
  save(shardId: string, sequenceNumber: string): void;
  /** Writes whatever is pending (the poller calls it when it stops). */
  flush(): Promise<void>;
}

export interface KinesisShardStats {
  readonly shardId: string;
  /** Last record handled or discarded; the mapping's checkpoint. */
  readonly lastSequenceNumber: string | undefined;
  readonly millisBehindLatest: number | undefined;
  readonly iteratorAgeMs: number | undefined;
  readonly state: 'waiting-for-parent' | 'polling' | 'closed' | 'stopped';
}

export interface KinesisPollerStats {
  /** Handler invocations, including retries. */
  batchesDelivered: number;
  /** Records the handler accepted, each counted once. */
  recordsDelivered: number;
  /** Re-invocations after a thrown error or a partial batch failure. */
  retries: number;
  /** Records discarded to `onFailure` after the retries ran out. */
  failures: number;
  /** Invocations that threw or reported item failures. */
  handlerErrors: number;
  /** GetRecords throttles (ProvisionedThroughputExceeded and friends) backed off from. */
  throttles: number;
  /** Iterators re-acquired (expired or invalid). */
  iteratorResets: number;
  /** Age of the newest record in the most recent invocation (Lambda's IteratorAge metric). */
  iteratorAgeMs: number | undefined;
  shards: KinesisShardStats[];
}

/** A poll, shard listing or iterator operation failed; the poller backs off and carries on. */
export class KinesisPollerError extends Error {
  override readonly name: string = 'KinesisPollerError';
  constructor(
    message: string,
    readonly shardId: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The handler threw, or reported item failures, for a batch; the batch is retried (or discarded). */
export class KinesisHandlerError extends KinesisPollerError {
  override readonly name = 'KinesisHandlerError';
}

const THROTTLE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
  'ThrottlingException',
]);
const MAX_RETRY_DELAY_MS = 1000;
const MAX_ERROR_BACKOFF_MS = 2000;

interface ShardState {
  readonly shardId: string;
  readonly parentShardIds: readonly string[];
  /** Known when the poller first started: begins at `startingPosition`; later shards begin at TRIM_HORIZON. */
  readonly initial: boolean;
  lastSequenceNumber: string | undefined;
  iterator: string | undefined;
  millisBehindLatest: number | undefined;
  iteratorAgeMs: number | undefined;
  closed: boolean;
  loop: Promise<void> | undefined;
}

/** A contiguous run of one shard's records awaiting an invocation, with the retries already spent on it. */
interface Segment {
  readonly records: readonly KinesisStreamRecord[];
  readonly retries: number;
}

type InvokeOutcome = { ok: true } | { ok: false; failedFrom: number; error: unknown };

export class KinesisPoller {
  readonly streamName: string;
  readonly #client: KinesisClient;
  readonly #handler: KinesisBatchHandler;
  readonly #batchSize: number;
  readonly #pollIntervalMs: number;
  readonly #idleDelayMs: number;
  readonly #startingPosition: StartingPosition;
  readonly #bisectOnError: boolean;
  readonly #maxRetries: number;
  readonly #retryDelayMs: number;
  readonly #discoveryIntervalMs: number;
  readonly #errorBackoffMs: number;
  readonly #onFailure: ((failure: KinesisBatchFailure) => void | Promise<void>) | undefined;
  readonly #onError: (error: KinesisPollerError) => void;
  readonly #invokeIdentityArn: string;
  readonly #checkpoints: CheckpointStore | undefined;
  #saved: Readonly<Record<string, string>> | undefined;

  readonly #shards = new Map<string, ShardState>();
  readonly #stats = {
    batchesDelivered: 0,
    recordsDelivered: 0,
    retries: 0,
    failures: 0,
    handlerErrors: 0,
    throttles: 0,
    iteratorResets: 0,
    iteratorAgeMs: undefined as number | undefined,
  };
  #region = '';
  #streamArn = '';
  #abort: AbortController | undefined;
  #discoveryTimer: NodeJS.Timeout | undefined;
  #discovery: Promise<void> | undefined;
  #started = false;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(
    client: KinesisClient,
    streamName: string,
    handler: KinesisBatchHandler,
    options: KinesisPollerOptions = {},
  ) {
    const batchSize = options.batchSize ?? 100;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000) {
      throw new RangeError(`batchSize must be an integer in 1..10000, got ${batchSize}`);
    }
    this.#client = client;
    this.streamName = streamName;
    this.#handler = handler;
    this.#batchSize = batchSize;
    this.#pollIntervalMs = Math.max(0, options.pollIntervalMs ?? 0);
    this.#idleDelayMs = Math.max(0, options.idleDelayMs ?? 10);
    this.#startingPosition = options.startingPosition ?? 'LATEST';
    this.#bisectOnError = options.bisectOnError ?? true;
    this.#maxRetries = options.maxRetries ?? 3;
    this.#retryDelayMs = Math.max(0, options.retryDelayMs ?? 10);
    this.#discoveryIntervalMs = Math.max(1, options.shardDiscoveryIntervalMs ?? 5000);
    this.#errorBackoffMs = Math.max(1, options.errorBackoffMs ?? 50);
    this.#onFailure = options.onFailure;
    this.#onError = options.onError ?? ((error) => console.error(`${error.message}: ${describe(error.cause)}`));
    this.#invokeIdentityArn = options.invokeIdentityArn ?? 'arn:aws:iam::000000000000:role/local-lambda';
    this.#checkpoints = options.checkpoints;
  }

  get running(): boolean {
    return this.#started;
  }

  /**
   * Lists the shards and starts one loop per shard. Rejects if the stream cannot be described (wrong name,
   * emulator not up), since then nothing would ever be delivered. After a `stop()`, starting again resumes
   * each shard after its checkpoint.
   */
  async start(): Promise<void> {
    // Concurrent start()/stop() calls share one transition instead of racing each other.
    await this.#stopping;
    if (this.#started) return;
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /** Stops polling; resolves once every shard loop has exited (an in-flight invocation is allowed to finish). */
  async stop(): Promise<void> {
    await this.#starting?.catch(() => undefined);
    if (!this.#started) return this.#stopping;
    this.#stopping = this.#stop().finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  async #start(): Promise<void> {
    const abort = new AbortController();
    // Iterators from before a stop may point past records fetched but never handled; resume from checkpoints.
    for (const shard of this.#shards.values()) shard.iterator = undefined;
    try {
      this.#saved ??= (await this.#checkpoints?.load()) ?? {};
      this.#region = await this.#client.config.region();
      const summary = await this.#client.send(new DescribeStreamSummaryCommand({ StreamName: this.streamName }), {
        abortSignal: abort.signal,
      });
      this.#streamArn =
        summary.StreamDescriptionSummary?.StreamARN ??
        `arn:aws:kinesis:${this.#region}:000000000000:stream/${this.streamName}`;
      await this.#discoverShards(abort.signal);
      // Iterators are taken before start() resolves, so a record put right after it is never missed at LATEST.
      await Promise.all(
        this.#readyShards().map(async (shard) => {
          shard.iterator = await this.#acquireIterator(shard, abort.signal);
        }),
      );
    } catch (cause) {
      abort.abort();
      throw new KinesisPollerError(`cannot start polling stream ${this.streamName}`, undefined, { cause });
    }
    this.#abort = abort;
    this.#started = true;
    this.#startReadyShards();
    this.#scheduleDiscovery();
  }

  async #stop(): Promise<void> {
    this.#started = false;
    this.#abort?.abort();
    clearTimeout(this.#discoveryTimer);
    this.#discoveryTimer = undefined;
    await this.#discovery;
    await Promise.all([...this.#shards.values()].map((shard) => shard.loop));
    this.#abort = undefined;
    await this.#checkpoints?.flush();
  }

  get stats(): KinesisPollerStats {
    return {
      ...this.#stats,
      shards: [...this.#shards.values()].map((s) => ({
        shardId: s.shardId,
        lastSequenceNumber: s.lastSequenceNumber,
        millisBehindLatest: s.millisBehindLatest,
        iteratorAgeMs: s.iteratorAgeMs,
        state: s.closed ? 'closed' : s.loop ? 'polling' : this.#started ? 'waiting-for-parent' : 'stopped',
      })),
    };
  }

  #scheduleDiscovery(): void {
    if (!this.#started) return;
    this.#discoveryTimer = setTimeout(() => {
      this.#discovery = this.#discoverShards(this.#abort?.signal)
        .then(() => this.#startReadyShards())
        .catch((cause) => {
          // A listing cut short by stop() is not a failure worth reporting.
          if (this.#started) {
            this.#report(new KinesisPollerError(`cannot list shards of ${this.streamName}`, undefined, { cause }));
          }
        })
        .finally(() => {
          this.#discovery = undefined;
          this.#scheduleDiscovery();
        });
    }, this.#discoveryIntervalMs);
  }

  /** Registers shards not seen before; loops are started separately by `#startReadyShards`. */
  async #discoverShards(signal: AbortSignal | undefined): Promise<void> {
    const initial = this.#shards.size === 0;
    const listed: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page: ListShardsCommandOutput = await this.#client.send(
        new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: this.streamName }),
        { abortSignal: signal },
      );
      listed.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);

    for (const shard of listed) {
      if (!shard.ShardId || this.#shards.has(shard.ShardId)) continue;
      this.#shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parentShardIds: [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => !!id),
        initial,
        lastSequenceNumber: this.#saved?.[shard.ShardId],
        iterator: undefined,
        millisBehindLatest: undefined,
        iteratorAgeMs: undefined,
        closed: false,
        loop: undefined,
      });
    }
  }

  /** Starts loops for shards whose parents are done, so a key's records stay in order across a reshard. */
  #startReadyShards(): void {
    if (!this.#started) return;
    for (const shard of this.#readyShards()) {
      shard.loop = this.#runShard(shard).finally(() => {
        shard.loop = undefined;
        if (shard.closed) this.#startReadyShards();
      });
    }
  }

  /** Shards not yet polled whose parents (if still listed) are fully read. */
  #readyShards(): ShardState[] {
    return [...this.#shards.values()].filter(
      (shard) =>
        !shard.closed &&
        !shard.loop &&
        shard.parentShardIds.every((id) => {
          const parent = this.#shards.get(id);
          return parent === undefined || parent.closed;
        }),
    );
  }

  async #runShard(shard: ShardState): Promise<void> {
    let backoff = this.#errorBackoffMs;
    while (this.#started) {
      const signal = this.#abort?.signal;
      if (!signal || signal.aborted) return;
      let output: GetRecordsCommandOutput;
      try {
        if (shard.iterator === undefined) shard.iterator = await this.#acquireIterator(shard, signal);
        output = await this.#client.send(
          new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: this.#batchSize }),
          {
            abortSignal: signal,
          },
        );
        backoff = this.#errorBackoffMs;
      } catch (cause) {
        if (signal.aborted) return;
        const name = errorName(cause);
        if (name === 'ExpiredIteratorException' || (name === 'InvalidArgumentException' && shard.iterator)) {
          // Re-acquire after the checkpoint so nothing handled is repeated and nothing unhandled is skipped.
          shard.iterator = undefined;
          this.#stats.iteratorResets++;
          continue;
        }
        if (THROTTLE_ERRORS.has(name)) this.#stats.throttles++;
        else this.#report(new KinesisPollerError(`GetRecords failed on ${shard.shardId}`, shard.shardId, { cause }));
        if (!(await sleep(backoff, signal))) return;
        backoff = Math.min(backoff * 2, MAX_ERROR_BACKOFF_MS);
        continue;
      }

      shard.millisBehindLatest = output.MillisBehindLatest;
      const records = output.Records ?? [];
      if (records.length > 0) {
        const finished = await this.#processBatch(
          shard,
          records.map((r) => this.#toLambdaRecord(shard.shardId, r)),
        );
        if (!finished) return;
      }
      if (output.NextShardIterator === undefined || output.NextShardIterator === null) {
        // A closed shard is fully read; its children may start now.
        shard.closed = true;
        return;
      }
      shard.iterator = output.NextShardIterator;
      const delay = records.length > 0 ? this.#pollIntervalMs : this.#idleDelayMs;
      if (delay > 0 && !(await sleep(delay, signal))) return;
    }
  }

  async #acquireIterator(shard: ShardState, signal: AbortSignal): Promise<string> {
    let type: ShardIteratorType;
    if (shard.lastSequenceNumber !== undefined) type = 'AFTER_SEQUENCE_NUMBER';
    else type = shard.initial ? this.#startingPosition : 'TRIM_HORIZON';
    const out = await this.#client.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: shard.shardId,
        ShardIteratorType: type,
        StartingSequenceNumber: shard.lastSequenceNumber,
      }),
      { abortSignal: signal },
    );
    if (!out.ShardIterator) throw new KinesisPollerError(`no iterator for ${shard.shardId}`, shard.shardId);
    return out.ShardIterator;
  }

  /**
   * Delivers one GetRecords batch, retrying until every record is handled or discarded. Returns false when
   * stopped midway; the checkpoint then still points at the last record actually handled.
   */
  async #processBatch(shard: ShardState, batch: readonly KinesisStreamRecord[]): Promise<boolean> {
    // Segments run strictly in order: a later record is never invoked before an earlier one is settled.
    const pending: Segment[] = [{ records: batch, retries: 0 }];
    let delay = 0;
    while (pending.length > 0) {
      const signal = this.#abort?.signal;
      if (!signal || signal.aborted) return false;
      if (delay > 0 && !(await sleep(delay, signal))) return false;
      const segment = pending.shift()!;
      const outcome = await this.#invoke(shard, segment.records);
      if (outcome.ok) {
        this.#handled(shard, segment.records);
        delay = 0;
        continue;
      }
      this.#stats.handlerErrors++;
      this.#report(
        new KinesisHandlerError(
          `handler failed for ${segment.records.length} record(s) of ${shard.shardId}` +
            (outcome.failedFrom > 0 ? ` from item ${outcome.failedFrom}` : ''),
          shard.shardId,
          { cause: outcome.error },
        ),
      );
      this.#handled(shard, segment.records.slice(0, outcome.failedFrom));
      const rest = segment.records.slice(outcome.failedFrom);
      const partial = outcome.failedFrom > 0 || outcome.error instanceof PartialBatchFailure;
      // A thrown error bisects first: halving isolates a poison record without spending retries, so its healthy
      // neighbours are not discarded with it. Item failures retry from the first failed record, as Lambda does.
      if (!partial && this.#bisectOnError && rest.length > 1) {
        const half = Math.ceil(rest.length / 2);
        pending.unshift(
          { records: rest.slice(0, half), retries: segment.retries },
          {
            records: rest.slice(half),
            retries: segment.retries,
          },
        );
      } else if (this.#maxRetries >= 0 && segment.retries + 1 > this.#maxRetries) {
        await this.#discard(shard, rest, segment.retries + 1, outcome.error);
        delay = 0;
        continue;
      } else {
        pending.unshift({ records: rest, retries: segment.retries + 1 });
      }
      this.#stats.retries++;
      delay = Math.min(this.#retryDelayMs * 2 ** segment.retries, MAX_RETRY_DELAY_MS);
    }
    return true;
  }

  async #invoke(shard: ShardState, records: readonly KinesisStreamRecord[]): Promise<InvokeOutcome> {
    this.#stats.batchesDelivered++;
    const newest = records[records.length - 1];
    if (newest) {
      shard.iteratorAgeMs = Math.max(0, Date.now() - newest.kinesis.approximateArrivalTimestamp * 1000);
      this.#stats.iteratorAgeMs = shard.iteratorAgeMs;
    }
    let result: unknown;
    try {
      // A copy per invocation, as Lambda serializes the event: a handler mutating it cannot alter a retry.
      result = await this.#handler({ Records: structuredClone(records) as KinesisStreamRecord[] });
    } catch (error) {
      return { ok: false, failedFrom: 0, error };
    }
    return interpretResponse(result, records);
  }

  #handled(shard: ShardState, records: readonly KinesisStreamRecord[]): void {
    const last = records[records.length - 1];
    if (!last) return;
    this.#stats.recordsDelivered += records.length;
    shard.lastSequenceNumber = last.kinesis.sequenceNumber;
    this.#checkpoints?.save(shard.shardId, shard.lastSequenceNumber);
  }

  async #discard(shard: ShardState, records: readonly KinesisStreamRecord[], attempts: number, error: unknown) {
    const first = records[0]!;
    const last = records[records.length - 1]!;
    this.#stats.failures += records.length;
    shard.lastSequenceNumber = last.kinesis.sequenceNumber;
    this.#checkpoints?.save(shard.shardId, shard.lastSequenceNumber);
    if (!this.#onFailure) return;
    try {
      await this.#onFailure({
        streamName: this.streamName,
        shardId: shard.shardId,
        records: structuredClone(records) as KinesisStreamRecord[],
        startSequenceNumber: first.kinesis.sequenceNumber,
        endSequenceNumber: last.kinesis.sequenceNumber,
        batchSize: records.length,
        approximateArrivalOfFirstRecord: new Date(first.kinesis.approximateArrivalTimestamp * 1000).toISOString(),
        approximateArrivalOfLastRecord: new Date(last.kinesis.approximateArrivalTimestamp * 1000).toISOString(),
        condition: 'RetryAttemptsExhausted',
        attempts,
        error,
      });
    } catch (cause) {
      this.#report(new KinesisPollerError(`onFailure threw for ${shard.shardId}`, shard.shardId, { cause }));
    }
  }

  #toLambdaRecord(shardId: string, record: _Record): KinesisStreamRecord {
    const data = record.Data ?? new Uint8Array();
    const sequenceNumber = record.SequenceNumber ?? '';
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.PartitionKey ?? '',
        sequenceNumber,
        data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
        approximateArrivalTimestamp: (record.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: this.#invokeIdentityArn,
      awsRegion: this.#region,
      eventSourceARN: this.#streamArn,
    };
  }

  #report(error: KinesisPollerError): void {
    try {
      this.#onError(error);
    } catch {
      // A failing error callback must not stop a shard; there is nowhere left to report it.
    }
  }
}

/** The handler's reply named item failures; carries the reply as the failure's cause. */
class PartialBatchFailure extends Error {
  override readonly name = 'PartialBatchFailure';
}

/**
 * Reads a ReportBatchItemFailures reply like Lambda: nothing or an empty list is success; otherwise retry from
 * the earliest failed record; an unusable reply (not a list, missing or unknown identifier) fails the whole batch.
 */
function interpretResponse(result: unknown, records: readonly KinesisStreamRecord[]): InvokeOutcome {
  if (result === null || typeof result !== 'object') return { ok: true };
  const failures: unknown = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { ok: true };
  const whole = (why: string): InvokeOutcome => ({
    ok: false,
    failedFrom: 0,
    error: new PartialBatchFailure(`invalid batchItemFailures reply: ${why}`),
  });
  if (!Array.isArray(failures)) return whole('not a list');
  if (failures.length === 0) return { ok: true };
  let earliest = Number.POSITIVE_INFINITY;
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '') return whole('missing itemIdentifier');
    const index = records.findIndex((r) => r.kinesis.sequenceNumber === id);
    if (index < 0) return whole(`itemIdentifier ${id} is not in the batch`);
    earliest = Math.min(earliest, index);
  }
  return {
    ok: false,
    failedFrom: earliest,
    error: new PartialBatchFailure(`${failures.length} item failure(s), retrying from item ${earliest}`),
  };
}

/** Resolves true after `ms`, or false as soon as `signal` aborts; leaves no timer behind either way. */
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

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
