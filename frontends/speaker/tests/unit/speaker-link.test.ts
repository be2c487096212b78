// The browser speaker connection against a scripted socket: handshake, numbering, acks, reconnect with resend,
// pause/end ordering, refusals judged by the HTTP probe, and the bounded buffer.
import { decodeAudioFrame, type ServerMessage } from '@llt/events';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  type LinkProblem,
  type LinkState,
  type ProbeResult,
  type SocketLike,
  SpeakerLink,
  type SpeakerLinkOptions,
} from '../../src/lib/speaker-link.ts';

const SESSION = 'sess_0123456789';

class FakeSocket implements SocketLike {
  readyState = 0;
  bufferedAmount = 0;
  binaryType: BinaryType = 'blob';
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly sent: Array<string | Uint8Array> = [];
  closedByClient = false;

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }

  close(): void {
    this.closedByClient = true;
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  receive(message: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }

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

  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006 } as CloseEvent);
  }

  /** Everything sent, decoded: frame seq numbers as numbers, control messages as their action. */
  log(): Array<number | string> {
    return this.sent.map((data) =>
      typeof data === 'string'
        ? (JSON.parse(data) as { action: string }).action
        : (() => {
            const decoded = decodeAudioFrame(data);
            if (!decoded.ok) throw new Error(decoded.message);
            return decoded.frame.seq;
          })(),
    );
  }

  frames() {
    return this.sent.flatMap((data) => {
      if (typeof data === 'string') return [];
      const decoded = decodeAudioFrame(data);
      return decoded.ok ? [decoded.frame] : [];
    });
  }
}

interface Harness {
  link: SpeakerLink;
  sockets: FakeSocket[];
  states: LinkState[];
  problems: LinkProblem[];
  ended: string[];
  probe: ReturnType<typeof vi.fn<() => Promise<ProbeResult>>>;
  socket: () => FakeSocket;
}

function harness(options: Partial<SpeakerLinkOptions> = {}): Harness {
  const sockets: FakeSocket[] = [];
  const states: LinkState[] = [];
  const problems: LinkProblem[] = [];
  const ended: string[] = [];
  const probe = vi.fn<() => Promise<ProbeResult>>(async () => ({ status: 'unreachable', message: 'down' }));
  const link = new SpeakerLink({
    url: `ws://test/ws?role=speaker&sessionId=${SESSION}&token=t`,
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    probe,
    random: () => 0.5,
    onState: (s) => states.push(s),
    onProblem: (p) => problems.push(p),
    onEnded: (r) => ended.push(r),
    ...options,
  });
  return { link, sockets, states, problems, ended, probe, socket: () => sockets[sockets.length - 1]! };
}

const pcm = (ms = 100) => new Int16Array((ms * 16_000) / 1000).fill(100);

/** Queues `count` 100 ms frames captured back to back from `start`. */
function speak(link: SpeakerLink, count: number, start = 1_000_000) {
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
    expect(h.socket().binaryType).toBe('arraybuffer');
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
    vi.advanceTimersByTime(50);
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
        const socket = new FakeSocket();
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
    expect(h.probe).toHaveBeenCalledTimes(attempts.length);
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
    expect(first.closedByClient).toBe(true);
    expect(h.states.at(-1)).toBe('reconnecting');
    vi.advanceTimersByTime(300);
    expect(h.sockets).toHaveLength(2);
  });

  test('a refused handshake for a session that is gone ends the link', async () => {
    const h = harness();
    h.probe.mockResolvedValue({ status: 'gone', message: 'Session sess_0123456789 has ended' });
    h.link.connect();
    h.socket().drop(); // the upgrade was refused: no open, no message
    await vi.runAllTimersAsync();
    expect(h.states.at(-1)).toBe('ended');
    expect(h.ended).toEqual(['Session sess_0123456789 has ended']);
    expect(h.sockets).toHaveLength(1);
  });

  test('refusals while the session is live are retried, and said after a few', async () => {
    const h = harness();
    h.probe.mockResolvedValue({ status: 'live' });
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

  test('end is sent after the audio and resolves when the server confirms', async () => {
    const h = harness();
    h.link.connect();
    h.socket().open();
    h.socket().welcome(null);
    speak(h.link, 2);
    const ended = h.link.end();
    expect(h.socket().log()).toEqual(['hello', 0, 1, 'end']);
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
    h.socket().onmessage?.({ data: '{"type":"from-the-future"}' } as MessageEvent);
    h.socket().onmessage?.({ data: 'not json' } as MessageEvent);
    expect(received).toEqual([
      ['welcome', 5_000],
      ['listeners', 6_000],
    ]);
  });
});
