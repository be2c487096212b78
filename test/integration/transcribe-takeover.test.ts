// Transcription survives losing its worker mid-utterance. A multi-sentence session (flite speech) is put on the local
// audio stream at real time, as ingest puts it, and transcribed by the stream workers (worker threads, the real
// PocketSphinx engine, leases in the local DynamoDB). Once on one worker throughout; once on two workers, where the
// worker reading the session's shard is killed abruptly in the middle of a sentence and the other one takes the
// shard over when the lease expires. Then once more with a worker joining mid-sentence and being handed the shard
// (the graceful way shards move when workers scale out). The finals must match: WER within 2 points, no duplicate or
// merged sentence, all in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { readWav, toMono16k } from '@llt/cli';
import { EVENT_BUS_NAME, encodeAudioRecord } from '@llt/events';
import { type Emulators, emulatorEnv, startEmulators } from '@llt/local/emulators';
import { AUDIO_STREAM_NAME, SESSIONS_TABLE, SHARD_LEASES_TABLE, sessionTableKeys, stats } from '@llt/platform';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type BusEvent, LocalEventBus } from '../../local/src/bus/event-bus.ts';
import { type EventBridgeServer, startEventBridgeServer } from '../../local/src/bus/eventbridge-server.ts';
import { type StreamWorkers, startStreamWorkers } from '../../local/src/transcribe/stream-workers.ts';
import { SENTENCES } from '../corpus/sentences.ts';
import { speakToWav } from '../support/speech.ts';
import { waitFor } from '../support/wait.ts';
import { aggregateWer } from '../support/wer.ts';

const FRAME_MS = 100;
const FRAME = (16_000 * FRAME_MS) / 1000;
const GAP_MS = 700;
/** Four sentences: two before the one the worker is killed in, one after it (each run streams them at real time). */
const SCRIPT = [SENTENCES[0]!, SENTENCES[2]!, SENTENCES[5]!, SENTENCES[9]!];
/** The sentence during which the worker is killed, and how far into it. */
const KILL_IN_SENTENCE = 2;
const KILL_AT_FRACTION = 0.5;
/** Short leases, so the takeover comes within seconds (the product's defaults are 10 s and 3 s). */
const LEASES = { LLT_TRANSCRIBE_LEASE_MS: '3000', LLT_TRANSCRIBE_RENEW_MS: '1000' };

interface Final {
  segmentIndex: number;
  text: string;
  frames: { first: number; last: number };
}

let dataDir: string;
let emulators: Emulators;
let bus: LocalEventBus;
let eventsServer: EventBridgeServer;
let env: Record<string, string>;
/** The script's words. */
const WORDS = SCRIPT.join(' ').split(/\s+/).length;
/** How far a takeover's word error rate may drift from one worker's: two words of the script's. */
const MAX_WER_DRIFT = 2 / WORDS + 1e-9;
let kinesis: KinesisClient;
let dynamo: DynamoDBClient;
/** The finals of the session transcribed on one worker throughout (the first test). */
let reference: Final[] = [];
const events: BusEvent[] = [];
/** When each event reached the bus (epoch ms), by event. */
const arrivals = new Map<BusEvent, number>();
/** The script as audio: each sentence's frames, then a pause. */
let audio: { samples: Int16Array; sentences: { first: number; last: number }[] };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llt-takeover-'));
  emulators = await startEmulators({ dataDir, region: 'us-east-1' });
  bus = new LocalEventBus({ name: EVENT_BUS_NAME, region: 'us-east-1' });
  bus.subscribe((event) => {
    events.push(event);
    arrivals.set(event, Date.now());
  });
  eventsServer = await startEventBridgeServer(bus);
  env = {
    ...emulatorEnv('us-east-1', emulators, eventsServer.endpoint),
    LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...LEASES,
  };
  kinesis = new KinesisClient({
    endpoint: emulators.endpoints.kinesis,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
  dynamo = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
  audio = script();
});

