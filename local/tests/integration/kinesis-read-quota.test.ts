// The local Kinesis refuses what Kinesis refuses: a sixth GetRecords on a shard within a second fails with
// ProvisionedThroughputExceededException, other shards read on, and the shard reads again once the second has passed.
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { AUDIO_STREAM_NAME } from '@llt/platform';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type LocalKinesis, startLocalKinesis } from '../support/kinesis.ts';

let local: LocalKinesis;
let kinesis: KinesisClient;

beforeAll(async () => {
  local = await startLocalKinesis('kinesis-quota', 2);
  kinesis = local.kinesis;
});

afterAll(async () => {
  await local?.stop();
});

async function iterator(shardId: string): Promise<string> {
  const out = await kinesis.send(
    new GetShardIteratorCommand({ StreamName: AUDIO_STREAM_NAME, ShardId: shardId, ShardIteratorType: 'LATEST' }),
  );
  return out.ShardIterator!;
}

test('five GetRecords a second per shard; the sixth is throttled as Kinesis throttles it', async () => {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: AUDIO_STREAM_NAME }))).Shards ?? [];
  expect(shards.length).toBeGreaterThanOrEqual(2);
  const [first, second] = [shards[0]!.ShardId!, shards[1]!.ShardId!];

  let next = await iterator(first);
  const started = Date.now();
  for (let i = 0; i < 5; i++)
    next = (await kinesis.send(new GetRecordsCommand({ ShardIterator: next }))).NextShardIterator!;
  const refused = await kinesis.send(new GetRecordsCommand({ ShardIterator: next })).catch((error: Error) => error);
  // Only meaningful if the six reads fell within one second.
  expect(Date.now() - started).toBeLessThan(1000);
  expect(refused).toBeInstanceOf(Error);
  expect((refused as Error).name).toBe('ProvisionedThroughputExceededException');
  expect((refused as Error).message).toContain(`Rate exceeded for shard ${first}`);

  // Another shard has a quota of its own.
  await expect(kinesis.send(new GetRecordsCommand({ ShardIterator: await iterator(second) }))).resolves.toBeDefined();

  // A second later the shard reads again, with the iterator the refused call was given.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await expect(kinesis.send(new GetRecordsCommand({ ShardIterator: next }))).resolves.toBeDefined();
});
