// The checkpoint a shard consumer chooses and what a new owner does with it, with the fake recogniser: a takeover
// mid-utterance (after the old owner went on past its last checkpoint) gives the same finals as one owner would,
// once each, with no partials for audio the listeners already saw.
import type { AudioRecord } from '@llt/events';
import { describe, expect, test } from 'vitest';
import { Transcriber } from '#core/transcriber';
import type { ShardCheckpoint, StreamRecord } from '#worker/ports';
import { ShardConsumer, type ShardConsumerSettings } from '#worker/shard-consumer';
import { fakeDeps, marker, onStream, records } from '../fakes.ts';

const T0 = 1_800_000_000_000;
const SETTINGS: ShardConsumerSettings = { leadMs: 3_400, maxHoldMs: 30_000, maxRecordAgeMs: 60_000 };
const A = 's_sessionA001';
const B = 's_sessionB001';

/** Two speakers on one shard, frames interleaved as the stream would hold them. */
function twoSpeakers(): StreamRecord[] {
  const a = records(
    A,
    `${'s'.repeat(40)}VVVVVVVV${'s'.repeat(6)}VVVVVVVVVVVV${'s'.repeat(6)}VVVVVVVVVV${'s'.repeat(8)}`,
    T0,
  );
  const b = records(
    B,
    `${'s'.repeat(45)}VVVVVV${'s'.repeat(5)}VVVVVVVVVVVVVVV${'s'.repeat(8)}VVVVVV${'s'.repeat(6)}`,
    T0 + 50,
  );
  const at = (r: AudioRecord) => (r.header.kind === 'audio' ? r.header.captureTime : 0);
  return onStream([...a, ...b].sort((x, y) => at(x) - at(y)));
}

type Harness = ReturnType<typeof fakeDeps>;

function consumer(h: Harness, checkpoint?: ShardCheckpoint, transcriber = new Transcriber(h.deps)) {
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const deps = { transcriber, clock: h.deps.clock, log, metrics: h.deps.metrics };
  return new ShardConsumer('shardId-000000000000', checkpoint, { type: 'TRIM_HORIZON' }, deps, SETTINGS);
}

/** Feeds records in batches, the clock just after each batch's last record was put. */
async function feed(h: Harness, c: ShardConsumer, stream: StreamRecord[], batch = 7, onBatch?: () => void) {
  for (let i = 0; i < stream.length; i += batch) {
    const part = stream.slice(i, i + batch);
    h.time.now = part.at(-1)!.arrivedAt + 5;
    await c.handle(part);
    onBatch?.();
  }
}

const finals = (h: Harness) =>
  h.published
    .filter((p) => p.detailType === 'TranscriptFinalized')
    .map((p) => {
      const d = p.detail as {
        sessionId: string;
        segmentId: string;
        text: string;
        frames: { first: number; last: number };
      };
      return `${d.sessionId} ${d.segmentId} frames ${d.frames.first}-${d.frames.last}: ${d.text}`;
    });

describe('ShardConsumer checkpoints', () => {
  test('mid-utterance, the checkpoint leads the oldest utterance in progress by the lead, with each resume point', async () => {
    const h = fakeDeps();
    const c = consumer(h);
    const stream = twoSpeakers();
    const upTo = stream.findIndex((r) => r.partitionKey === A && r.data.length > 0 && decodeSeq(r) === 60);
    await feed(h, c, stream.slice(0, upTo + 1));
    const checkpoint = c.checkpoint();

    // A's utterance began at frame 54 (captured T0 + 5.4 s), B's at frame 56 (T0 + 5.65 s): a replay must hear
    // 3.4 s before the earlier one, from A's frame 20 on.
    const aFrame20 = stream.find((r) => r.partitionKey === A && decodeSeq(r) === 20)!;
    expect(checkpoint.position).toEqual({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: aFrame20.sequenceNumber });
    expect(checkpoint.highWater).toBe(stream[upTo]!.sequenceNumber);
    expect(checkpoint.sessions).toEqual({
      [A]: { resumeFrom: 54, inUtterance: true },
      [B]: { resumeFrom: 56, inUtterance: true },
    });
  });

  test('between utterances, the checkpoint keeps the lead before the last frame (the noise floor); after the last frame once the speaker stopped sending', async () => {
    const h = fakeDeps();
    const c = consumer(h);
    const stream = onStream(records(A, `sssVVVVVV${'s'.repeat(50)}`, T0));
    await feed(h, c, stream);
    // Frame 58 was captured at T0 + 5.8 s: a replay hears from T0 + 2.4 s (frame 24) and resumes after frame 58.
    expect(c.checkpoint()).toEqual({
      position: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: stream[24]!.sequenceNumber },
      highWater: stream.at(-1)!.sequenceNumber,
      sessions: { [A]: { resumeFrom: 59, inUtterance: false } },
    });
    h.time.now += SETTINGS.leadMs + 1;
    expect(c.checkpoint()).toEqual({
      position: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: stream.at(-1)!.sequenceNumber },
      highWater: stream.at(-1)!.sequenceNumber,
      sessions: {},
    });
  });

  test('a shard first read at LATEST that had no records yet checkpoints when reading started, not LATEST', () => {
    const h = fakeDeps();
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const deps = { transcriber: new Transcriber(h.deps), clock: h.deps.clock, log, metrics: h.deps.metrics };
    const c = new ShardConsumer('shardId-000000000000', undefined, { type: 'LATEST' }, deps, SETTINGS);
    expect(c.readFrom).toEqual({ type: 'LATEST' });
    c.startedReading();
    // Records put after the first iterator was taken are the next owner's to read (a margin for the stream's clock).
    const position = { type: 'AT_TIMESTAMP', timestamp: h.time.now - 5_000 };
    expect(c.readFrom).toEqual(position);
    expect(c.checkpoint()).toEqual({ position, sessions: {} });
  });

  test('a new owner that read nothing yet keeps the checkpoint it inherited', async () => {
    const h = fakeDeps();
    const inherited: ShardCheckpoint = {
      position: { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '100' },
      highWater: '120',
      sessions: { [A]: { resumeFrom: 54, inUtterance: true } },
    };
    const c = consumer(h, inherited);
    expect(c.readFrom).toEqual(inherited.position);
    expect(c.checkpoint()).toEqual(inherited);
  });
});

