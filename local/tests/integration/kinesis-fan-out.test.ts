// The local Kinesis has enhanced fan-out as Kinesis has it: the audio stream's registered consumer subscribes to a
// shard over HTTP/2 and gets its records pushed, never sooner than Kinesis' propagation delay, none missing or twice,
// in order; it refuses what Kinesis refuses (a second SubscribeToShard within a second, another within 5 s of a
// successful one, an unknown consumer, SubscribeToShard over HTTP/1.1) and a subscription 5 s later takes over.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeStreamConsumerCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
  type SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import { AUDIO_STREAM_CONSUMER_NAME, AUDIO_STREAM_NAME } from '@llt/platform';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Emulators, startEmulators } from '../../src/emulators.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'llt-kinesis-fan-out-'));
const region = 'eu-west-1';
let emulators: Emulators;
let kinesis: KinesisClient;
let http2: KinesisClient;
let shardId: string;

beforeAll(async () => {
  emulators = await startEmulators({ dataDir, region, shards: 1 });
  // No retries: every refusal is seen as it comes. HTTP/1.1 as the services' clients, HTTP/2 for SubscribeToShard.
  const client = (endpoint: string, requestHandler: NodeHttpHandler | NodeHttp2Handler) =>
    new KinesisClient({
      region,
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler,
      maxAttempts: 1,
    });
  kinesis = client(emulators.endpoints.kinesis, new NodeHttpHandler());
  http2 = client(emulators.endpoints.kinesisHttp2, new NodeHttp2Handler());
  shardId = (await kinesis.send(new ListShardsCommand({ StreamName: AUDIO_STREAM_NAME }))).Shards![0]!.ShardId!;
});

afterAll(async () => {
  kinesis?.destroy();
  http2?.destroy();
  await emulators?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const put = (text: string) =>
  kinesis.send(new PutRecordCommand({ StreamName: AUDIO_STREAM_NAME, PartitionKey: 'p', Data: Buffer.from(text) }));

const subscribe = (abortSignal?: AbortSignal) =>
  http2.send(
    new SubscribeToShardCommand({
      ConsumerARN: emulators.audioConsumerArn,
      ShardId: shardId,
      StartingPosition: { Type: 'LATEST' },
    }),
    abortSignal ? { abortSignal } : {},
  );

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => error,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the audio stream has the workers consumer, registered once per name', async () => {
  const described = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: emulators.audioConsumerArn }));
  expect(described.ConsumerDescription).toMatchObject({
    ConsumerName: AUDIO_STREAM_CONSUMER_NAME,
    ConsumerStatus: 'ACTIVE',
    ConsumerARN: emulators.audioConsumerArn,
  });
  const again = await errorOf(
    kinesis.send(
      new RegisterStreamConsumerCommand({
        StreamARN: described.ConsumerDescription!.StreamARN,
        ConsumerName: AUDIO_STREAM_CONSUMER_NAME,
      }),
    ),
  );
  expect(again?.name).toBe('ResourceInUseException');
});

test('records are pushed in order, once each, no sooner than the propagation delay; Kinesis refusals hold', async () => {
  const aborted = new AbortController();
  const out = await subscribe(aborted.signal);
  const received: { text: string; sequenceNumber: string; at: number; arrivedAt: number }[] = [];
  const reading = (async () => {
    for await (const event of out.EventStream as AsyncIterable<SubscribeToShardEventStream>) {
      for (const record of event.SubscribeToShardEvent?.Records ?? []) {
        received.push({
          text: Buffer.from(record.Data!).toString(),
          sequenceNumber: record.SequenceNumber!,
          at: Date.now(),
          arrivedAt: record.ApproximateArrivalTimestamp!.getTime(),
        });
      }
      expect(event.SubscribeToShardEvent?.ContinuationSequenceNumber).toBe(received.at(-1)?.sequenceNumber);
    }
  })().catch((error: Error) => error);

  // A second call within a second is over the rate; after it, within 5 s of the successful one, the shard is taken.
  expect((await errorOf(subscribe()))?.name).toBe('LimitExceededException');
  await sleep(1_100);
  expect((await errorOf(subscribe()))?.name).toBe('ResourceInUseException');

  const sent = Array.from({ length: 20 }, (_, i) => `record ${i}`);
  for (const text of sent) {
    await put(text);
    await sleep(15);
  }
  for (let waited = 0; received.length < sent.length && waited < 5_000; waited += 20) await sleep(20);
  expect(received.map((r) => r.text)).toEqual(sent);
  // Pushed no sooner than Kinesis pushes (~70 ms after the put; arrival timestamps have whole milliseconds).
  for (const r of received) expect(r.at - r.arrivedAt).toBeGreaterThanOrEqual(69);

  // 5 s after the successful call, another takes over and the first ends with ResourceInUseException.
  await sleep(5_000);
  const takeover = await subscribe();
  const ended = await reading;
  expect((ended as Error | undefined)?.name).toBe('ResourceInUseException');
  await put('after the takeover');
  for await (const event of takeover.EventStream as AsyncIterable<SubscribeToShardEventStream>) {
    const records = event.SubscribeToShardEvent?.Records ?? [];
    if (records.length === 0) continue;
    expect(records.map((r) => Buffer.from(r.Data!).toString())).toEqual(['after the takeover']);
    break;
  }
  aborted.abort();
}, 20_000);

test('an unknown consumer is not found; SubscribeToShard over HTTP/1.1 is refused', async () => {
  const unknown = await errorOf(
    http2.send(
      new SubscribeToShardCommand({
        ConsumerARN: `${emulators.audioConsumerArn.split('/consumer/')[0]}/consumer/nobody:1`,
        ShardId: shardId,
        StartingPosition: { Type: 'LATEST' },
      }),
    ),
  );
  expect(unknown?.name).toBe('ResourceNotFoundException');
  const overHttp1 = await errorOf(
    kinesis.send(
      new SubscribeToShardCommand({
        ConsumerARN: emulators.audioConsumerArn,
        ShardId: shardId,
        StartingPosition: { Type: 'LATEST' },
      }),
    ),
  );
  expect(overHttp1).toBeInstanceOf(Error);
});
