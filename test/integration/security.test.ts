// The security promises, checked against the running system (its own process, so its logs can be read):
// only a session's speaker sends audio or ends it; sessions are isolated (messages, audio, captions); audio URLs
// and speaker tokens expire; per-connection message rate and size limits; failed joins are rate-limited per
// client; and nothing secret reaches the logs, even at DEBUG with every bus event traced.
import { type CreatedSession, createSession, ListenerClient, readWav, SpeakerClient, toMono16k } from '@llt/cli';
import { type AudioMessage, type CaptionMessage, encodeAudioFrameText, type ServerMessage } from '@llt/events';
import { AUDIO_STREAM_NAME } from '@llt/platform';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { audioFrames, readAllRecords } from '../support/kinesis.ts';
import { type SpawnedSystem, spawnSystem } from '../support/spawn.ts';
import { speakToWav } from '../support/speech.ts';
import { inbox, openSocket } from '../support/system.ts';
import { waitFor } from '../support/wait.ts';

const AUDIO_URL_TTL_S = 8;
type Session = CreatedSession;

async function newSession(url: string): Promise<Session> {
  return createSession(url, { sourceLanguage: 'en', targetLanguages: ['es'] });
}

/** A raw WebSocket that records every text message and how it closed. */
async function rawSocket(url: string) {
  const ws = await openSocket(url);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, messages: inbox(ws).messages, closed };
}

/** The HTTP status and error code a WebSocket handshake is refused with (or 101 when it is accepted). */
async function handshake(url: string): Promise<{ status: number; code?: string; message?: string }> {
  try {
    (await openSocket(url)).close();
    return { status: 101 };
  } catch (error) {
    const { status, body } = error as { status: number; body: { code?: string; message?: string } };
    return { status, code: body.code, message: body.message };
  }
}

