// The stream worker as a registered consumer (enhanced fan-out), against a shard source that pushes batches: a
// subscription that ends (Kinesis ends each after 5 minutes) is renewed from after the last record handled, a
// subscription refused for now (another still holds the shard) is retried after a wait, and every record is handed
// to the transcriber once, in order.
import { expect, test } from 'vitest';
import { Transcriber } from '#core/transcriber';
import {
  ReadThrottledError,
  type ShardBatch,
  type ShardSource,
  type StreamPosition,
  type StreamRecord,
} from '#worker/ports';
import { StreamWorker } from '#worker/stream-worker';
import { fakeDeps, MemoryLeaseStore, onStream, records } from '../fakes.ts';

const SHARD = 'shardId-000000000000';
const SESSION = 's_subscribed';

test('renews an ended subscription after the last record handled, retries a refused one, hands each record on once', async () => {
  const t0 = Date.now();
  const stream = onStream(records(SESSION, 'ssVVVVVVVVssssssssss', t0));
  const first = stream.slice(0, 8);
  const second = stream.slice(8);
  const calls: StreamPosition[] = [];
  let refusals = 0;
  const source: ShardSource = {
    listShards: async () => [{ shardId: SHARD, parents: [] }],
    iterator: async () => {
      throw new Error('a consumer that subscribes takes no iterator');
    },
    read: async () => {
      throw new Error('a consumer that subscribes does not poll');
    },
    async *subscribe(_shardId, from, signal): AsyncIterable<ShardBatch> {
      calls.push(from);
      if (calls.length === 1) {
        // The first subscription pushes the first records, then expires.
        yield batch(first);
        return;
      }
      if (refusals++ === 0) throw new ReadThrottledError('subscription refused (ResourceInUseException)');
      yield batch(second);
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    },
  };
  const { deps, counts } = fakeDeps();
  const clock = { now: () => Date.now() };
  const handed: string[] = [];
  const transcriber = new Transcriber({ ...deps, clock });
  const handle = transcriber.handle.bind(transcriber);
  transcriber.handle = (audio, options) => {
    for (const a of audio) if (a.header.kind === 'audio') handed.push(`${a.header.sessionId}:${a.header.seq}`);
    return handle(audio, options);
  };
  const worker = new StreamWorker({
    workerId: 'w1',
    transcriber,
    leases: new MemoryLeaseStore(),
    source,
    clock,
    log: deps.log,
    metrics: deps.metrics,
    settings: {
      leaseMs: 10_000,
      renewMs: 1_000,
      pollMs: 20,
      checkpointMs: 1_000,
      batchSize: 100,
      initialPosition: 'LATEST',
      shardDiscoveryMs: 30_000,
      leadMs: 3_500,
      maxHoldMs: 30_000,
      maxRecordAgeMs: 60_000,
    },
  });
  await worker.start();
  for (let waited = 0; handed.length < stream.length && waited < 5_000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await worker.stop();

  expect(handed).toEqual(stream.map((_, i) => `${SESSION}:${i}`));
  expect(calls[0]?.type).toBe('LATEST');
  const after = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: first.at(-1)!.sequenceNumber };
  expect(calls.slice(1)).toEqual([after, after]);
  expect(counts.get('ReadsThrottled')).toBe(1);
});

function batch(records: StreamRecord[]): ShardBatch {
  return { records, next: records.at(-1)!.sequenceNumber, millisBehindLatest: 0 };
}
