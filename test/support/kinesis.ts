// Reads everything on the local audio stream, shard by shard, as the tests' independent check of ingest.
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { type AudioRecord, decodeAudioRecord } from '@llt/events';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface StreamRecord {
  partitionKey: string;
  shardId: string;
  sequenceNumber: string;
  /** The record's bytes as put, and when Kinesis took it (epoch ms). */
  data: Uint8Array;
  arrivedAt: number;
  record: AudioRecord;
}

export async function readAllRecords(endpoint: string, streamName: string): Promise<StreamRecord[]> {
  const kinesis = new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
  const out: StreamRecord[] = [];
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  for (const shard of shards) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await readPage(kinesis, iterator);
      for (const r of page.Records ?? []) {
        out.push({
          partitionKey: r.PartitionKey ?? '',
          shardId: shard.ShardId ?? '',
          sequenceNumber: r.SequenceNumber ?? '',
          data: r.Data ?? new Uint8Array(),
          arrivedAt: r.ApproximateArrivalTimestamp?.getTime() ?? 0,
          record: decodeAudioRecord(r.Data ?? new Uint8Array()),
        });
      }
      if (!page.Records?.length || page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  kinesis.destroy();
  return out;
}

/**
 * A session's audio frames on the stream, by sequence number. The stream's order is not promised (API Gateway
 * may run a speaker's frames concurrently; transcribe puts them back in order): tests check each frame is there
 * once, so duplicates make `seqs` longer than the map.
 */
export function audioFrames(records: StreamRecord[], sessionId: string) {
  const frames = new Map<number, StreamRecord>();
  const seqs: number[] = [];
  for (const r of records) {
    if (r.partitionKey !== sessionId || r.record.header.kind !== 'audio') continue;
    seqs.push(r.record.header.seq);
    frames.set(r.record.header.seq, r);
  }
  return { seqs: seqs.sort((a, b) => a - b), frames };
}

/**
 * One GetRecords page. The reader shares each shard's 5 reads a second with the transcription worker polling it (the
 * local Kinesis enforces the quota as Kinesis does), so a throttled read is tried again after a pause, for up to 10 s.
 */
async function readPage(kinesis: KinesisClient, iterator: string) {
  const by = Date.now() + 10_000;
  for (;;) {
    try {
      return await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
    } catch (error) {
      if ((error as Error).name !== 'ProvisionedThroughputExceededException' || Date.now() >= by) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