describe('takeover from a checkpoint', () => {
  test('an owner killed mid-utterance after its last checkpoint: the next owner publishes the same finals, once each', async () => {
    const stream = twoSpeakers();
    const reference = fakeDeps();
    await feed(reference, consumer(reference), stream);

    // The first owner checkpoints mid-utterance, reads on for three more batches, then is killed.
    const h = fakeDeps();
    const first = consumer(h);
    const cut = stream.findIndex((r) => r.partitionKey === A && decodeSeq(r) === 60);
    await feed(h, first, stream.slice(0, cut));
    const checkpoint = first.checkpoint();
    await feed(h, first, stream.slice(cut, cut + 21));
    const publishedByFirst = h.published.length;

    // The next owner: a fresh process (new transcriber and recogniser), the same ledger and bus.
    const next = consumer(h, checkpoint, new Transcriber({ ...h.deps }));
    const from = stream.findIndex(
      (r) => r.sequenceNumber === (checkpoint.position as { sequenceNumber: string }).sequenceNumber,
    );
    const highWater = BigInt(checkpoint.highWater!);
    let partialsUpToHighWater = 0;
    for (const record of stream.slice(from)) {
      const before = h.published.length;
      h.time.now = record.arrivedAt + 5;
      await next.handle([record]);
      const partials = h.published.slice(before).filter((p) => p.detailType === 'TranscriptPartial');
      if (BigInt(record.sequenceNumber) <= highWater) partialsUpToHighWater += partials.length;
    }

    expect(finals(h)).toEqual(finals(reference));
    expect(new Set(finals(h)).size).toBe(finals(h).length);
    expect(partialsUpToHighWater).toBe(0);
    // It did publish partials after the high-water mark, and at least one final the first owner never reached.
    expect(h.published.slice(publishedByFirst).some((p) => p.detailType === 'TranscriptPartial')).toBe(true);
    // The first owner had published A's second sentence before it was killed: the replay's is dropped by the ledger.
    expect(h.counts.get('FinalsDeduplicated')).toBe(1);
  });

  test('a graceful stop finalizes the utterances in progress; the next owner only rebuilds state up to there', async () => {
    const stream = twoSpeakers();
    const h = fakeDeps();
    const transcriber = new Transcriber(h.deps);
    const first = consumer(h, undefined, transcriber);
    const cut = stream.findIndex((r) => r.partitionKey === A && decodeSeq(r) === 60);
    await feed(h, first, stream.slice(0, cut));
    await transcriber.shutdown(first.sessions);
    const checkpoint = first.checkpoint();
    expect(checkpoint.sessions[A]).toEqual({ resumeFrom: 60, inUtterance: false });
    const finalsAtStop = finals(h).length;

    const next = consumer(h, checkpoint, new Transcriber({ ...h.deps }));
    const from = stream.findIndex(
      (r) => r.sequenceNumber === (checkpoint.position as { sequenceNumber: string }).sequenceNumber,
    );
    await feed(h, next, stream.slice(from));
    // The rest of A's and B's sentences after the cut, and the later ones: never the same frames twice.
    const all = finals(h);
    expect(new Set(all).size).toBe(all.length);
    const frames = h.published
      .filter((p) => p.detailType === 'TranscriptFinalized')
      .map((p) => p.detail as { sessionId: string; frames: { first: number; last: number } });
    for (const session of [A, B]) {
      const spans = frames.filter((f) => f.sessionId === session).map((f) => f.frames);
      for (let i = 1; i < spans.length; i++) expect(spans[i]!.first).toBeGreaterThan(spans[i - 1]!.last);
    }
    expect(all.length).toBeGreaterThan(finalsAtStop);
  });

  test('a session that ended is not transcribed again from a replay', async () => {
    const h = fakeDeps();
    const transcriber = new Transcriber(h.deps);
    const c = consumer(h, undefined, transcriber);
    const audio = [
      ...records(A, 'sssVVVVVVsss', T0),
      { ...marker(A, 'end'), header: { ...marker(A, 'end').header, receivedAt: T0 + 1_250 } },
    ];
    const stream = onStream([...records(B, `${'s'.repeat(5)}VVVVVVVVVVVVVVVVVVVV`, T0 + 50), ...audio]);
    await feed(h, c, stream);
    const checkpoint = c.checkpoint();
    expect(checkpoint.sessions[A]).toEqual({ ended: true });
    const before = finals(h).filter((f) => f.startsWith(A));

    const next = consumer(h, checkpoint, new Transcriber({ ...h.deps }));
    const from = stream.findIndex(
      (r) => r.sequenceNumber === (checkpoint.position as { sequenceNumber: string }).sequenceNumber,
    );
    await feed(h, next, stream.slice(from));
    expect(finals(h).filter((f) => f.startsWith(A))).toEqual(before);
  });
});

function decodeSeq(record: StreamRecord): number | undefined {
  const length = new DataView(record.data.buffer, record.data.byteOffset).getUint32(0, false);
  const header = JSON.parse(new TextDecoder().decode(record.data.subarray(4, 4 + length))) as { seq?: number };
  return header.seq;
}
