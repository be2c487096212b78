// The local Kinesis answers GetShardIterator AT_TIMESTAMP as Kinesis does: an iterator at the first record that
// arrived at or after the timestamp, or at the shard's tip when none did yet (records put afterwards are read), and
// refuses a timestamp in the future. kinesalite alone never answered the second case.
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { AUDIO_STREAM_NAME } from '@llt/platform';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type LocalKinesis, startLocalKinesis } from '../support/kinesis.ts';

const SHARD = 'shardId-000000000000';
let local: LocalKinesis;
let kinesis: KinesisClient;

beforeAll(async () => {
  local = await startLocalKinesis('kinesis-at-timestamp', 1);
  kinesis = local.kinesis;
});

afterAll(async () => {
  await local?.stop();
});

/** Answered within 5 s, or the test fails naming the call (instead of hanging until the test's timeout). */
async function atTimestamp(timestamp: number): Promise<string> {
  const call = kinesis.send(
    new GetShardIteratorCommand({
      StreamName: AUDIO_STREAM_NAME,
      ShardId: SHARD,
      ShardIteratorType: 'AT_TIMESTAMP',
      Timestamp: new Date(timestamp),
    }),
  );
  const late = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('GetShardIterator AT_TIMESTAMP gave no answer within 5 s')), 5_000),
  );
  return (await Promise.race([call, late])).ShardIterator!;
}

const put = async (text: string) =>
  kinesis.send(new PutRecordCommand({ StreamName: AUDIO_STREAM_NAME, PartitionKey: text, Data: Buffer.from(text) }));

async function read(iterator: string): Promise<string[]> {
  const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
  return (out.Records ?? []).map((r) => Buffer.from(r.Data!).toString());
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('on an empty shard, and after its last record: an iterator at the tip that reads what comes next', async () => {
  const onEmpty = await atTimestamp(Date.now() - 2_000);
  await put('first');
  expect(await read(onEmpty)).toEqual(['first']);
  await pause(1_100);
  // Every record is older than the timestamp (Kinesis's arrival times are in whole milliseconds; kinesalite's too).
  const afterLast = await atTimestamp(Date.now() - 50);
  await put('second');
  expect(await read(afterLast)).toEqual(['second']);
});

test('at the first record that arrived at or after the timestamp; a timestamp in the future is refused', async () => {
  await pause(1_100);
  const before = Date.now();
  await put('third');
  await put('fourth');
  expect(await read(await atTimestamp(before - 5))).toEqual(['third', 'fourth']);
  await expect(atTimestamp(Date.now() + 60_000)).rejects.toMatchObject({ name: 'InvalidArgumentException' });
});
