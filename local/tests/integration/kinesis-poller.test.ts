// The local Kinesis event source mapping against an in-process kinesalite, with the real SDK client.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ExpiredIteratorException,
  KinesisClient,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import kinesalite from 'kinesalite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type KinesisBatchFailure,
  KinesisHandlerError,
  KinesisPoller,
  type KinesisPollerError,
  type KinesisPollerOptions,
} from '../../src/kinesis/poller.ts';

const REGION = 'us-east-1';
let server: Server;
let client: KinesisClient;
const pollers: KinesisPoller[] = [];
let streamCounter = 0;

beforeAll(async () => {
  server = kinesalite({ createStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  client = newClient();
});

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  client?.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

function newClient(): KinesisClient {
  return new KinesisClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // kinesalite speaks HTTP/1.1 only; the Kinesis client would otherwise use HTTP/2.
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
}

/** Polls `condition` until it holds or the deadline passes. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function createStream(shards: number): Promise<string> {
  const name = `poller-test-${process.pid}-${++streamCounter}`;
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitForActive(name);
  return name;
}

async function waitForActive(name: string): Promise<void> {
  let status: string | undefined;
  const deadline = Date.now() + 5000;
  while (status !== 'ACTIVE') {
    if (Date.now() > deadline) throw new Error(`stream ${name} never became ACTIVE`);
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    status = out.StreamDescriptionSummary?.StreamStatus;
  }
}

async function putAll(stream: string, records: { key: string; data: object }[]): Promise<string[]> {
  const sequenceNumbers: string[] = [];
  // Batches of 10 keep each key's records in put order (one PutRecords call orders records per shard).
  for (let i = 0; i < records.length; i += 10) {
    const chunk = records.slice(i, i + 10);
    const out = await client.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: chunk.map((r) => ({ PartitionKey: r.key, Data: Buffer.from(JSON.stringify(r.data)) })),
      }),
    );
    expect(out.FailedRecordCount ?? 0).toBe(0);
    for (const r of out.Records ?? []) sequenceNumbers.push(r.SequenceNumber!);
  }
  return sequenceNumbers;
}

/** Puts `count` records under one partition key, numbered from 0. */
function putN(stream: string, count: number, key: string): Promise<string[]> {
  return putAll(
    stream,
    Array.from({ length: count }, (_, i) => ({ key, data: { key, i } })),
  );
}

function decode(record: KinesisStreamRecord): { key: string; i: number } {
  return JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
}

/** A handler that records every invocation and lets each test decide the outcome. */
function recordingHandler(
  decide: (event: KinesisStreamEvent, call: number) => KinesisStreamBatchResponse | undefined = () => undefined,
) {
  const invocations: KinesisStreamRecord[][] = [];
  const delivered: KinesisStreamRecord[] = [];
  const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse | undefined> => {
    invocations.push(event.Records);
    const response = decide(event, invocations.length);
    const failedAt = response?.batchItemFailures.length
      ? Math.min(
          ...response.batchItemFailures.map((f) =>
            event.Records.findIndex((r) => r.kinesis.sequenceNumber === f.itemIdentifier),
          ),
        )
      : event.Records.length;
    delivered.push(...event.Records.slice(0, failedAt));
    return response;
  };
  return { handler, invocations, delivered };
}

function startPoller(
  stream: string,
  handler: ConstructorParameters<typeof KinesisPoller>[2],
  options: KinesisPollerOptions = {},
  kinesis: KinesisClient = client,
) {
  const errors: KinesisPollerError[] = [];
  const poller = new KinesisPoller(kinesis, stream, handler, {
    retryDelayMs: 1,
    errorBackoffMs: 5,
    onError: (e) => errors.push(e),
    ...options,
  });
  pollers.push(poller);
  return { poller, errors };
}

const seqs = (records: readonly KinesisStreamRecord[]) => records.map((r) => r.kinesis.sequenceNumber);

describe('KinesisPoller', () => {
  it('delivers every record once, in order per partition key, as Lambda shapes it', async () => {
    const stream = await createStream(2);
    const keys = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const before = keys.flatMap((key, k) => Array.from({ length: 10 }, (_, j) => ({ key, data: { key, i: j, k } })));
    const putBefore = await putAll(stream, before);

    const { handler, delivered } = recordingHandler();
    const { poller, errors } = startPoller(stream, handler, { startingPosition: 'TRIM_HORIZON', batchSize: 7 });
    await poller.start();
    expect(poller.running).toBe(true);

    // Records put while polling arrive too, after the earlier ones of the same key.
    const single = await client.send(
      new PutRecordCommand({ StreamName: stream, PartitionKey: 'alpha', Data: Buffer.from('{"key":"alpha","i":10}') }),
    );
    const after = keys.map((key) => ({ key, data: { key, i: 11 } }));
    const putAfter = await putAll(stream, after);
    const expected = [...putBefore, single.SequenceNumber!, ...putAfter];

    await waitFor(() => delivered.length >= expected.length, 'all records');
    expect(delivered).toHaveLength(expected.length);
    expect(new Set(seqs(delivered))).toEqual(new Set(expected));

    for (const key of keys) {
      const order = delivered.filter((r) => r.kinesis.partitionKey === key).map((r) => decode(r).i);
      expect(order).toEqual(key === 'alpha' ? [...Array(12).keys()] : [...Array(10).keys(), 11]);
    }

    const shardsUsed = new Set(delivered.map((r) => r.eventID.split(':')[0]));
    expect(shardsUsed).toEqual(new Set(['shardId-000000000000', 'shardId-000000000001']));

    const record = delivered.find((r) => r.kinesis.sequenceNumber === single.SequenceNumber)!;
    expect(record).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'alpha',
        sequenceNumber: single.SequenceNumber,
        data: Buffer.from('{"key":"alpha","i":10}').toString('base64'),
        approximateArrivalTimestamp: expect.any(Number),
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${single.ShardId}:${single.SequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/local-lambda',
      awsRegion: REGION,
      eventSourceARN: expect.stringMatching(new RegExp(`^arn:aws:kinesis:${REGION}:\\d{12}:stream/${stream}$`)),
    });
    // Seconds since the epoch, as Lambda sends it (not milliseconds).
    expect(Math.abs(record.kinesis.approximateArrivalTimestamp - Date.now() / 1000)).toBeLessThan(60);

    const stats = poller.stats;
    expect(stats).toMatchObject({ recordsDelivered: expected.length, retries: 0, failures: 0, handlerErrors: 0 });
    expect(stats.batchesDelivered).toBeGreaterThanOrEqual(Math.ceil(expected.length / 7));
    expect(stats.iteratorAgeMs).toBeGreaterThanOrEqual(0);
    expect(stats.shards.map((s) => s.state)).toEqual(['polling', 'polling']);
    expect(stats.shards.every((s) => s.lastSequenceNumber !== undefined)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('starts at LATEST by default: earlier records are skipped, later ones arrive', async () => {
    const stream = await createStream(2);
    await putAll(stream, [{ key: 'k', data: { key: 'k', i: 0 } }]);
    const { handler, delivered } = recordingHandler();
    const { poller } = startPoller(stream, handler);
    await poller.start();
    const later = await putAll(stream, [{ key: 'k', data: { key: 'k', i: 1 } }]);
    await waitFor(() => delivered.length >= 1, 'the later record');
    // Same key, same shard: had the earlier record been read, it would have arrived first.
    expect(seqs(delivered)).toEqual(later);
  });

  it('bisects a batch whose handler throws, then delivers everything exactly once', async () => {
    const stream = await createStream(2);
    const put = await putN(stream, 8, 'one-key');
    const { handler, invocations, delivered } = recordingHandler((_event, call) => {
      if (call === 1) throw new Error('transient failure');
      return undefined;
    });
    const { poller, errors } = startPoller(stream, handler, { startingPosition: 'TRIM_HORIZON', batchSize: 8 });
    await poller.start();

    await waitFor(() => poller.stats.recordsDelivered >= 8, 'the batch to be delivered');
    expect(invocations.map(seqs)).toEqual([put, put.slice(0, 4), put.slice(4)]);
    // The thrown call delivered nothing; the two halves delivered each record once, in order.
    expect(seqs(delivered)).toEqual(put);
    expect(poller.stats).toMatchObject({ recordsDelivered: 8, retries: 1, handlerErrors: 1, failures: 0 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(KinesisHandlerError);
    expect((errors[0]!.cause as Error).message).toBe('transient failure');
  });

  it('retries the whole batch without bisecting when bisectOnError is off', async () => {
    const stream = await createStream(1);
    const put = await putN(stream, 4, 'k');
    const { handler, invocations } = recordingHandler((_event, call) => {
      if (call <= 2) throw new Error('down');
      return undefined;
    });
    const { poller } = startPoller(stream, handler, { startingPosition: 'TRIM_HORIZON', bisectOnError: false });
    await poller.start();
    await waitFor(() => poller.stats.recordsDelivered >= 4, 'the batch');
    expect(invocations.map(seqs)).toEqual([put, put, put]);
    expect(poller.stats).toMatchObject({ retries: 2, handlerErrors: 2 });
  });

  it('honours batchItemFailures by retrying from the first failed record', async () => {
    const stream = await createStream(2);
    const put = await putN(stream, 6, 'k');
    const { handler, invocations, delivered } = recordingHandler((event, call) =>
      call === 1
        ? {
            batchItemFailures: [
              { itemIdentifier: event.Records[4]!.kinesis.sequenceNumber },
              { itemIdentifier: event.Records[3]!.kinesis.sequenceNumber },
            ],
          }
        : { batchItemFailures: [] },
    );
    const { poller } = startPoller(stream, handler, { startingPosition: 'TRIM_HORIZON' });
    await poller.start();

    await waitFor(() => poller.stats.recordsDelivered >= 6, 'all records');
    expect(invocations.map(seqs)).toEqual([put, put.slice(3)]);
    expect(seqs(delivered)).toEqual(put);
    expect(poller.stats).toMatchObject({ recordsDelivered: 6, retries: 1, handlerErrors: 1, failures: 0 });
  });

  it('treats an unusable batchItemFailures reply as a failure of the whole batch', async () => {
    const stream = await createStream(1);
    const put = await putN(stream, 3, 'k');
    const { handler, invocations } = recordingHandler((_event, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] } : undefined,
    );
    const { poller } = startPoller(stream, handler, { startingPosition: 'TRIM_HORIZON' });
    await poller.start();
    await waitFor(() => poller.stats.recordsDelivered >= 3, 'all records');
    expect(invocations.map(seqs)).toEqual([put, put]);
  });

  it('isolates a poison record, hands it to onFailure and moves on', async () => {
    const stream = await createStream(1);
    const put = await putN(stream, 5, 'k');
    const failures: KinesisBatchFailure[] = [];
    const { handler, delivered } = recordingHandler((event) => {
      if (event.Records.some((r) => decode(r).i === 2)) throw new Error('poison');
      return undefined;
    });
    const { poller } = startPoller(stream, handler, {
      startingPosition: 'TRIM_HORIZON',
      maxRetries: 2,
      onFailure: (failure) => {
        failures.push(failure);
      },
    });
    await poller.start();
    await waitFor(
      () => failures.length === 1 && poller.stats.recordsDelivered >= 4,
      'the poison record to be discarded',
    );

    expect(seqs(delivered)).toEqual([put[0], put[1], put[3], put[4]]);
    expect(failures[0]).toMatchObject({
      streamName: stream,
      shardId: 'shardId-000000000000',
      startSequenceNumber: put[2],
      endSequenceNumber: put[2],
      batchSize: 1,
      condition: 'RetryAttemptsExhausted',
      attempts: 3,
    });
    expect(seqs(failures[0]!.records)).toEqual([put[2]]);
    expect((failures[0]!.error as Error).message).toBe('poison');
    expect(poller.stats.failures).toBe(1);

    // Later records still flow after the discarded one.
    const more = await putAll(stream, [{ key: 'k', data: { key: 'k', i: 5 } }]);
    await waitFor(() => delivered.length >= 5, 'a later record');
    expect(seqs(delivered).at(-1)).toEqual(more[0]);
  });

  it('backs off on throttling and loses nothing', async () => {
    const stream = await createStream(1);
    const throttled = newClient();
    let throttles = 3;
    throttled.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetRecordsCommand' && throttles > 0) {
          throttles--;
          throw new ProvisionedThroughputExceededException({ message: 'Rate exceeded for shard', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectThrottles' },
    );
    const put = await putN(stream, 5, 'k');
    const { handler, delivered } = recordingHandler();
    const { poller, errors } = startPoller(stream, handler, { startingPosition: 'TRIM_HORIZON' }, throttled);
    await poller.start();
    await waitFor(() => delivered.length >= 5, 'all records');
    expect(seqs(delivered)).toEqual(put);
    expect(poller.stats.throttles).toBe(3);
    // Throttles are expected back-pressure, not errors.
    expect(errors).toEqual([]);
    await poller.stop();
    throttled.destroy();
  });

  it('re-acquires an expired iterator after the checkpoint without skipping or repeating', async () => {
    const stream = await createStream(1);
    const expiring = newClient();
    let expireNext = false;
    expiring.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetRecordsCommand' && expireNext) {
          expireNext = false;
          throw new ExpiredIteratorException({ message: 'Iterator expired.', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'injectExpiry' },
    );
    const first = await putN(stream, 3, 'k');
    const { handler, delivered } = recordingHandler();
    const { poller } = startPoller(stream, handler, { startingPosition: 'TRIM_HORIZON' }, expiring);
    await poller.start();
    await waitFor(() => delivered.length >= 3, 'the first records');

    expireNext = true;
    await waitFor(() => poller.stats.iteratorResets === 1, 'the iterator to expire');
    const second = await putN(stream, 3, 'k');
    await waitFor(() => delivered.length >= 6, 'the later records');
    expect(seqs(delivered)).toEqual([...first, ...second]);
    await poller.stop();
    expiring.destroy();
  });

  it('stop() waits for the in-flight invocation, and a restart resumes after the checkpoint', async () => {
    const stream = await createStream(2);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const delivered: KinesisStreamRecord[] = [];
    let blockFirst = true;
    const handler = async (event: KinesisStreamEvent) => {
      if (blockFirst) {
        blockFirst = false;
        await gate;
      }
      delivered.push(...event.Records);
    };
    const { poller } = startPoller(stream, handler, { startingPosition: 'TRIM_HORIZON' });
    const first = await putAll(stream, [{ key: 'k', data: { key: 'k', i: 0 } }]);
    await poller.start();
    await waitFor(() => poller.stats.batchesDelivered === 1, 'the first invocation');

    let stopped = false;
    const stopping = poller.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(poller.running).toBe(false);
    expect(seqs(delivered)).toEqual(first);
    expect(poller.stats.shards.every((s) => s.state === 'stopped')).toBe(true);

    // Records put while stopped are delivered after a restart; the handled one is not repeated.
    const whileStopped = await putAll(stream, [{ key: 'k', data: { key: 'k', i: 1 } }]);
    await poller.start();
    await waitFor(() => delivered.length >= 2, 'the record put while stopped');
    expect(seqs(delivered)).toEqual([...first, ...whileStopped]);
  });

  it('stop() ends promptly while idle and leaves no timers behind', async () => {
    const stream = await createStream(2);
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const { handler } = recordingHandler();
    const { poller } = startPoller(stream, handler, { idleDelayMs: 1000, shardDiscoveryIntervalMs: 60_000 });
    // Overlapping calls share one transition.
    await Promise.all([poller.start(), poller.start()]);
    expect(poller.stats.shards).toHaveLength(2);
    await waitFor(() => poller.stats.shards.every((s) => s.millisBehindLatest !== undefined), 'a first poll');
    const began = Date.now();
    await Promise.all([poller.stop(), poller.stop()]);
    expect(Date.now() - began).toBeLessThan(500);
    expect(poller.stats.shards.map((s) => s.state)).toEqual(['stopped', 'stopped']);
    await poller.stop();
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(timersAfter).toBeLessThanOrEqual(timersBefore);
  });

  it('follows a shard split: reads the parent to its end, then the children, in key order', async () => {
    const stream = await createStream(1);
    const { handler, delivered } = recordingHandler();
    const { poller, errors } = startPoller(stream, handler, {
      startingPosition: 'TRIM_HORIZON',
      shardDiscoveryIntervalMs: 20,
    });
    await poller.start();
    const beforeSplit = await putN(stream, 5, 'k');
    await waitFor(() => delivered.length >= 5, 'records before the split');

    await client.send(
      new SplitShardCommand({
        StreamName: stream,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    await waitForActive(stream);
    const afterSplit = await putAll(
      stream,
      Array.from({ length: 5 }, (_, i) => ({ key: 'k', data: { key: 'k', i: i + 5 } })),
    );

    await waitFor(() => delivered.length >= 10, 'records after the split');
    expect(seqs(delivered)).toEqual([...beforeSplit, ...afterSplit]);
    await waitFor(() => poller.stats.shards.length === 3, 'the child shards to be discovered');
    expect(poller.stats.shards.find((s) => s.shardId === 'shardId-000000000000')?.state).toBe('closed');
    expect(errors).toEqual([]);
  });

  it('fails to start on a stream that does not exist', async () => {
    const { poller } = startPoller('no-such-stream', async () => {});
    await expect(poller.start()).rejects.toMatchObject({
      name: 'KinesisPollerError',
      cause: { name: 'ResourceNotFoundException' },
    });
    expect(poller.running).toBe(false);
  });

  it('rejects an invalid batch size', () => {
    expect(() => new KinesisPoller(client, 's', async () => {}, { batchSize: 0 })).toThrow(RangeError);
  });
});
