// Every bad input a client can send, and the exact error it receives back.
import { decodeAudioRecord, encodeAudioFrame, MAX_FRAME_BYTES, MAX_FRAME_TEXT_CHARS } from '@llt/events';
import { beforeEach, describe, expect, test } from 'vitest';
import { makeHttpHandler } from '#handlers/http';
import { makeWebSocketHandler } from '#handlers/websocket';
import { frameEvent, httpEvent, pcm, wsEvent } from '../events.ts';
import { type FakeWorld, fakeWorld } from '../fakes.ts';

let world: FakeWorld;
let ws: ReturnType<typeof makeWebSocketHandler>;
let http: ReturnType<typeof makeHttpHandler>;
let session: { sessionId: string; joinCode: string; speakerToken: string };

async function createSession(body: unknown = { sourceLanguage: 'en', targetLanguages: ['es', 'ca'] }) {
  const res = await http(httpEvent('POST', '/api/sessions', JSON.stringify(body)));
  return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
}

async function connectSpeaker(connectionId = 'speaker-1', token = session.speakerToken) {
  return ws(wsEvent('$connect', connectionId, { query: { role: 'speaker', sessionId: session.sessionId, token } }));
}

async function connectListener(connectionId: string, lang = 'es', code = session.joinCode) {
  return ws(wsEvent('$connect', connectionId, { query: { role: 'listener', code, lang } }));
}

function refusal(result: unknown) {
  const r = result as { statusCode: number; body: string };
  return { status: r.statusCode, ...JSON.parse(r.body) };
}

function lastError(connectionId: string) {
  return world.clients
    .to(connectionId)
    .filter((m) => m.type === 'error')
    .at(-1);
}

beforeEach(async () => {
  world = fakeWorld();
  ws = makeWebSocketHandler(world);
  http = makeHttpHandler(world);
  session = (await createSession()).body;
});

