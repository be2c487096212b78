// A WAV streamed in real time through ingest is transcribed by the real PocketSphinx recogniser: partials
// while it is spoken, then the final text; a worker that reads the whole stream again finalizes nothing twice.
// Run twice: with every function in one warm environment (sticky), and with invocations spread at random over
// environments that are frozen between invocations and recycled (seeded, so a failure replays).
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListenerClient, readWav, SpeakerClient, toMono16k } from '@llt/cli';
import { tableInput } from '@llt/local/emulators';
import { RESOURCE_ENV, SHARD_LEASES_TABLE, stats } from '@llt/platform';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startStreamWorkers } from '../../local/src/transcribe/stream-workers.ts';
import { LAMBDA_MODELS } from '../support/lambda.ts';
import { speakToWav } from '../support/speech.ts';
import { startTestSystem } from '../support/system.ts';
import { waitFor } from '../support/wait.ts';
import { wordErrorRate } from '../support/wer.ts';

const SENTENCE = 'the meeting will start in five minutes';
describe.each(LAMBDA_MODELS)('Lambda policy $name', ({ lambda }) => {
  let system: Awaited<ReturnType<typeof startTestSystem>>;
  const events: { type: string; detail: Record<string, unknown>; at: number }[] = [];

  beforeAll(async () => {
    // One recogniser only, so the second session of this file finds speech recognition at capacity.
    process.env.LLT_ASR_MAX_SESSIONS = '1';
    system = await startTestSystem({ lambda });
    system.bus.subscribe((e) =>
      events.push({ type: e['detail-type'], detail: e.detail as Record<string, unknown>, at: Date.now() }),
    );
  });
  afterAll(async () => {
    await system?.stop();
  });

  const seen = () => events.map((e) => e.type);

  test('speech streamed through ingest becomes partials, then one final with the spoken text', async () => {
    const samples = toMono16k(readWav(speakToWav(SENTENCE, 'rms')));
    const res = await fetch(`${system.url}/api/sessions`, {
      method: 'POST',
      body: JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] }),
    });
    const session = (await res.json()) as { sessionId: string; speakerToken: string; joinCode: string };
    const listener = new ListenerClient({ server: system.url, code: session.joinCode, lang: 'es' });
    await listener.connect();
    const speaker = new SpeakerClient({
      server: system.url,
      sessionId: session.sessionId,
      token: session.speakerToken,
    });
    await speaker.connect();
    await speaker.streamRealtime(
      new Int16Array([...new Int16Array(16 * 500), ...samples, ...new Int16Array(16 * 800)]),
    );
    await speaker.drain();

    const mine = (type: string) => events.filter((e) => e.type === type && e.detail.sessionId === session.sessionId);
    await waitFor('TranscriptFinalized', () => mine('TranscriptFinalized').length >= 1, { detail: seen });
    const finals = mine('TranscriptFinalized');
    expect(finals).toHaveLength(1);
    const final = finals[0]!;
    expect(wordErrorRate(SENTENCE, final.detail.text as string).wer).toBeLessThanOrEqual(0.2);
    expect(final.detail.text as string).toMatch(/^[A-Z]/);
    const partials = mine('TranscriptPartial');
    expect(partials.length).toBeGreaterThanOrEqual(2);
    expect(partials.every((p) => p.detail.segmentId === final.detail.segmentId && p.at <= final.at)).toBe(true);
    const capture = final.detail.capture as { start: number; end: number };
    expect(capture.end - capture.start).toBeGreaterThan(1_000);

    // A listener (Spanish) reads the recognised English as it is spoken: partial captions, then the final one.
    const finalCaption = await listener.waitFor((m) => m.type === 'caption' && m.final, 5_000, { includePast: true });
    expect(finalCaption).toMatchObject({ kind: 'source', text: final.detail.text, segmentId: final.detail.segmentId });
    const captions = listener.history.filter((h) => h.message.type === 'caption').map((h) => h.message);
    expect(captions.filter((c) => c.type === 'caption' && !c.final).length).toBeGreaterThanOrEqual(1);
    await listener.close();

    // A worker that lost every checkpoint (here: one with a lease table of its own) reads the whole stream again
    // with fresh recognisers: the utterance is recognised again but not finalized again.
    await speaker.close();
    const replayTable = `${SHARD_LEASES_TABLE.name}-replay`;
    const dynamo = new DynamoDBClient({
      endpoint: system.env.LLT_DYNAMODB_ENDPOINT!,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await dynamo.send(new CreateTableCommand(tableInput({ ...SHARD_LEASES_TABLE, name: replayTable })));
    dynamo.destroy();
    const deduplicatedBefore = stats.counter('transcribe.FinalsDeduplicated');
    const replay = await startStreamWorkers({
      env: {
        ...system.env,
        [RESOURCE_ENV.shardLeasesTable]: replayTable,
        LLT_TRANSCRIBE_INITIAL_POSITION: 'TRIM_HORIZON',
      },
      count: 1,
    });
    try {
      await waitFor(
        'the replayed utterance deduplicated',
        () => stats.counter('transcribe.FinalsDeduplicated') > deduplicatedBefore,
      );
    } finally {
      await replay.stop();
    }
    await system.bus.drain();
    await new Promise((r) => setTimeout(r, 200));
    expect(mine('TranscriptFinalized')).toHaveLength(1);
  }, 60_000);

  test('a session beyond the recognisers available is told so on the speaker connection; the first is unaffected', async () => {
    const res = await fetch(`${system.url}/api/sessions`, {
      method: 'POST',
      body: JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] }),
    });
    const session = (await res.json()) as { sessionId: string; speakerToken: string };
    const errors: { code: string; message: string }[] = [];
    const speaker = new SpeakerClient({
      server: system.url,
      sessionId: session.sessionId,
      token: session.speakerToken,
      onMessage: (m) => {
        if (m.type === 'error') errors.push(m);
      },
    });
    await speaker.connect();
    const samples = toMono16k(readWav(speakToWav('good afternoon', 'slt')));
    await speaker.streamRealtime(
      new Int16Array([...new Int16Array(16 * 300), ...samples, ...new Int16Array(16 * 500)]),
    );
    await waitFor('an error on the speaker connection', () => errors.length > 0, { detail: seen });
    expect(errors[0]).toEqual({
      type: 'error',
      code: 'transcription_unavailable',
      message:
        'Speech recognition is at capacity (recognisers in use: 1); this session is not transcribed yet. Trying again in 30 s.',
      retryable: true,
    });
    expect(events.filter((e) => e.type === 'TranscriptFinalized' && e.detail.sessionId === session.sessionId)).toEqual(
      [],
    );
    await speaker.close();
  }, 30_000);
});
