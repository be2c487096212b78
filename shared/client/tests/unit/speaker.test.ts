// The speaker connection against a scripted socket: handshake, numbering, text frames, acks, reconnect with
// resend, pause/end ordering (end only once the audio is confirmed), refusals judged by the HTTP API's word on
// the session or by a Node socket's refusal, and the bounded buffer.
import { decodeAudioFrameText } from '@llt/events';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { SessionCheck } from '../../src/http.ts';
import type { LinkProblem, LinkState } from '../../src/link.ts';
import { SpeakerConnection, type SpeakerOptions } from '../../src/speaker.ts';
import { FakeSocket } from './support.ts';

const SESSION = 'sess_0123456789';

class SpeakerSocket extends FakeSocket {
  welcome(lastSeq: number | null): void {
    this.receive({
      type: 'welcome',
      role: 'speaker',
      sessionId: SESSION,
      sourceLanguage: 'en',
      targetLanguages: ['es'],
      lastSeq,
    });
  }

  /** Everything sent, decoded: frame seq numbers as numbers, control messages as their action. */
  log(): Array<number | string> {
    return this.sent.map((data) => {
      if (data.startsWith('{')) return (JSON.parse(data) as { action: string }).action;
      const decoded = decodeAudioFrameText(data);
      if (!decoded.ok) throw new Error(decoded.message);
      return decoded.frame.seq;
    });
  }

  frames() {
    return this.sent.flatMap((data) => {
      if (data.startsWith('{')) return [];
      const decoded = decodeAudioFrameText(data);
      return decoded.ok ? [decoded.frame] : [];
    });
  }
}

interface Harness {
  link: SpeakerConnection;
  sockets: SpeakerSocket[];
  states: LinkState[];
  problems: LinkProblem[];
  ended: string[];
  failed: Error[];
  check: ReturnType<typeof vi.fn<() => Promise<SessionCheck>>>;
  socket: () => SpeakerSocket;
}

function harness(options: Partial<SpeakerOptions> = {}): Harness {
  const sockets: SpeakerSocket[] = [];
  const states: LinkState[] = [];
  const problems: LinkProblem[] = [];
  const ended: string[] = [];
  const failed: Error[] = [];
  const check = vi.fn<() => Promise<SessionCheck>>(async () => ({ status: 'unreachable', message: 'down' }));
  const link = new SpeakerConnection({
    url: `ws://test/ws?role=speaker&sessionId=${SESSION}&token=t`,
    createSocket: () => {
      const socket = new SpeakerSocket();
      sockets.push(socket);
      return socket;
    },
    checkSession: check,
    random: () => 0.5,
    onState: (s) => states.push(s),
    onProblem: (p) => problems.push(p),
    onEnded: (r) => ended.push(r),
    onFailed: (e) => failed.push(e),
    ...options,
  });
  return { link, sockets, states, problems, ended, failed, check, socket: () => sockets[sockets.length - 1]! };
}

const pcm = (ms = 100) => new Int16Array((ms * 16_000) / 1000).fill(100);