describe('creating a session', () => {
  test('returns a speaker token and a join code and announces SessionStarted', async () => {
    expect(session.joinCode).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(session.speakerToken.length).toBeGreaterThanOrEqual(40);
    const stored = world.sessions.sessions.get(session.sessionId);
    expect(JSON.stringify(stored)).not.toContain(session.speakerToken);
    expect(world.events.events.map((e) => e.detailType)).toEqual(['SessionStarted']);
  });

  test('an unknown source language is refused', async () => {
    expect(await createSession({ sourceLanguage: 'xx', targetLanguages: ['es'] })).toEqual({
      status: 400,
      body: {
        type: 'error',
        code: 'unsupported_language',
        message: 'Source language "xx" is not recognised on this server; supported: en',
      },
    });
  });

  test('an unknown target language is refused', async () => {
    expect(await createSession({ sourceLanguage: 'en', targetLanguages: ['es', 'klingon'] })).toEqual({
      status: 400,
      body: {
        type: 'error',
        code: 'unsupported_language',
        message:
          'Target language "klingon" is not offered on this server: no installed translation engine reaches it; supported: es, ca, gl, eo',
      },
    });
  });

  test('a language whose engine is not installed is refused', async () => {
    world.settings.languages = { sources: ['en'], targets: ['es'], spoken: ['es'] };
    expect((await createSession({ sourceLanguage: 'en', targetLanguages: ['gl'] })).body.code).toBe(
      'unsupported_language',
    );
  });

  test('a target the session source does not reach is refused; a bare source resolves to its variant', async () => {
    world.settings.languages = {
      sources: ['en-US', 'eo'],
      targets: ['es', 'en'],
      spoken: ['es'],
      pairs: { 'en-US': ['es'], eo: ['en'] },
    };
    expect(await createSession({ sourceLanguage: 'en', targetLanguages: ['en'] })).toMatchObject({ status: 400 });
    expect(await createSession({ sourceLanguage: 'eo', targetLanguages: ['es'] })).toEqual({
      status: 400,
      body: {
        type: 'error',
        code: 'unsupported_language',
        message: 'Spanish (es) cannot be translated from Esperanto (eo) on this server',
      },
    });
    const created = await createSession({ sourceLanguage: 'en', targetLanguages: ['es'] });
    expect(created.status).toBe(201);
    expect(created.body.sourceLanguage).toBe('en-US');
  });

  test('GET /api/languages names every offered language and says which are captions only', async () => {
    world.settings.languages = { sources: ['en'], targets: ['es', 'gl', 'ca'], spoken: ['es', 'ca'] };
    const res = await http(httpEvent('GET', '/api/languages'));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? '')).toEqual({
      source: [{ code: 'en', name: 'English', nativeName: 'English' }],
      target: [
        { code: 'ca', name: 'Catalan', nativeName: 'Català', available: true, spoken: true },
        { code: 'gl', name: 'Galician', nativeName: 'Galego', available: true, spoken: false },
        { code: 'es', name: 'Spanish', nativeName: 'Español', available: true, spoken: true },
      ],
    });
  });

  test('a body that is not JSON, or lacks target languages, is refused', async () => {
    const notJson = await http(httpEvent('POST', '/api/sessions', '{nope'));
    expect(notJson.statusCode).toBe(400);
    expect(JSON.parse(notJson.body ?? '')).toEqual({
      type: 'error',
      code: 'invalid_request',
      message: 'Request body is not valid JSON',
    });
    const empty = await createSession({ sourceLanguage: 'en', targetLanguages: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('invalid_request');
    expect(empty.body.message).toContain('choose at least one target language');
  });

  test('an oversized body is refused with 413', async () => {
    const res = await http(httpEvent('POST', '/api/sessions', 'x'.repeat(70_000)));
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(res.body ?? '').code).toBe('message_too_large');
  });

  test('a join code resolves to the session languages; an unknown one is a 404', async () => {
    const ok = await http(httpEvent('GET', `/api/join/${session.joinCode.toLowerCase()}`));
    expect(JSON.parse(ok.body ?? '')).toEqual({
      sessionId: session.sessionId,
      sourceLanguage: 'en',
      targetLanguages: ['es', 'ca'],
    });
    const missing = await http(httpEvent('GET', '/api/join/ZZZZZZ'));
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body ?? '')).toEqual({
      type: 'error',
      code: 'unknown_join_code',
      message: 'No session has join code "ZZZZZZ"',
    });
  });

  test('a join code that is not valid percent-encoding is a 400, not a crash', async () => {
    for (const code of ['%ZZ', '%E0%A4%A', '%']) {
      const res = await http(httpEvent('GET', `/api/join/${code}`));
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body ?? '')).toEqual({
        type: 'error',
        code: 'invalid_request',
        message: 'The path is not valid percent-encoded UTF-8',
      });
    }
  });
});

