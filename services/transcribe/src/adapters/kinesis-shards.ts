// The audio stream's shards through the Kinesis API (standard iterators: ListShards, GetShardIterator, GetRecords),
// the same calls against kinesalite locally and Kinesis on AWS.
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type ListShardsCommandOutput,
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

export class KinesisShardSource implements ShardSource {
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
  ) {}

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
        records: (out.Records ?? []).map((r) => ({
          sequenceNumber: r.SequenceNumber ?? '',
          partitionKey: r.PartitionKey ?? '',
          data: r.Data ?? new Uint8Array(),
          arrivedAt: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
        })),
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