/** Queues `count` 100 ms frames captured back to back from `start`. */
function speak(link: SpeakerConnection, count: number, start = 1_000_000) {
  for (let i = 0; i < count; i++) link.sendPcm(pcm(), start + i * 100);
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('handshake and streaming', () => {
  test('says hello on open, goes live on the welcome and sends frames numbered from 0', () => {
    const h = harness();
    h.link.connect();
    expect(h.states).toEqual(['connecting']);
    h.socket().open();
    expect(h.socket().log()).toEqual(['hello']);
    h.socket().welcome(null);
    expect(h.states).toEqual(['connecting', 'live']);
    speak(h.link, 3);
    expect(h.socket().log()).toEqual(['hello', 0, 1, 2]);
    expect(
      h
        .socket()
        .frames()
        .map((f) => f.captureTime),
    ).toEqual([1_000_000, 1_000_100, 1_000_200]);
    // Frames are text (API Gateway closes binary ones): the base64 of the 20-byte header and 100 ms of PCM.
    expect(h.socket().sent[1]).toMatch(/^[A-Za-z0-9+/]{4294}==$/);
  });

  test('audio captured before the connection is up is kept and sent once welcomed', () => {
    const h = harness();
    h.link.connect();
    speak(h.link, 2);
    h.socket().open();
    h.socket().welcome(null);
    expect(h.socket().log()).toEqual(['hello', 0, 1]);
  });

  test('a session that already holds audio (page reloaded) continues its numbering', () => {
    const h = harness();
    h.link.connect();
    h.socket().open();
    h.socket().welcome(41);
    speak(h.link, 2);
    expect(h.socket().log()).toEqual(['hello', 42, 43]);
  });

  test('periodic hellos acknowledge stored frames, which frees the buffer', () => {
    const h = harness({ ackIntervalMs: 5_000 });
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    speak(h.link, 10);
    expect(h.link.stats.bufferedMs).toBe(1_000);
    vi.advanceTimersByTime(5_000);
    expect(h.socket().log().at(-1)).toBe('hello');
    h.socket().welcome(7);
    expect(h.link.stats.bufferedMs).toBe(200);
  });

  test('waits in the outbox, not the socket, while the socket buffer is full', () => {
    const h = harness({ maxSocketBufferBytes: 1000 });
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    h.socket().bufferedAmount = 5000;
    speak(h.link, 2);
    expect(h.socket().log()).toEqual(['hello']);
    expect(h.link.stats.unsentMs).toBe(200);
    h.socket().bufferedAmount = 0;
    vi.advanceTimersByTime(20);
    expect(h.socket().log()).toEqual(['hello', 0, 1]);
  });

  test('a frame the server could not store is sent again', () => {
    const h = harness();
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    speak(h.link, 3);
    h.socket().receive({ type: 'error', code: 'frame_not_stored', message: 'again', seq: 1, retryable: true });
    expect(h.socket().log()).toEqual(['hello', 0, 1, 2, 1]);
    expect(h.link.stats.framesResent).toBe(1);
  });
});

describe('reconnecting', () => {
  test('resends exactly what the server lacks, then the audio captured while disconnected', () => {
    const h = harness();
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    speak(h.link, 5);
    h.socket().drop();
    expect(h.states.at(-1)).toBe('reconnecting');
    speak(h.link, 3, 1_000_500); // captured while disconnected
    expect(h.link.stats.bufferedMs).toBe(800);
    vi.advanceTimersByTime(300);
    expect(h.sockets).toHaveLength(2);
    h.socket().open();
    h.socket().welcome(2); // the server stored 0..2
    expect(h.socket().log()).toEqual(['hello', 3, 4, 5, 6, 7]);
    expect(h.states.at(-1)).toBe('live');
    expect(h.link.stats.reconnects).toBe(1);
  });

  test('backs off between failed attempts and reports the state offline after a while, still retrying', async () => {
    const attempts: number[] = [];
    const h = harness({
      offlineAfterMs: 5_000,
      createSocket: () => {
        attempts.push(Date.now());
        const socket = new SpeakerSocket();
        queueMicrotask(() => socket.drop()); // the server is down: every attempt fails
        return socket;
      },
    });
    h.link.connect();
    h.link.sendPcm(pcm(), 1);
    await vi.advanceTimersByTimeAsync(30_000);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps.slice(0, 7)).toEqual([100, 200, 400, 800, 1_600, 2_000, 2_000]);
    expect(h.states).toEqual(['connecting', 'offline']);
    expect(h.check).toHaveBeenCalledTimes(attempts.length);
    expect(h.link.stats.bufferedMs).toBe(100);
  });

  test('retryNow skips the wait (the browser is back online)', async () => {
    const h = harness();
    h.link.connect();
    h.socket().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.sockets).toHaveLength(1);
    h.link.retryNow();
    expect(h.sockets).toHaveLength(2);
  });

  test('a connection that stops answering hellos is replaced', () => {
    const h = harness({ ackIntervalMs: 1_000, silenceTimeoutMs: 3_000 });
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    const first = h.socket();
    vi.advanceTimersByTime(4_000);
    expect(first.closed).toBe(true);
    expect(h.states.at(-1)).toBe('reconnecting');
    vi.advanceTimersByTime(300);
    expect(h.sockets).toHaveLength(2);
  });

  test('a refused handshake for a session that is gone ends the link', async () => {
    const h = harness();
    h.check.mockResolvedValue({ status: 'ended', reason: 'Session sess_0123456789 has ended' });
    h.link.connect();
    h.socket().drop(); // the upgrade was refused: no open, no message
    await vi.runAllTimersAsync();
    expect(h.states.at(-1)).toBe('ended');
    expect(h.ended).toEqual(['Session sess_0123456789 has ended']);
    expect(h.sockets).toHaveLength(1);
  });

  test('a browser refused while the recognisers are full: the HTTP API says at_capacity, and the link stops', async () => {
    const h = harness();
    h.check.mockResolvedValue({ status: 'refused', code: 'at_capacity', message: 'This server is at capacity' });
    h.link.connect();
    h.socket().drop();
    await vi.runAllTimersAsync();
    expect(h.failed.map((e) => [e.name, (e as { code?: string }).code])).toEqual([['ServerError', 'at_capacity']]);
    expect(h.sockets).toHaveLength(1);
  });

  test('refusals while the session is live are retried, and said after a few', async () => {
    const h = harness();
    h.check.mockResolvedValue({ status: 'live' });
    h.link.connect();
    for (let i = 0; i < 3; i++) {
      h.socket().drop();
      await vi.advanceTimersByTimeAsync(6_000);
    }
    expect(h.sockets).toHaveLength(4);
    expect(h.problems.map((p) => p.kind)).toEqual(['retrying', 'retrying', 'refused']);
  });

  test('an error instead of a welcome that means the session is over ends the link', () => {
    const h = harness();
    h.link.connect();
    h.socket().open();
    h.socket().receive({ type: 'error', code: 'session_ended', message: 'Session has ended' });
    expect(h.states.at(-1)).toBe('ended');
    expect(h.ended).toEqual(['Session has ended']);
  });
});