describe('one system, two live sessions', () => {
  let system: SpawnedSystem;
  let ws: string;
  let a: Session;
  let b: Session;
  const secrets: string[] = [];

  beforeAll(async () => {
    system = await spawnSystem({
      LOG_LEVEL: 'DEBUG',
      LLT_TRACE_EVENTS: '1',
      LLT_METRICS: '1',
      POWERTOOLS_METRICS_DISABLED: 'false',
      LLT_AUDIO_URL_TTL_S: String(AUDIO_URL_TTL_S),
    });
    ws = `${system.url.replace('http', 'ws')}/ws`;
    a = await newSession(system.url);
    b = await newSession(system.url);
    secrets.push(a.speakerToken, b.speakerToken);
  }, 90_000);
  afterAll(async () => {
    await system?.stop();
  });

  test('only the speaker, with its own token, sends audio or ends the session', async () => {
    expect(await handshake(`${ws}?role=speaker&sessionId=${a.sessionId}&token=${b.speakerToken}`)).toMatchObject({
      status: 401,
      code: 'invalid_token',
    });
    expect(await handshake(`${ws}?role=speaker&sessionId=${a.sessionId}`)).toMatchObject({
      status: 400,
      code: 'invalid_request',
    });
    expect(await handshake(`${ws}?role=speaker&sessionId=s_notASessionAtAll&token=${a.speakerToken}`)).toMatchObject({
      status: 404,
      code: 'unknown_session',
    });

    const listener = await rawSocket(`${ws}?role=listener&code=${a.joinCode}&lang=es`);
    listener.ws.send(encodeAudioFrameText(0, Date.now(), new Uint8Array(3200)));
    for (const action of ['end', 'pause', 'resume']) listener.ws.send(JSON.stringify({ action }));
    await waitFor('four refusals', () => listener.messages.filter((m) => m.type === 'error').length >= 4);
    expect(listener.messages.filter((m) => m.type === 'error').map((m) => m.code)).toEqual([
      'not_speaker',
      'not_speaker',
      'not_speaker',
      'not_speaker',
    ]);
    listener.ws.close();
    // Session A is still live and nothing reached its stream.
    expect((await fetch(`${system.url}/api/join/${a.joinCode}`)).status).toBe(200);
    const env = await system.env();
    const records = await readAllRecords(env.LLT_KINESIS_ENDPOINT!, AUDIO_STREAM_NAME);
    expect(records.filter((r) => r.partitionKey === a.sessionId)).toEqual([]);
  });

  test('each session reaches only its own listeners; audio and captions of one are out of reach of the other', async () => {
    const listeners = {
      a: new ListenerClient({ server: system.url, code: a.joinCode, lang: 'es' }),
      b: new ListenerClient({ server: system.url, code: b.joinCode, lang: 'es' }),
    };
    await Promise.all(Object.values(listeners).map((l) => l.connect()));
    const speak = async (session: Session, text: string) => {
      const speaker = new SpeakerClient({
        server: system.url,
        sessionId: session.sessionId,
        token: session.speakerToken,
      });
      await speaker.connect();
      const samples = toMono16k(readWav(speakToWav(text, 'rms')));
      await speaker.streamRealtime(new Int16Array([...new Int16Array(4800), ...samples, ...new Int16Array(12800)]));
      await speaker.drain();
      await speaker.close();
    };
    await Promise.all([speak(a, 'the meeting will start in five minutes'), speak(b, 'please take your seats')]);
    const audio = {
      a: await listeners.a.waitFor<AudioMessage>((m) => m.type === 'audio', 20_000, { includePast: true }),
      b: await listeners.b.waitFor<AudioMessage>((m) => m.type === 'audio', 20_000, { includePast: true }),
    };
    const received = (l: ListenerClient) => l.history.map(({ message }) => message as ServerMessage);
    // Every message to A's listener is about A; nothing of B's (its id, its words) is in any of them.
    expect(new Set(received(listeners.a).map((m) => ('sessionId' in m ? m.sessionId : a.sessionId)))).toEqual(
      new Set([a.sessionId]),
    );
    expect(JSON.stringify(received(listeners.a))).not.toContain(b.sessionId);
    expect(JSON.stringify(received(listeners.b))).not.toContain(a.sessionId);
    const captions = received(listeners.a).filter((m): m is CaptionMessage => m.type === 'caption' && m.final);
    expect(captions.map((c) => c.text).join(' ')).toMatch(/five|cinco/i);
    expect(captions.map((c) => c.text).join(' ')).not.toMatch(/seats|asientos/i);

    // A's URL works; A's signature on B's object does not, nor B's object without a signature.
    expect((await fetch(audio.a.url)).status).toBe(200);
    const bKey = new URL(audio.b.url).pathname;
    const forged = new URL(audio.a.url);
    forged.pathname = bKey;
    const refused = await fetch(forged);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('SignatureDoesNotMatch');
    expect((await fetch(`${system.url}${bKey}`)).status).toBe(403);
    // Caption history is read by session id (96 random bits, never sent to another session's clients).
    const history = await fetch(`${system.url}/api/sessions/${a.sessionId}/captions?lang=es`);
    expect(JSON.stringify(await history.json())).not.toMatch(/asientos/i);
    const guessed = await fetch(`${system.url}/api/sessions/s_AAAAAAAAAAAAAAAA/captions?lang=es`);
    expect(guessed.status).toBe(404);

    // Audio URLs expire.
    const waitMs = audio.a.urlExpiresAt - Date.now() + 1100;
    expect(waitMs).toBeLessThanOrEqual(AUDIO_URL_TTL_S * 1000 + 1100);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
    const expired = await fetch(audio.a.url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    secrets.push(
      ...[audio.a.url, audio.b.url].map((url) => new URL(url).searchParams.get('X-Amz-Signature') ?? 'missing'),
    );
    await Promise.all(Object.values(listeners).map((l) => l.close()));
  }, 90_000);

  test('a flooding or oversized connection is limited without disturbing another session', async () => {
    const framesOfB = async () => {
      const env = await system.env();
      return audioFrames(await readAllRecords(env.LLT_KINESIS_ENDPOINT!, AUDIO_STREAM_NAME), b.sessionId).seqs;
    };
    const before = (await framesOfB()).length;
    const speaker = new SpeakerClient({
      server: system.url,
      sessionId: b.sessionId,
      token: b.speakerToken,
      frameMs: 40,
      ackIntervalMs: 200,
    });
    await speaker.connect();
    const streaming = speaker.streamRealtime(new Int16Array(16 * 4000));

    const flooder = await rawSocket(`${ws}?role=listener&code=${a.joinCode}&lang=es`);
    for (let i = 0; i < 1500; i++) flooder.ws.send('{"action":"pause"}');
    await waitFor('a rate_limited error', () => flooder.messages.some((m) => m.code === 'rate_limited'), {
      timeoutMs: 15_000,
    });
    // Most of the flood was dropped unanswered; the connection still works once it calms down.
    const answered = flooder.messages.filter((m) => m.type === 'error').length;
    expect(answered).toBeLessThan(1500);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    flooder.ws.send('{"action":"hello"}');
    await waitFor('a welcome after the flood', () => flooder.messages.some((m) => m.type === 'welcome'), {
      timeoutMs: 15_000,
    });

    const oversized = await rawSocket(`${ws}?role=listener&code=${a.joinCode}&lang=es`);
    oversized.ws.send(JSON.stringify({ action: 'hello', pad: 'x'.repeat(200 * 1024) }));
    expect((await oversized.closed).code).toBe(1009);

    const streamed = await streaming;
    await speaker.drain();
    // Sent is not stored: each frame is an invocation of its own, and the gateway does not wait for a connection's
    // messages at close. The speaker's periodic hello is answered with what is stored, which empties its buffer.
    await waitFor('every frame of B acknowledged as stored', () => speaker.stats.bufferedFrames === 0);
    await speaker.close();
    flooder.ws.close();
    // Meanwhile session B's speaker lost nothing: every frame once.
    expect(await framesOfB()).toEqual(Array.from({ length: before + streamed.frames }, (_, i) => i));
  }, 60_000);

  test('guessing join codes is cut off per client address', async () => {
    // The limit counts per wall-clock minute: begin with enough of the current one left for every attempt below.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 10_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
    const results = [];
    for (let i = 0; i < 24; i++) {
      results.push(await handshake(`${ws}?role=listener&code=ZZZZ${String(i).padStart(2, '2')}&lang=es`));
    }
    expect(results.slice(0, 20).every((r) => r.status === 404 && r.code === 'unknown_join_code')).toBe(true);
    expect(results.slice(20).every((r) => r.status === 429 && r.code === 'rate_limited')).toBe(true);
    expect(results[20]?.message).toMatch(/try again in \d+ s/);
    // Over the limit, even the right code is not looked up (a guess that hits is no better than a miss).
    expect(await handshake(`${ws}?role=listener&code=${a.joinCode}&lang=es`)).toMatchObject({ status: 429 });
    expect((await fetch(`${system.url}/api/join/${a.joinCode}`)).status).toBe(429);
  });

  test('no token, presigned signature or emulator secret is in the logs', async () => {
    const output = system.output();
    // The logs are there (DEBUG, every bus event, metrics): the check below reads a real record of the run.
    expect(output).toContain('"bus":"TranscriptFinalized"');
    expect(output).toContain('"level":"INFO"');
    expect(secrets.length).toBe(4);
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).not.toMatch(/X-Amz-Signature|S3RVER|speakerToken|tokenHash/);
  });
});

test('speaker tokens expire with their session', async () => {
  const system = await spawnSystem({ LLT_SERVICES: 'ingest', LLT_SESSION_TTL_HOURS: String(3 / 3600) });
  try {
    const ws = `${system.url.replace('http', 'ws')}/ws`;
    const session = await newSession(system.url);
    const speakerUrl = `${ws}?role=speaker&sessionId=${session.sessionId}&token=${session.speakerToken}`;
    expect(await handshake(speakerUrl)).toEqual({ status: 101 });
    await new Promise((resolve) => setTimeout(resolve, 3200));
    expect(await handshake(speakerUrl)).toMatchObject({ status: 401, code: 'token_expired' });
    expect(await handshake(`${ws}?role=listener&code=${session.joinCode}&lang=es`)).toMatchObject({ status: 410 });
  } finally {
    await system.stop();
  }
}, 60_000);
