// Restarting the local system while a session is live: clients are told (close 1012), reconnect on their own
// and the session goes on; every audio frame is on the stream exactly once; captions and speech stored before
// the restart are still there after it — after a clean stop (SIGTERM) and after a crash (SIGKILL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession, ListenerClient, readWav, SpeakerClient, toMono16k } from '@llt/cli';
import type { AudioMessage, CaptionHistory, CaptionMessage } from '@llt/events';
import { AUDIO_STREAM_NAME } from '@llt/platform';
import { afterAll, expect, test } from 'vitest';
import { audioFrames, readAllRecords } from '../support/kinesis.ts';
import { freePort, type SpawnedSystem, spawnSystem } from '../support/spawn.ts';
import { speakToWav } from '../support/speech.ts';
import { openSocket } from '../support/system.ts';
import { waitFor } from '../support/wait.ts';

const SENTENCES = [
  'the meeting will start in five minutes',
  'please take your seats and turn off your phones',
  'we will begin with the report from the sales team',
];
/** A word of each sentence as the Spanish listener reads it. */
const SPANISH = [/cinco/i, /tel[eé]fonos/i, /informe|ventas/i];
const RECONNECT = { maxAttempts: 60, maxDelayMs: 500 };

const dataDir = mkdtempSync(join(tmpdir(), 'llt-restart-'));
let system: SpawnedSystem | undefined;
afterAll(async () => {
  await system?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const silence = (ms: number) => new Int16Array(16 * ms);
const speech = (text: string) => toMono16k(readWav(speakToWav(text, 'rms')));

test('live sessions survive a clean restart and a crash of the local system', async () => {
  const port = await freePort();
  const start = () => spawnSystem({ LOG_LEVEL: 'INFO' }, [], { port, dataDir });
  system = await start();
  const url = system.url;

  const session = await createSession(url, { sourceLanguage: 'en', targetLanguages: ['es', 'ca'] });
  const listener = new ListenerClient({ server: url, code: session.joinCode, lang: 'es', reconnect: RECONNECT });
  await listener.connect();
  // A bare socket shows what every client is told when the server goes down.
  const closes: { code: number; reason: string }[] = [];
  const bare = await openSocket(`${url.replace('http', 'ws')}/ws?role=listener&code=${session.joinCode}&lang=ca`);
  bare.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }));

  const speaker = new SpeakerClient({
    server: url,
    sessionId: session.sessionId,
    token: session.speakerToken,
    reconnect: RECONNECT,
  });
  await speaker.connect();

  // Sentence 1, then its translation and speech reach the listener.
  let framesStreamed = 0;
  const stream = async (samples: Int16Array) => {
    framesStreamed += (await speaker.streamRealtime(samples)).frames;
  };
  await stream(new Int16Array([...silence(300), ...speech(SENTENCES[0]!), ...silence(800)]));
  // Its final translation, not only a clause's: what the listener was sent is what the caption log must keep.
  await waitFor(
    'the Spanish translation of sentence 1',
    () => spanishTexts(listener).some((t) => SPANISH[0]!.test(t)),
    {
      timeoutMs: 30_000,
      detail: () => spanishTexts(listener),
    },
  );
  const firstAudio = await listener.waitFor<AudioMessage>((m) => m.type === 'audio', 20_000, { includePast: true });

  // Sentence 2 is being spoken when the system stops cleanly and starts again on the same data.
  const second = stream(new Int16Array([...speech(SENTENCES[1]!), ...silence(800)]));
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const stopped = await system.kill('SIGTERM');
  expect(stopped.code).toBe(0);
  expect(closes).toEqual([{ code: 1012, reason: 'Server restarting; reconnect in a few seconds' }]);
  system = await start();
  await second;
  await speaker.drain();
  // Audio stored before the restart is still served; its URL was signed for the same address.
  const kept = await fetch(firstAudio.url);
  expect(kept.status).toBe(200);
  expect((await kept.arrayBuffer()).byteLength).toBeGreaterThan(1000);

  // Sentence 3 after a crash: the session, its speaker and listener carry on once the system is back. The crash
  // comes once sentence 2's translation was sent and stored: notify stores a caption while it sends it, and a crash
  // between the two loses the write, as it would any write in flight.
  await waitFor(
    'the Spanish translation of sentence 2',
    () => spanishTexts(listener).some((t) => SPANISH[1]!.test(t)),
    {
      timeoutMs: 30_000,
      detail: () => spanishTexts(listener),
    },
  );
  const logged = await captionLogHolding(url, session.sessionId, [SPANISH[1]!]);
  expect(logged.map((c) => c.text).join(' | ')).toMatch(SPANISH[1]!);
  const killed = await system.kill('SIGKILL');
  expect(killed.signal).toBe('SIGKILL');
  system = await start();
  await stream(new Int16Array([...speech(SENTENCES[2]!), ...silence(800)]));
  await speaker.drain();
  await waitFor(
    'the Spanish translation of sentence 3',
    () => spanishTexts(listener).some((t) => SPANISH[2]!.test(t)),
    {
      timeoutMs: 30_000,
      detail: () => spanishTexts(listener),
    },
  );
  await speaker.end();
  await listener.close();
  bare.terminate();

  expect(speaker.stats.framesLost).toBe(0);
  expect(speaker.stats.reconnects).toBeGreaterThanOrEqual(2);
  expect(listener.reconnects).toBeGreaterThanOrEqual(2);

  // Every frame the speaker sent is on the stream once, across both restarts.
  const env = await system.env();
  const { seqs } = audioFrames(await readAllRecords(env.LLT_KINESIS_ENDPOINT!, AUDIO_STREAM_NAME), session.sessionId);
  expect(seqs).toEqual(Array.from({ length: framesStreamed }, (_, i) => i));

  // The caption log has every sentence, in order, each segment once — including those from before both restarts.
  // (Sentence 3's caption is stored while it is sent: it may take a moment longer.)
  const captions = await captionLogHolding(system.url, session.sessionId, SPANISH);
  const live = spanishTexts(listener).join(' | ');
  const stored = captions.map((c) => `#${c.segmentIndex} ${c.text}`).join(' | ');
  for (const word of SPANISH)
    expect(`stored: ${stored} — sent live: ${live}`).toMatch(new RegExp(`stored:.*${word.source}.*—`, 'i'));
  const indexes = captions.map((c) => c.segmentIndex);
  expect(indexes).toEqual([...new Set(indexes)].sort((a, b) => a - b));
}, 240_000);

/** The Spanish caption log, read until it holds every word (or 10 s have passed): a caption is stored as it is sent. */
async function captionLogHolding(url: string, sessionId: string, words: readonly RegExp[]): Promise<CaptionMessage[]> {
  const by = Date.now() + 10_000;
  for (;;) {
    const history = (await (await fetch(`${url}/api/sessions/${sessionId}/captions?lang=es`)).json()) as CaptionHistory;
    const held = words.every((word) => history.captions.some((c) => word.test(c.text)));
    if (held || Date.now() >= by) return history.captions;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function spanishTexts(listener: ListenerClient): string[] {
  return listener.history.flatMap(({ message: m }) =>
    m.type === 'caption' && (m as CaptionMessage).kind === 'translation' && (m as CaptionMessage).final
      ? [(m as CaptionMessage).text]
      : [],
  );
}