describe('connecting', () => {
  test('an unknown join code is refused with 404', async () => {
    expect(refusal(await connectListener('l1', 'es', 'ABCDEF'))).toEqual({
      status: 404,
      type: 'error',
      code: 'unknown_join_code',
      message: 'No session has join code "ABCDEF"',
    });
  });

  test('an unknown language is refused', async () => {
    expect(refusal(await connectListener('l1', 'xx'))).toEqual({
      status: 400,
      type: 'error',
      code: 'unsupported_language',
      message: 'Unknown language "xx"',
    });
  });

  test('a language the session does not offer is refused', async () => {
    expect(refusal(await connectListener('l1', 'eo'))).toEqual({
      status: 400,
      type: 'error',
      code: 'language_not_offered',
      message: 'This session is not translated into "eo"; choose one of: es, ca',
    });
  });

  test('an unknown session is refused with 404', async () => {
    const result = await ws(
      wsEvent('$connect', 's1', { query: { role: 'speaker', sessionId: 's_doesnotexist', token: 't' } }),
    );
    expect(refusal(result)).toEqual({
      status: 404,
      type: 'error',
      code: 'unknown_session',
      message: 'No session s_doesnotexist',
    });
  });

  test('a wrong speaker token is refused with 401', async () => {
    expect(refusal(await connectSpeaker('s1', 'not-the-token'))).toEqual({
      status: 401,
      type: 'error',
      code: 'invalid_token',
      message: 'The speaker token does not match this session',
    });
  });

  test('an expired speaker token is refused with 401', async () => {
    world.time.now += 3_600_001;
    const result = refusal(await connectSpeaker());
    expect(result.status).toBe(401);
    expect(result.code).toBe('token_expired');
    expect(result.message).toMatch(/^The speaker token expired at \d{4}-\d\d-\d\dT/);
  });

  test('a second speaker is refused with 409 while the first is connected', async () => {
    expect(await connectSpeaker('s1')).toEqual({ statusCode: 200 });
    expect(refusal(await connectSpeaker('s2'))).toEqual({
      status: 409,
      type: 'error',
      code: 'speaker_already_connected',
      message: 'This session already has a speaker connected; close the other connection first',
    });
    await ws(wsEvent('$disconnect', 's1'));
    expect(await connectSpeaker('s2')).toEqual({ statusCode: 200 });
  });

  test('a speaker reconnecting after a crash takes over the dead connection the session still names', async () => {
    expect(await connectSpeaker('s1')).toEqual({ statusCode: 200 });
    // The server went down without running s1's $disconnect: the record says s1, the gateway no longer has it.
    world.clients.gone.add('s1');
    expect(await connectSpeaker('s2')).toEqual({ statusCode: 200 });
    expect(refusal(await connectSpeaker('s3'))).toMatchObject({ status: 409, code: 'speaker_already_connected' });
  });

  test('a connection without a role is refused with 400', async () => {
    expect(refusal(await ws(wsEvent('$connect', 'x', { query: {} })))).toEqual({
      status: 400,
      type: 'error',
      code: 'invalid_request',
      message: 'Connect with ?role=speaker&sessionId=…&token=… or ?role=listener&code=…&lang=…',
    });
  });

  test('joining an ended session is refused with 410', async () => {
    await connectSpeaker('s1');
    await ws(wsEvent('end', 's1', { body: '{"action":"end"}' }));
    expect(refusal(await connectListener('l9'))).toEqual({
      status: 410,
      type: 'error',
      code: 'session_ended',
      message: `Session ${session.sessionId} has ended`,
    });
  });
});

