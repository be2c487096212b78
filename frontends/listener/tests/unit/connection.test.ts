import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  type ConnectionState,
  DEFAULT_BACKOFF,
  ListenerConnection,
  type ListenerConnectionOptions,
  type SessionCheck,
  type SocketLike,
} from '../../src/lib/connection.ts';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  closed = false;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  send(data: string): void {
    this.sent.push(data);
  }

  close(): void {
    this.closed = true;
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }

  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }

  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' } as CloseEvent);
  }
}

const welcome = { type: 'welcome', role: 'listener', sessionId: 's_abcdefgh', sourceLanguage: 'en', language: 'es' };

function setup(check: SessionCheck = 'live', overrides: Partial<ListenerConnectionOptions> = {}) {
  const sockets: FakeSocket[] = [];
  const states: ConnectionState[] = [];
  const messages: unknown[] = [];
  const welcomes: boolean[] = [];
  const fatal: string[] = [];
  const connection = new ListenerConnection({
    url: 'ws://test/ws?role=listener&code=K7M2QX&lang=es',
    checkSession: vi.fn(async () => check),
    onMessage: (message) => messages.push(message),
    onState: (state) => states.push(state),
    onWelcome: (_w, reconnected) => welcomes.push(reconnected),
    onFatal: (error) => fatal.push(error.code),
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    random: () => 0.5,
    ...overrides,
  });
  const last = () => sockets.at(-1)!;
  return { connection, sockets, states, messages, welcomes, fatal, last };
}

describe('ListenerConnection', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('says hello once open and is live after the welcome', () => {
    const t = setup();
    t.connection.start();
    t.last().open();
    expect(t.last().sent).toEqual(['{"action":"hello"}']);
    t.last().receive(welcome);
    expect(t.states).toEqual(['connecting', 'live']);
    expect(t.welcomes).toEqual([false]);
  });

  it('reconnects with backoff after a drop and reports the reconnection', async () => {
    const t = setup();
    t.connection.start();
    t.last().open();
    t.last().receive(welcome);
    t.last().drop();
    expect(t.states.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(backoffDelay(0, DEFAULT_BACKOFF, () => 0.5));
    expect(t.sockets).toHaveLength(2);
    t.last().open();
    t.last().receive(welcome);
    expect(t.states.at(-1)).toBe('live');
    expect(t.welcomes).toEqual([false, true]);
  });

  it('ends when the server says the session ended, and closes after lingering for late messages', async () => {
    const t = setup();
    t.connection.start();
    t.last().open();
    t.last().receive(welcome);
    t.last().receive({ type: 'session-ended', sessionId: 's_abcdefgh', reason: 'speaker-ended' });
    expect(t.states.at(-1)).toBe('ended');
    await vi.advanceTimersByTimeAsync(2000);
    t.last().receive({ type: 'caption', text: 'last words' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.last().closed).toBe(false);
    expect(t.messages).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1500);
    expect(t.last().closed).toBe(true);
    expect(t.sockets).toHaveLength(1);
  });

  it('learns from the HTTP API that a session ended while the connection was down', async () => {
    const t = setup('ended');
    t.connection.start();
    t.last().open();
    t.last().receive(welcome);
    t.last().drop();
    await vi.advanceTimersByTimeAsync(1000);
    // The reconnection is refused (a browser sees only a close) and the API says the session is over.
    t.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.states.at(-1)).toBe('ended');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(2);
  });

  it('gives up at once on a code that names no session', async () => {
    const t = setup('unknown-code');
    t.connection.start();
    t.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.fatal).toEqual(['unknown_join_code']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(1);
  });

  it('treats an error answer to hello as a refusal unless it is retryable', async () => {
    const t = setup();
    t.connection.start();
    t.last().open();
    t.last().receive({ type: 'error', code: 'rate_limited', message: 'slow down' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.sockets).toHaveLength(2);
    t.last().open();
    t.last().receive({ type: 'error', code: 'language_not_offered', message: 'no' });
    expect(t.fatal).toEqual(['language_not_offered']);
  });

  it('shows offline while the browser is offline, and retries at once when nudged', async () => {
    let online = true;
    const t = setup('unreachable', { isOnline: () => online });
    t.connection.start();
    t.last().open();
    t.last().receive(welcome);
    online = false;
    t.last().drop();
    expect(t.states.at(-1)).toBe('offline');
    online = true;
    t.connection.nudge();
    expect(t.sockets).toHaveLength(2);
  });

  it('probes a connection believed open when nudged, and replaces it if no welcome comes', async () => {
    const t = setup();
    t.connection.start();
    t.last().open();
    t.last().receive(welcome);
    t.connection.nudge();
    expect(t.last().sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.states.at(-1)).toBe('reconnecting');
    expect(t.sockets[0]?.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.sockets).toHaveLength(2);
  });

  it('keeps backoff delays growing up to the cap', () => {
    const delays = [0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, DEFAULT_BACKOFF, () => 0.5));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});
