// The speaker client against a throwaway server that follows the contract: refused handshakes, welcome with
// lastSeq, a connection dropped mid-stream and the exact resend that must follow.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { HandshakeRefusedError } from '../../src/errors.ts';
import { SpeakerClient, type SpeakerClientOptions } from '../../src/speaker.ts';
import { FakeServer, type FakeSession } from '../support/fake-server.ts';

let server: FakeServer;
const clients: SpeakerClient[] = [];

beforeEach(async () => {
  server = await FakeServer.start();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

function speaker(session: FakeSession, options: Partial<SpeakerClientOptions> = {}): SpeakerClient {
  const client = new SpeakerClient({
    server: server.url,
    sessionId: session.sessionId,
    token: session.token,
    frameMs: 20,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50, jitter: 0 },
    ...options,
  });
  clients.push(client);
  return client;
}

/** Distinct audio per frame position, so misplaced or repeated frames show up in the stored audio. */
const audio = (frames: number) => Int16Array.from({ length: frames * 320 }, (_, i) => (i * 7) % 20_000);

function seqsOn(session: FakeSession, connection: number): number[] {
  return session.received.filter((f) => f.connection === connection).map((f) => f.seq);
}

function storedAudio(session: FakeSession): Int16Array {
  const seqs = [...session.stored.keys()].sort((a, b) => a - b);
  const out = new Int16Array(seqs.length * 320);
  for (const [i, seq] of seqs.entries()) out.set(session.stored.get(seq)!.samples, i * 320);
  return out;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('handshake', () => {
  test('a wrong token is a HandshakeRefusedError with the status, code and message of the JSON body', async () => {
    const session = server.createSession();
    const client = speaker(session, { token: 'wrong' });
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect(error).toMatchObject({
      status: 401,
      code: 'invalid_token',
      message: 'The speaker token does not match this session',
    });
    expect(client.state).toBe('closed');
  });

  test('an unknown session is refused with 404 and not retried', async () => {
    const session = server.createSession();
    const client = speaker({ ...session, sessionId: 'no_such_session' });
    await expect(client.connect()).rejects.toMatchObject({ status: 404, code: 'unknown_session' });
    expect(session.speakerConnections).toBe(0);
  });

  test('409 speaker_already_connected is retried until the old connection is gone', async () => {
    const session = server.createSession();
    session.refuseSpeakers = 2;
    const warnings: string[] = [];
    const client = speaker(session, { onError: (e) => warnings.push((e as HandshakeRefusedError).code) });
    const welcome = await client.connect();
    expect(welcome).toMatchObject({ type: 'welcome', role: 'speaker', sessionId: session.sessionId, lastSeq: null });
    expect(warnings).toEqual(['speaker_already_connected', 'speaker_already_connected']);
  });
});

describe('resend after reconnect', () => {
  test('a dropped connection is re-established and exactly the frames after lastSeq are resent, none twice', async () => {
    const session = server.createSession();
    const total = 40;
    // Drop the connection when frame 15 arrives, pretending frames 12..15 were received but never stored.
    server.hooks.onFrame = (s, frame, ws) => {
      if (frame.connection === 1 && frame.seq === 15) {
        server.forget(s, [12, 13, 14, 15]);
        ws.terminate();
      }
    };
    const states: string[] = [];
    const client = speaker(session, { onState: (s) => states.push(s) });
    await client.connect();
    const result = await client.streamFast(audio(total));
    await client.drain();
    await client.end();

    expect(result.frames).toBe(total);
    expect(session.speakerConnections).toBe(2);
    const first = seqsOn(session, 1);
    const second = seqsOn(session, 2);
    expect(first).toEqual(range(0, 15));
    // The second connection starts right after the welcome's lastSeq (11) and carries every later frame once.
    expect(second).toEqual(range(12, total - 1));
    // Frames the server had confirmed were never sent again.
    for (const seq of range(0, 11)) expect(session.received.filter((f) => f.seq === seq)).toHaveLength(1);
    expect(storedAudio(session)).toEqual(audio(total));

    expect(client.stats).toMatchObject({ framesSent: total, reconnects: 1, framesLost: 0, errorsReceived: 0 });
    // Everything the client had handed to the first socket after seq 11 went again (at least 12..15).
    expect(client.stats.framesResent).toBeGreaterThanOrEqual(4);
    expect(states).toEqual(['connecting', 'live', 'reconnecting', 'live', 'ended']);
    expect(session.ended).toBe(true);
    expect(client.ended).toBe(true);
  });

  test('frames captured while disconnected are buffered and sent after the resend, in order', async () => {
    const session = server.createSession();
    const states: string[] = [];
    // A slow first retry leaves a window in which the client is certainly disconnected.
    const client = speaker(session, {
      reconnect: { initialDelayMs: 200, jitter: 0 },
      onState: (s) => states.push(s),
    });
    await client.connect();
    client.sendPcm(audio(5), 1_000);
    await client.drain();
    await until(() => session.received.length === 5);

    session.speaker!.terminate();
    await until(() => states.includes('reconnecting'));
    client.sendPcm(
      audio(5).map((s) => s + 1),
      1_100,
    );
    expect(client.stats.bufferedFrames).toBe(10);
    await until(() => states.at(-1) === 'live');
    await client.drain();
    await until(() => session.received.length === 10);

    expect(seqsOn(session, 2)).toEqual(range(5, 9));
    expect(session.stored.get(5)!.captureTime).toBe(1_100);
    expect(client.stats).toMatchObject({ framesSent: 10, framesResent: 0, reconnects: 1 });
  });

  test('a frame the server could not store (frame_not_stored) is sent again, ahead of newer frames', async () => {
    const session = server.createSession();
    let refused = false;
    server.hooks.onFrame = (s, frame, ws) => {
      if (frame.seq === 3 && !refused) {
        refused = true;
        s.stored.delete(3);
        ws.send(
          JSON.stringify({ type: 'error', code: 'frame_not_stored', message: 'try again', seq: 3, retryable: true }),
        );
      }
    };
    const client = speaker(session);
    await client.connect();
    client.sendPcm(audio(6), 1_000);
    await client.drain();
    await until(() => session.stored.size === 6);
    expect(session.received.map((f) => f.seq).filter((seq) => seq === 3)).toHaveLength(2);
    expect(client.stats).toMatchObject({ framesSent: 6, framesResent: 1, errorsReceived: 1 });
    expect(storedAudio(session)).toEqual(audio(6));
  });

  test('with a tiny socket budget frames wait in the buffer and still all go out, in order', async () => {
    const session = server.createSession();
    const client = speaker(session, { maxSocketBufferBytes: 1 });
    await client.connect();
    const result = await client.streamFast(audio(120));
    await client.drain();
    await until(() => session.received.length === 120);
    expect(result.frames).toBe(120);
    expect(session.received.map((f) => f.seq)).toEqual(range(0, 119));
  });

  test('a first connection to a session that already holds audio continues its numbering', async () => {
    const session = server.createSession();
    const earlier = speaker(session);
    await earlier.connect();
    earlier.sendPcm(audio(3), 1_000);
    await earlier.drain();
    await until(() => session.stored.size === 3);
    await earlier.close();
    expect(session.speaker).toBeUndefined();

    const later = speaker(session);
    expect((await later.connect()).lastSeq).toBe(2);
    later.sendPcm(audio(2), 2_000);
    await later.drain();
    await until(() => session.stored.size === 5);
    expect(seqsOn(session, 2)).toEqual([3, 4]);
  });

  test('end() during an outage is repeated after the reconnect and still ends the session', async () => {
    const session = server.createSession();
    const client = speaker(session);
    await client.connect();
    client.sendPcm(audio(3), 1_000);
    session.speaker!.terminate();
    await client.end();
    expect(session.ended).toBe(true);
    expect([...session.stored.keys()].sort()).toEqual([0, 1, 2]);
    expect(session.controls.filter((c) => c === 'end')).toHaveLength(1);
  });

  test('real-time streaming paces frames by absolute deadlines and reports each first send', async () => {
    const session = server.createSession();
    const client = speaker(session);
    await client.connect();
    const sent: Array<[number, number, number]> = [];
    const started = Date.now();
    const result = await client.streamRealtime(audio(10), {
      leadSilenceMs: 40,
      onFrameSent: (seq, sendTime, startSample) => sent.push([seq, sendTime, startSample]),
    });
    expect(result.frames).toBe(12);
    expect(sent.map(([seq, , start]) => [seq, start])).toEqual(range(0, 11).map((i) => [i, (i - 2) * 320]));
    // Frame i leaves when its last sample would have been captured: (i + 1) × 20 ms after the start.
    for (const [seq, sendTime] of sent) expect(sendTime - result.startTime).toBeGreaterThanOrEqual((seq + 1) * 20 - 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(239);
    await client.drain();
    await until(() => session.stored.size === 12);
    expect(session.stored.get(0)!.captureTime).toBe(result.startTime);
    expect(session.stored.get(3)!.captureTime).toBe(result.startTime + 60);
    expect(session.stored.get(1)!.samples.every((s) => s === 0)).toBe(true);
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
