// Ingest through the local gateway against the emulators: refusals, errors on the socket, isolation.
import { encodeAudioFrameText, toBase64 } from '@llt/events';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { audioFrames, readAllRecords } from '../support/kinesis.ts';
import { inbox, openSocket, startTestSystem } from '../support/system.ts';

let system: Awaited<ReturnType<typeof startTestSystem>>;

beforeAll(async () => {
  // Ingest alone: these tests look at the audio stream, not at what is recognised in it.
  system = await startTestSystem({ services: [] });
});
afterAll(async () => {
  await system?.stop();
});

async function createSession(targetLanguages = ['es']) {
  const res = await fetch(`${system.url}/api/sessions`, {
    method: 'POST',
    body: JSON.stringify({ sourceLanguage: 'en', targetLanguages }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { sessionId: string; joinCode: string; speakerToken: string };
}

const tone = (ms: number) =>
  new Uint8Array(new Int16Array((16 * ms) | 0).map((_, i) => Math.round(3000 * Math.sin(i / 3))).buffer);

describe('ingest through the local gateway', () => {
  test('a refused handshake carries the error as its body', async () => {
    await expect(openSocket(`${system.wsUrl}?role=listener&code=ZZZZZZ&lang=es`)).rejects.toMatchObject({
      status: 404,
      body: { type: 'error', code: 'unknown_join_code', message: 'No session has join code "ZZZZZZ"' },
    });
    const session = await createSession();
    await expect(
      openSocket(`${system.wsUrl}?role=speaker&sessionId=${session.sessionId}&token=wrong`),
    ).rejects.toMatchObject({
      status: 401,
      body: { code: 'invalid_token' },
    });
  });

  test('a listener sending audio gets an error on the socket and stays connected', async () => {
    const session = await createSession();
    const listener = await openSocket(`${system.wsUrl}?role=listener&code=${session.joinCode}&lang=es`);
    const box = inbox(listener);
    listener.send(encodeAudioFrameText(0, Date.now(), tone(20)));
    expect(await box.next((m) => m.type === 'error')).toMatchObject({ code: 'not_speaker' });
    listener.send(JSON.stringify({ action: 'hello' }));
    expect(await box.next((m) => m.type === 'welcome')).toMatchObject({ role: 'listener', language: 'es' });
    listener.close();
  });

  test('a message over the 128 KB gateway limit closes only that connection (1009)', async () => {
    const session = await createSession();
    const speaker = await openSocket(
      `${system.wsUrl}?role=speaker&sessionId=${session.sessionId}&token=${session.speakerToken}`,
    );
    const closed = new Promise<number>((resolve) => speaker.once('close', (code) => resolve(code)));
    speaker.send('A'.repeat(200 * 1024));
    expect(await closed).toBe(1009);
  });

  test('a binary frame, even a valid audio frame, closes the connection with 1003 as API Gateway does; nothing is stored', async () => {
    const session = await createSession();
    const speaker = await openSocket(
      `${system.wsUrl}?role=speaker&sessionId=${session.sessionId}&token=${session.speakerToken}`,
    );
    const closed = new Promise<[number, string]>((resolve) =>
      speaker.once('close', (code, reason) => resolve([code, reason.toString()])),
    );
    speaker.send(Buffer.from(encodeAudioFrameText(0, Date.now(), tone(20)), 'base64'), { binary: true });
    const [code, reason] = await closed;
    expect(code).toBe(1003);
    expect(reason).toMatch(/binary/i);
    const records = (await readAllRecords(system.env.LLT_KINESIS_ENDPOINT!, system.env.LLT_AUDIO_STREAM!)).filter(
      (r) => r.partitionKey === session.sessionId,
    );
    expect(records).toEqual([]);
  });

  test('garbage from one speaker does not disturb another session sending a burst at the same time', async () => {
    const good = await createSession();
    const bad = await createSession();
    const goodWs = await openSocket(
      `${system.wsUrl}?role=speaker&sessionId=${good.sessionId}&token=${good.speakerToken}`,
    );
    const badWs = await openSocket(`${system.wsUrl}?role=speaker&sessionId=${bad.sessionId}&token=${bad.speakerToken}`);
    const badBox = inbox(badWs);
    const t0 = Date.now();
    for (let seq = 0; seq < 50; seq++) {
      goodWs.send(encodeAudioFrameText(seq, t0 + seq * 20, tone(20)));
      badWs.send(toBase64(new Uint8Array([1, 2, 3, seq])));
      badWs.send('{"action":');
    }
    await badBox.next(
      (m) => m.type === 'error' && m.code === 'invalid_message' && badBox.messages.length >= 100,
      10_000,
    );
    // The welcome counts what is on the stream; frames of the burst may still be in flight.
    const goodBox = inbox(goodWs);
    let lastSeq: unknown;
    for (const deadline = Date.now() + 10_000; lastSeq !== 49 && Date.now() < deadline; ) {
      goodBox.messages.length = 0;
      goodWs.send(JSON.stringify({ action: 'hello' }));
      lastSeq = (await goodBox.next((m) => m.type === 'welcome')).lastSeq;
    }
    expect(lastSeq).toBe(49);
    const { seqs } = audioFrames(
      await readAllRecords(system.env.LLT_KINESIS_ENDPOINT!, system.env.LLT_AUDIO_STREAM!),
      good.sessionId,
    );
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i));
    goodWs.close();
    badWs.close();
  });
});
