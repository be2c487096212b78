// The audio stream's shards through the Kinesis API: standard iterators (ListShards, GetShardIterator, GetRecords), and
// with a registered consumer enhanced fan-out (SubscribeToShard over HTTP/2: records pushed ~70 ms after the put,
// without the 5 GetRecords a second per shard every reader shares). The same calls against the local Kinesis and
// Kinesis on AWS.
import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type ListShardsCommandOutput,
  type StartingPosition,
  SubscribeToShardCommand,
  type SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import {
  ExpiredIteratorError,
  ReadThrottledError,
  type ShardBatch,
  type ShardInfo,
  type ShardSource,
  type StreamPosition,
} from '#worker/ports';

const THROTTLES = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
]);
/** SubscribeToShard refused for now: another subscription of the consumer holds the shard (for 5 s at least). */
const SUBSCRIPTION_BUSY = new Set([...THROTTLES, 'ResourceInUseException']);

/** The registered consumer the worker subscribes as, and a Kinesis client that speaks HTTP/2. */
export interface StreamConsumer {
  consumerArn: string;
  kinesis: KinesisClient;
}

export class KinesisShardSource implements ShardSource {
  readonly subscribe?: (shardId: string, from: StreamPosition, signal: AbortSignal) => AsyncIterable<ShardBatch>;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    consumer?: StreamConsumer,
  ) {
    if (consumer) this.subscribe = (shardId, from, signal) => subscribeToShard(consumer, shardId, from, signal);
  }

  async listShards(): Promise<ShardInfo[]> {
    const shards: ShardInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page: ListShardsCommandOutput = await this.kinesis.send(
        new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: this.streamName }),
      );
      for (const shard of page.Shards ?? []) {
        if (!shard.ShardId) continue;
        shards.push({
          shardId: shard.ShardId,
          parents: [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => !!id),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  }

  async iterator(shardId: string, from: StreamPosition): Promise<string> {
    const out = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: shardId,
        ShardIteratorType: from.type,
        ...('sequenceNumber' in from ? { StartingSequenceNumber: from.sequenceNumber } : {}),
        ...('timestamp' in from ? { Timestamp: new Date(from.timestamp) } : {}),
      }),
    );
    if (!out.ShardIterator) throw new Error(`Kinesis gave no iterator for ${shardId}`);
    return out.ShardIterator;
  }

  async read(iterator: string, limit: number): Promise<ShardBatch> {
    try {
      const out = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
      return {
        records: (out.Records ?? []).map(streamRecord),
        next: out.NextShardIterator ?? undefined,
        millisBehindLatest: out.MillisBehindLatest,
      };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      // kinesalite answers an expired or unknown iterator with InvalidArgumentException.
      if (name === 'ExpiredIteratorException' || name === 'InvalidArgumentException') {
        throw new ExpiredIteratorError(`iterator no longer valid (${name})`, { cause: error });
      }
      if (THROTTLES.has(name)) throw new ReadThrottledError(`read throttled (${name})`, { cause: error });
      throw error;
    }
  }
}

async function* subscribeToShard(
  consumer: StreamConsumer,
  shardId: string,
  from: StreamPosition,
  signal: AbortSignal,
): AsyncIterable<ShardBatch> {
  let events: AsyncIterable<SubscribeToShardEventStream>;
  try {
    const out = await consumer.kinesis.send(
      new SubscribeToShardCommand({
        ConsumerARN: consumer.consumerArn,
        ShardId: shardId,
        StartingPosition: position(from),
      }),
      { abortSignal: signal },
    );
    if (!out.EventStream) return;
    events = out.EventStream;
  } catch (error) {
    throw busyOr(error);
  }
  try {
    for await (const event of events) {
      const pushed = event.SubscribeToShardEvent;
      if (!pushed) continue;
      yield {
        records: (pushed.Records ?? []).map(streamRecord),
        // null once a closed shard was read to its end.
        next: pushed.ContinuationSequenceNumber ?? undefined,
        millisBehindLatest: pushed.MillisBehindLatest,
      };
    }
  } catch (error) {
    // A subscription taken over by another (ResourceInUseException) ends here; the caller subscribes again.
    throw busyOr(error);
  }
}

function position(from: StreamPosition): StartingPosition {
  if ('sequenceNumber' in from) return { Type: from.type, SequenceNumber: from.sequenceNumber };
  if ('timestamp' in from) return { Type: from.type, Timestamp: new Date(from.timestamp) };
  return { Type: from.type };
}

function streamRecord(r: _Record) {
  return {
    sequenceNumber: r.SequenceNumber ?? '',
    partitionKey: r.PartitionKey ?? '',
    data: r.Data ?? new Uint8Array(),
    arrivedAt: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
  };
}

function busyOr(error: unknown): unknown {
  const name = error instanceof Error ? error.name : '';
  return SUBSCRIPTION_BUSY.has(name)
    ? new ReadThrottledError(`subscription refused (${name})`, { cause: error })
    : error;
}