describe('messages', () => {
  beforeEach(async () => {
    await connectSpeaker('s1');
    await connectListener('l1', 'es');
  });

  test('a frame shorter than its header is a malformed_frame', async () => {
    await ws(frameEvent('s1', new Uint8Array(7)));
    expect(lastError('s1')).toEqual({
      type: 'error',
      code: 'malformed_frame',
      message: 'Audio frame of 7 bytes is shorter than the 20-byte header',
    });
    expect(world.audio.records).toHaveLength(0);
    expect(world.connections.rejected).toEqual([{ connectionId: 's1', code: 'malformed_frame' }]);
    expect(world.counts.get('RejectedInputs.malformed_frame')).toBe(1);
  });

  test('a frame of the wrong format is refused with what is expected', async () => {
    const frame = encodeAudioFrame(0, Date.now(), pcm(20));
    new DataView(frame.buffer).setUint32(4, 44_100, true);
    new DataView(frame.buffer).setUint8(2, 2);
    await ws(frameEvent('s1', frame));
    expect(lastError('s1')).toEqual({
      type: 'error',
      code: 'unsupported_audio_format',
      message: 'Audio must be 16000 Hz mono s16le (encoding 1); got 44100 Hz, 2 channel(s), encoding 1',
    });
  });

  test('an oversized frame is refused', async () => {
    await ws(frameEvent('s1', encodeAudioFrame(0, Date.now(), pcm(250))));
    expect(lastError('s1')).toEqual({
      type: 'error',
      code: 'frame_too_large',
      message: `Audio frame text of 10696 characters exceeds the ${MAX_FRAME_TEXT_CHARS}-character maximum (base64 of ${MAX_FRAME_BYTES} bytes: 100 ms of 16 kHz mono s16le plus a 20-byte header)`,
    });
  });

  test('base64 characters that are not a padded encoding are a malformed_frame; other text is a control message', async () => {
    await ws(wsEvent('$default', 's1', { body: 'AQEBAIA+AAAFAAAA/' }));
    expect(lastError('s1')).toEqual({
      type: 'error',
      code: 'malformed_frame',
      message: 'Audio frame text is not padded standard base64 (RFC 4648 section 4, length a multiple of 4)',
    });
    await ws(wsEvent('$default', 's1', { body: 'hello there' }));
    expect(lastError('s1')).toEqual({
      type: 'error',
      code: 'invalid_message',
      message: 'Message is neither valid JSON nor a base64 audio frame',
    });
    expect(world.audio.records).toHaveLength(0);
  });

  test('a frame of under 20 ms is refused', async () => {
    await ws(frameEvent('s1', encodeAudioFrame(0, Date.now(), pcm(10))));
    expect(lastError('s1')).toEqual({
      type: 'error',
      code: 'malformed_frame',
      message: 'Audio frame holds 10 ms; frames must hold 20-100 ms',
    });
  });

  test('a listener sending audio is refused', async () => {
    await ws(frameEvent('l1', encodeAudioFrame(0, Date.now(), pcm(20))));
    expect(lastError('l1')).toEqual({
      type: 'error',
      code: 'not_speaker',
      message: "Only the session's speaker can send audio; listeners can only listen",
    });
    expect(world.audio.records).toHaveLength(0);
  });

  test('a listener cannot end the session', async () => {
    await ws(wsEvent('end', 'l1', { body: '{"action":"end"}' }));
    expect(lastError('l1')).toEqual({
      type: 'error',
      code: 'not_speaker',
      message: "Only the session's speaker can end the session",
    });
    expect(world.sessions.sessions.get(session.sessionId)?.status).toBe('live');
  });

  test('text that is not JSON, not an object, or an unknown action is refused', async () => {
    await ws(wsEvent('$default', 's1', { body: '{"action":' }));
    expect(lastError('s1')).toEqual({
      type: 'error',
      code: 'invalid_message',
      message: 'Message is neither valid JSON nor a base64 audio frame',
    });
    await ws(wsEvent('$default', 's1', { body: '[1,2]' }));
    expect(lastError('s1')).toEqual({
      type: 'error',
      code: 'invalid_message',
      message: 'Expected a JSON object with "action": one of hello, pause, resume, end',
    });
    await ws(wsEvent('$default', 's1', { body: '{"action":"dance"}' }));
    expect(lastError('s1')).toEqual({
      type: 'error',
      code: 'invalid_message',
      message: 'Unknown action "dance"; expected one of hello, pause, resume, end',
    });
  });

  test('an oversized text message is refused', async () => {
    await ws(wsEvent('$default', 's1', { body: JSON.stringify({ action: 'hello', pad: 'x'.repeat(5000) }) }));
    expect(lastError('s1')).toEqual({
      type: 'error',
      code: 'message_too_large',
      message: 'Text message of 5027 bytes exceeds 4096 bytes; audio goes in base64 audio frames',
    });
  });

  test('frames go to the stream once each, in whatever order they come; duplicates are dropped', async () => {
    const t0 = 1_800_000_000_000;
    for (const seq of [0, 1, 1, 2, 5, 4, 0]) await ws(frameEvent('s1', encodeAudioFrame(seq, t0 + seq * 20, pcm(20))));
    const headers = world.audio.records.map((r) => decodeAudioRecord(r.data).header);
    expect(headers.map((h) => (h.kind === 'audio' ? h.seq : -1))).toEqual([0, 1, 2, 5, 4]);
    expect(world.audio.records.every((r) => r.sessionId === session.sessionId)).toBe(true);
    expect(world.clients.to('s1')).toEqual([]); // duplicates are not errors
    expect(world.counts.get('FramesDuplicate')).toBe(2);
    expect(world.counts.get('FramesOutOfOrder')).toBe(1); // 4, after 5
  });

  test('a frame from a connection that is no longer the speaker, or after the end, is refused', async () => {
    await ws(frameEvent('s1', encodeAudioFrame(0, Date.now(), pcm(20))));
    world.sessions.sessions.get(session.sessionId)!.speakerConnectionId = 'someone-else';
    await ws(frameEvent('s1', encodeAudioFrame(1, Date.now(), pcm(20))));
    expect(lastError('s1')).toMatchObject({ code: 'not_speaker' });
    world.sessions.sessions.get(session.sessionId)!.status = 'ended';
    await ws(frameEvent('s1', encodeAudioFrame(2, Date.now(), pcm(20))));
    expect(lastError('s1')).toMatchObject({ code: 'session_ended' });
    expect(world.audio.records).toHaveLength(1);
  });

  test("the speaker's hello folds the stored run into the resume point, keeping what lies beyond a gap", async () => {
    for (const seq of [0, 2, 1, 5]) await ws(frameEvent('s1', encodeAudioFrame(seq, Date.now(), pcm(20))));
    await ws(wsEvent('hello', 's1', { body: '{"action":"hello"}' }));
    expect(world.clients.to('s1').find((m) => m.type === 'welcome')).toMatchObject({ lastSeq: 2 });
    expect(world.sessions.sessions.get(session.sessionId)?.frames).toEqual({ upTo: 2, above: [5], claimed: {} });
  });

  test('a frame the stream could not store is reported retryable and accepted when resent', async () => {
    world.audio.failNext = 1;
    const frame = encodeAudioFrame(0, Date.now(), pcm(20));
    await ws(frameEvent('s1', frame));
    expect(lastError('s1')).toEqual({
      type: 'error',
      code: 'frame_not_stored',
      message: 'Audio frame 0 could not be stored; send it again',
      seq: 0,
      retryable: true,
    });
    await ws(frameEvent('s1', frame));
    expect(world.audio.records).toHaveLength(1);
  });

  test('hello tells a reconnecting speaker where to resume, then who is listening', async () => {
    for (const seq of [0, 1, 2]) await ws(frameEvent('s1', encodeAudioFrame(seq, Date.now(), pcm(20))));
    await ws(wsEvent('$disconnect', 's1'));
    await connectSpeaker('s2');
    await ws(wsEvent('hello', 's2', { body: '{"action":"hello"}' }));
    expect(world.clients.to('s2')).toEqual([
      {
        type: 'welcome',
        role: 'speaker',
        sessionId: session.sessionId,
        sourceLanguage: 'en',
        targetLanguages: ['es', 'ca'],
        lastSeq: 2,
      },
      // The test world has one Spanish listener connected.
      { type: 'listeners', sessionId: session.sessionId, counts: { es: 1, ca: 0 } },
    ]);
  });

  test('ending the session tells every connection, closes the speaker and announces SessionEnded', async () => {
    await ws(frameEvent('s1', encodeAudioFrame(0, Date.now(), pcm(20))));
    await ws(wsEvent('end', 's1', { body: '{"action":"end"}' }));
    const notice = { type: 'session-ended', sessionId: session.sessionId, reason: 'speaker-ended' };
    expect(world.clients.to('l1')).toContainEqual(notice);
    expect(world.clients.to('s1')).toContainEqual(notice);
    // Listeners stay for the captions of the last sentence, still on their way.
    expect(world.clients.disconnected).toEqual(['s1']);
    expect(world.events.events.map((e) => e.detailType)).toContain('SessionEnded');
    const last = decodeAudioRecord(world.audio.records.at(-1)!.data).header;
    expect(last).toMatchObject({ kind: 'marker', marker: 'end', afterSeq: 0 });
  });
});

describe('relayed events', () => {
  test('a speaker whose speech is not transcribed is told why, with the exact message', async () => {
    const { makeEventsHandler } = await import('#handlers/events');
    await connectSpeaker('s1');
    const relay = makeEventsHandler(world);
    const message =
      'Speech recognition is at capacity (recognisers in use: 8); this session is not transcribed yet. Trying again in 30 s.';
    await relay({
      version: '0',
      id: 'e1',
      'detail-type': 'TranscriptionUnavailable',
      source: 'llt.transcribe',
      account: '0',
      time: '',
      region: 'us-east-1',
      resources: [],
      detail: { v: 1, sessionId: session.sessionId, reason: 'capacity', message, retryAfterMs: 30_000, occurredAt: 1 },
    });
    expect(lastError('s1')).toEqual({ type: 'error', code: 'transcription_unavailable', message, retryable: true });
  });
});