describe('what a Node socket can tell', () => {
  test('a refused handshake is judged by its status and body, without asking the HTTP API', async () => {
    const h = harness();
    h.link.connect();
    h.socket().refuse(409, { type: 'error', code: 'speaker_already_connected', message: 'Close the other one' });
    await vi.advanceTimersByTimeAsync(300);
    expect(h.sockets).toHaveLength(2);
    h.socket().refuse(401, { type: 'error', code: 'invalid_token', message: 'The speaker token does not match' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.failed.map((e) => [e.name, (e as { code?: string }).code, e.message])).toEqual([
      ['HandshakeRefusedError', 'invalid_token', 'The speaker token does not match'],
    ]);
    expect(h.check).not.toHaveBeenCalled();
    expect(h.states.at(-1)).toBe('closed');
  });

  test('at_capacity is not retried by itself: the speaker is told, with when to try again', async () => {
    const h = harness();
    h.link.connect();
    h.socket().refuse(503, { type: 'error', code: 'at_capacity', message: 'At capacity', retryAfterMs: 30_000 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.sockets).toHaveLength(1);
    expect(h.failed).toHaveLength(1);
    expect(h.failed[0]).toMatchObject({ name: 'HandshakeRefusedError', code: 'at_capacity', retryAfterMs: 30_000 });
    expect(h.check).not.toHaveBeenCalled();
  });

  test('a server that cannot be reached on the first attempt is a wrong address: no retries without an API to ask', async () => {
    const h = harness({ checkSession: undefined });
    const connected = h.link.connect();
    h.socket().failure = { kind: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:1' };
    h.socket().drop();
    await expect(connected).rejects.toThrow(
      'Cannot connect to ws://test/ws?role=speaker&sessionId=sess_0123456789&token=***: connect ECONNREFUSED',
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.sockets).toHaveLength(1);
  });

  test('gives up after maxAttempts failures in a row', async () => {
    const h = harness({ checkSession: undefined, reconnect: { maxAttempts: 3 } });
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    for (let i = 0; i < 4; i++) {
      h.socket().drop();
      await vi.advanceTimersByTimeAsync(2_000);
    }
    expect(h.failed.map((e) => e.name)).toEqual(['ReconnectFailedError']);
    expect(h.sockets).toHaveLength(4);
  });
});

describe('server restarts and keep-alive', () => {
  test('a close with 1012 says the server is restarting, and the audio goes on after the reconnect', async () => {
    const h = harness();
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    speak(h.link, 2);
    h.socket().drop(1012, 'Server restarting; reconnect in a few seconds');
    expect(h.problems.map((p) => [p.kind, p.message])).toEqual([
      ['restarting', 'Server restarting; reconnect in a few seconds'],
    ]);
    await vi.advanceTimersByTimeAsync(300);
    h.socket().open();
    h.socket().welcome(0);
    expect(h.socket().log()).toEqual(['hello', 1]);
  });

  test('a quiet speaker still says hello within the idle timeout', async () => {
    const h = harness();
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(5_000);
      h.socket().welcome(null);
    }
    expect(h.socket().log()).toEqual(['hello', 'hello', 'hello', 'hello']);
    expect(h.sockets).toHaveLength(1);
  });
});

describe('pause and end', () => {
  test('pause and resume go out after the frames queued before them', () => {
    const h = harness();
    h.link.connect();
    speak(h.link, 2);
    h.link.pause();
    speak(h.link, 1, 2_000_000);
    h.link.resume();
    h.socket().open();
    h.socket().welcome(null);
    expect(h.socket().log()).toEqual(['hello', 0, 1, 'pause', 2, 'resume']);
  });

  test('a partial frame is flushed (padded to 20 ms) before the pause', () => {
    const h = harness();
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    h.link.sendPcm(pcm(10), 1_000_000);
    h.link.flush();
    h.link.pause();
    expect(h.socket().log()).toEqual(['hello', 0, 'pause']);
    expect(h.socket().frames()[0]!.durationMs).toBe(20);
  });

  test('end is sent once a welcome confirms the audio before it stored, and resolves when the server confirms', async () => {
    const h = harness();
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    speak(h.link, 2);
    const ended = h.link.end();
    // API Gateway may run a connection's messages concurrently: an end sent now could overtake frame 1.
    expect(h.socket().log()).toEqual(['hello', 0, 1, 'hello']);
    h.socket().welcome(0); // frame 1 still in flight
    expect(h.socket().log()).toEqual(['hello', 0, 1, 'hello']);
    vi.advanceTimersByTime(100);
    expect(h.socket().log()).toEqual(['hello', 0, 1, 'hello', 'hello']);
    h.socket().welcome(1);
    expect(h.socket().log()).toEqual(['hello', 0, 1, 'hello', 'hello', 'end']);
    h.socket().receive({ type: 'session-ended', sessionId: SESSION, reason: 'speaker-ended' });
    await expect(ended).resolves.toBeUndefined();
    expect(h.states.at(-1)).toBe('ended');
    expect(h.ended).toEqual(['speaker-ended']);
  });

  test('an end lost with the connection is said again after the reconnect', async () => {
    const h = harness();
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    const ended = h.link.end();
    h.socket().drop();
    await vi.advanceTimersByTimeAsync(300);
    h.socket().open();
    h.socket().welcome(null);
    expect(h.socket().log()).toEqual(['hello', 'end']);
    h.socket().receive({ type: 'session-ended', sessionId: SESSION, reason: 'speaker-ended' });
    await expect(ended).resolves.toBeUndefined();
  });

  test('end rejects when the server never confirms', async () => {
    const h = harness();
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    const ended = h.link.end(1_000);
    const outcome = expect(ended).rejects.toThrow(/did not confirm/);
    await vi.advanceTimersByTimeAsync(1_000);
    await outcome;
  });
});

describe('bounded buffer', () => {
  test('drops the oldest unsent audio beyond its capacity, says so once, and counts what was lost', () => {
    const h = harness({ maxBufferedMs: 1_000 });
    h.link.connect();
    speak(h.link, 15);
    expect(h.problems.filter((p) => p.kind === 'overflow')).toHaveLength(1);
    expect(h.link.stats.bufferedMs).toBe(1_000);
    expect(h.link.stats.droppedMs).toBe(500);
    h.socket().open();
    h.socket().welcome(null);
    expect(h.socket().log()).toEqual(['hello', 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });
});

describe('server messages', () => {
  test('passes every valid message on with the time it arrived, and ignores what it cannot read', () => {
    const received: Array<[string, number]> = [];
    let now = 5_000;
    const h = harness({ onMessage: (m, at) => received.push([m.type, at]), now: () => now });
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    now = 6_000;
    h.socket().receive({ type: 'listeners', sessionId: SESSION, counts: { es: 2 } });
    h.socket().onmessage?.({ data: '{"type":"from-the-future","x":1}' });
    h.socket().onmessage?.({ data: 'not json' });
    h.socket().onmessage?.({ data: '{"no":"type"}' });
    // Unknown types pass through (a newer server may send more than this client knows).
    expect(received).toEqual([
      ['welcome', 5_000],
      ['listeners', 6_000],
      ['from-the-future', 6_000],
    ]);
  });
});