afterAll(async () => {
  kinesis?.destroy();
  dynamo?.destroy();
  await eventsServer?.stop();
  await emulators?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function script() {
  const parts: Int16Array[] = [new Int16Array(16 * 1_000)];
  const sentences: { first: number; last: number }[] = [];
  let length = parts[0]!.length;
  for (const sentence of SCRIPT) {
    const speech = toMono16k(readWav(speakToWav(sentence, 'rms')));
    sentences.push({ first: Math.floor(length / FRAME), last: Math.ceil((length + speech.length) / FRAME) });
    parts.push(speech, new Int16Array((16_000 * GAP_MS) / 1000));
    length += speech.length + (16_000 * GAP_MS) / 1000;
  }
  parts.push(new Int16Array(16 * 1_000));
  const samples = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    samples.set(part, at);
    at += part.length;
  }
  return { samples, sentences };
}

/**
 * Puts the session's frames on the stream in real time (one 100 ms frame every 100 ms), then its end marker.
 * `atFrame` runs once before the frame it names is put. Resolves with the shard the session's records went to.
 */
async function speak(sessionId: string, atFrame?: { frame: number; run: (shardId: string) => Promise<void> }) {
  // The session as ingest stores it: the workers read its source language from it.
  const key = sessionTableKeys.session(sessionId);
  await dynamo.send(
    new PutItemCommand({
      TableName: SESSIONS_TABLE.name,
      Item: {
        pk: { S: key.pk },
        sk: { S: key.sk },
        sessionId: { S: sessionId },
        status: { S: 'live' },
        sourceLanguage: { S: 'en' },
        targetLanguages: { L: [{ S: 'es' }] },
      },
    }),
  );
  const frames = Math.ceil(audio.samples.length / FRAME);
  const t0 = Date.now();
  let shardId = '';
  const put = async (data: Uint8Array) => {
    const out = await kinesis.send(
      new PutRecordCommand({ StreamName: AUDIO_STREAM_NAME, PartitionKey: sessionId, Data: data }),
    );
    shardId = out.ShardId ?? shardId;
  };
  for (let seq = 0; seq < frames; seq++) {
    if (atFrame?.frame === seq) await atFrame.run(shardId);
    const wait = t0 + seq * FRAME_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const pcm = audio.samples.slice(seq * FRAME, (seq + 1) * FRAME);
    const samples = new Int16Array(FRAME);
    samples.set(pcm);
    const header = {
      v: 1 as const,
      kind: 'audio' as const,
      sessionId,
      seq,
      captureTime: t0 + seq * FRAME_MS,
      receivedAt: Date.now(),
      sampleRate: 16_000 as const,
      channels: 1 as const,
      encoding: 's16le' as const,
      samples: FRAME,
    };
    await put(encodeAudioRecord(header, new Uint8Array(samples.buffer)));
  }
  await put(
    encodeAudioRecord({ v: 1, kind: 'marker', sessionId, marker: 'end', afterSeq: frames - 1, receivedAt: Date.now() }),
  );
  return shardId;
}

const finalsOf = (sessionId: string): Final[] =>
  events
    .filter(
      (e) => e['detail-type'] === 'TranscriptFinalized' && (e.detail as { sessionId: string }).sessionId === sessionId,
    )
    .map((e) => e.detail as Final);

const partialsOf = (sessionId: string) =>
  events.filter(
    (e) => e['detail-type'] === 'TranscriptPartial' && (e.detail as { sessionId: string }).sessionId === sessionId,
  );

/** Waits until the session's last sentence is final (its end marker finalizes whatever is left). */
async function transcribed(sessionId: string): Promise<Final[]> {
  const lastSentence = audio.sentences.at(-1)!;
  await waitFor(
    `the last sentence of ${sessionId} to be final`,
    () => finalsOf(sessionId).some((f) => f.frames.last >= lastSentence.first),
    { timeoutMs: 30_000, detail: () => finalsOf(sessionId).map((f) => f.text) },
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await bus.drain();
  return finalsOf(sessionId);
}

function check(finals: Final[]) {
  // In order, each once: segments ascend in the order published, frames never overlap.
  const indexes = finals.map((f) => f.segmentIndex);
  expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
  expect(new Set(indexes).size).toBe(indexes.length);
  for (let i = 1; i < finals.length; i++) expect(finals[i]!.frames.first).toBeGreaterThan(finals[i - 1]!.frames.last);
  // None merged: every final lies within one sentence (with its pre-roll and hangover).
  for (const final of finals) {
    const within = audio.sentences.filter(
      (s) => final.frames.first >= s.first - 5 && final.frames.last <= s.last + GAP_MS / FRAME_MS,
    );
    expect(within, `${final.text} (frames ${final.frames.first}-${final.frames.last})`).toHaveLength(1);
  }
  return aggregateWer([{ reference: SCRIPT.join(' '), hypothesis: finals.map((f) => f.text).join(' ') }]);
}

test('the shard moves to a second worker mid-sentence and the first is killed: the same finals as on one worker', async () => {
  // One worker throughout.
  let workers: StreamWorkers = await startStreamWorkers({ env, count: 1 });
  await speak('s_reference01');
  reference = await transcribed('s_reference01');
  await workers.stop();

  // Two workers; the one reading the session's shard is killed halfway through the third sentence.
  const replayedBefore = stats.counter('transcribe.RecordsReplayed');
  workers = await startStreamWorkers({ env, count: 2 });
  const sentence = audio.sentences[KILL_IN_SENTENCE]!;
  const killFrame = Math.round(sentence.first + (sentence.last - sentence.first) * KILL_AT_FRACTION);
  let killed = '';
  let survivor = '';
  let killedAt = 0;
  await speak('s_takeover001', {
    frame: killFrame,
    run: async (shardId) => {
      const owner = workers.workers.find((w) => w.shards.includes(shardId));
      expect(owner, `a worker reads ${shardId}`).toBeDefined();
      killed = owner!.workerId;
      survivor = workers.workers.find((w) => w !== owner)!.workerId;
      await owner!.kill();
      killedAt = Date.now();
    },
  });
  const takeover = await transcribed('s_takeover001');
  const taker = workers.workers.find((w) => w.workerId === survivor)!;
  expect(taker.shards.length).toBeGreaterThan(0);
  await workers.stop();

  const referenceWer = check(reference);
  const takeoverWer = check(takeover);
  console.log(
    JSON.stringify({
      killed,
      survivor,
      killFrame,
      reference: { wer: referenceWer.wer, finals: reference.map((f) => f.text) },
      takeover: { wer: takeoverWer.wer, finals: takeover.map((f) => f.text) },
      partials: { reference: partialsOf('s_reference01').length, takeover: partialsOf('s_takeover001').length },
      // From the kill to the first transcript of the session published by the worker that took over.
      firstAfterKillMs:
        Math.min(
          ...events
            .filter((e) => (e.detail as { sessionId?: string }).sessionId === 's_takeover001')
            .map((e) => arrivals.get(e)!)
            .filter((at) => at > killedAt),
        ) - killedAt,
      recordToRecognizerMs: stats.histogram('transcribe.RecordToRecognizerMs').summary(),
    }),
  );
  expect(takeover.length).toBe(reference.length);
  // Within two words of the script's: the fast search (the default while translating as the speaker talks) has no
  // rescoring pass, and a decoder that starts from the replay's pre-roll may hear a word more in a sentence's tail.
  expect(Math.abs(takeoverWer.wer - referenceWer.wer)).toBeLessThanOrEqual(MAX_WER_DRIFT);
  // The survivor replayed the shard from the checkpoint and cut the audio where the first worker did: the sentence
  // in progress kept its first frame (and so its segment id).
  expect(stats.counter('transcribe.RecordsReplayed') - replayedBefore).toBeGreaterThan(0);
  expect(takeover.map((f) => f.frames.first)).toEqual(reference.map((f) => f.frames.first));
}, 150_000);

test('a worker joining mid-sentence is handed the shard: the same finals, none forced early', async () => {
  expect(reference.length).toBeGreaterThan(0);
  const handedOverBefore = stats.counter('transcribe.LeasesHandedOver');
  const workers = await startStreamWorkers({ env, count: 1 });
  const sentence = audio.sentences[KILL_IN_SENTENCE]!;
  const joinFrame = Math.round(sentence.first + (sentence.last - sentence.first) * KILL_AT_FRACTION);
  let moved = '';
  let joined = '';
  const shardId = await speak('s_handover001', {
    frame: joinFrame,
    run: async (shard) => {
      moved = shard;
      const newcomer = await workers.add();
      joined = newcomer.workerId;
      // The newcomer asks for this shard in particular (it would ask for some shard of the loaded worker anyway).
      await dynamo.send(
        new UpdateItemCommand({
          TableName: SHARD_LEASES_TABLE.name,
          Key: { leaseKey: { S: `shard#${shard}` } },
          UpdateExpression: 'SET pendingOwner = :me',
          ExpressionAttributeValues: { ':me': { S: newcomer.workerId } },
        }),
      );
    },
  });
  const handedOver = await transcribed('s_handover001');
  expect(shardId).toBe(moved);
  expect(workers.workers.find((w) => w.workerId === joined)!.shards).toContain(moved);
  expect(stats.counter('transcribe.LeasesHandedOver') - handedOverBefore).toBeGreaterThanOrEqual(1);
  await workers.stop();

  const wer = check(handedOver);
  console.log(
    JSON.stringify({ handOver: { shard: moved, to: joined, wer: wer.wer, finals: handedOver.map((f) => f.text) } }),
  );
  // A hand-over ends no sentence early: the sentence in progress is replayed whole by the new owner.
  expect(handedOver.map((f) => f.frames.first)).toEqual(reference.map((f) => f.frames.first));
  expect(Math.abs(wer.wer - check(reference).wer)).toBeLessThanOrEqual(MAX_WER_DRIFT);
}, 120_000);
