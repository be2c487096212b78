// The local Kinesis refuses what Kinesis refuses: a sixth GetRecords on a shard within a second fails with
// ProvisionedThroughputExceededException, other shards read on, and the shard reads again once the second has passed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { AUDIO_STREAM_NAME } from '@llt/platform';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Emulators, startEmulators } from '../../src/emulators.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'llt-kinesis-quota-'));
let emulators: Emulators;
let kinesis: KinesisClient;

beforeAll(async () => {
  emulators = await startEmulators({ dataDir, region: 'eu-west-1', shards: 2 });
  kinesis = new KinesisClient({
    region: 'eu-west-1',
    endpoint: emulators.endpoints.kinesis,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // HTTP/1.1, as the services' clients (the SDK's default handler for Kinesis speaks HTTP/2).
    requestHandler: new NodeHttpHandler(),
    // Every refusal is seen as it comes: no retries.
    maxAttempts: 1,
  });
});

afterAll(async () => {
  kinesis?.destroy();
  await emulators?.stop();
  rmSync(dataDir, { recursive: true, force: true });
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
