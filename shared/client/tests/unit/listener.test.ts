// The listener connection against a scripted socket: join, keep-alive, reconnect with backoff, the session's
// end (with a linger for late messages), refusals judged by the HTTP API or by a Node socket's refusal.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, LISTENER_RECONNECT } from '../../src/backoff.ts';
import type { SessionCheck } from '../../src/http.ts';
import type { LinkProblem, LinkState } from '../../src/link.ts';
import { ListenerConnection, type ListenerOptions } from '../../src/listener.ts';
import { FakeSocket } from './support.ts';

const welcome = { type: 'welcome', role: 'listener', sessionId: 's_abcdefgh', sourceLanguage: 'en', language: 'es' };

function setup(check: SessionCheck = { status: 'live' }, overrides: Partial<ListenerOptions> = {}) {
  const sockets: FakeSocket[] = [];
  const states: LinkState[] = [];
  const messages: unknown[] = [];
  const welcomes: boolean[] = [];
  const failed: string[] = [];
  const ended: string[] = [];
  const problems: LinkProblem[] = [];
  const connection = new ListenerConnection({
    url: 'ws://test/ws?role=listener&code=K7M2QX&lang=es',
    checkSession: vi.fn(async () => check),
    onMessage: (message) => messages.push(message),
    onState: (state) => states.push(state),
    onWelcome: (_w, reconnected) => welcomes.push(reconnected),
    onFailed: (error) => failed.push((error as { code?: string }).code ?? error.name),
    onEnded: (reason) => ended.push(reason),
    onProblem: (problem) => problems.push(problem),
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    random: () => 0.5,
    ...overrides,
  });
  const last = () => sockets.at(-1)!;
  return { connection, sockets, states, messages, welcomes, failed, ended, problems, last };
}

describe('ListenerConnection', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('says hello once open and is live after the welcome', async () => {
    const t = setup();
    const joined = t.connection.connect();
    t.last().open();
    expect(t.last().sent).toEqual(['{"action":"hello"}']);
    t.last().receive(welcome);
    expect(t.states).toEqual(['connecting', 'live']);
    expect(t.welcomes).toEqual([false]);
    await expect(joined).resolves.toMatchObject({ role: 'listener', language: 'es' });
  });

  it('pings within API Gateway idle timeout while the session is quiet', async () => {
    const t = setup({ status: 'live' }, { keepAliveMs: 240_000 });
    t.connection.connect();
    t.last().open();
    t.last().receive(welcome);
    await vi.advanceTimersByTimeAsync(9 * 60_000);
    expect(t.last().actions()).toEqual(['hello', 'ping', 'ping']);
    expect(t.sockets).toHaveLength(1);
  });

  it('reconnects with backoff after a drop and reports the reconnection', async () => {
    const t = setup();
    t.connection.connect();
    t.last().open();
    t.last().receive(welcome);
    t.last().drop();
    expect(t.states.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(backoffDelay(0, LISTENER_RECONNECT, () => 0.5));
    expect(t.sockets).toHaveLength(2);
    t.last().open();
    t.last().receive(welcome);
    expect(t.states.at(-1)).toBe('live');
    expect(t.welcomes).toEqual([false, true]);
  });

  it('says the server is restarting when it closes with 1012, and comes back', async () => {
    const t = setup();
    t.connection.connect();
    t.last().open();
    t.last().receive(welcome);
    t.last().drop(1012, 'Server restarting; reconnect in a few seconds');
    expect(t.problems).toMatchObject([
      { kind: 'restarting', message: 'Server restarting; reconnect in a few seconds' },
    ]);
    await vi.advanceTimersByTimeAsync(300);
    t.last().open();
    t.last().receive(welcome);
    expect(t.states.at(-1)).toBe('live');
  });

  it('ends when the server says the session ended, and closes after lingering for late messages', async () => {
    const t = setup();
    t.connection.connect();
    t.last().open();
    t.last().receive(welcome);
    t.last().receive({ type: 'session-ended', sessionId: 's_abcdefgh', reason: 'speaker-ended' });
    expect(t.states.at(-1)).toBe('ended');
    expect(t.ended).toEqual(['speaker-ended']);
    await vi.advanceTimersByTimeAsync(2000);
    t.last().receive({ type: 'caption', text: 'last words' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.last().closed).toBe(false);
    expect(t.messages).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1500);
    expect(t.last().closed).toBe(true);
    expect(t.sockets).toHaveLength(1);
    await expect(t.connection.done).resolves.toBe('session-ended');
  });

  it('learns from the HTTP API that a session ended while the connection was down', async () => {
    const t = setup({ status: 'ended', reason: 'Session s_abcdefgh has ended' });
    t.connection.connect();
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
    const t = setup({ status: 'refused', code: 'unknown_join_code', message: 'No live session has this join code.' });
    const joined = t.connection.connect();
    t.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.failed).toEqual(['unknown_join_code']);
    await expect(joined).rejects.toThrow('No live session has this join code.');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(1);
    await expect(t.connection.done).rejects.toThrow('No live session');
  });

  it('a code that stops resolving after the session was joined means the session is over', async () => {
    const t = setup({ status: 'refused', code: 'unknown_join_code', message: 'No live session has this join code.' });
    t.connection.connect();
    t.last().open();
    t.last().receive(welcome);
    t.last().drop();
    await vi.advanceTimersByTimeAsync(1000);
    t.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.states.at(-1)).toBe('ended');
    expect(t.failed).toEqual([]);
  });

  it('treats an error answer to hello as a refusal unless it is retryable', async () => {
    const t = setup();
    t.connection.connect();
    t.last().open();
    t.last().receive({ type: 'error', code: 'rate_limited', message: 'slow down' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.sockets).toHaveLength(2);
    t.last().open();
    t.last().receive({ type: 'error', code: 'language_not_offered', message: 'no' });
    expect(t.failed).toEqual(['language_not_offered']);
  });

  it('reads a refused handshake where the socket can tell (Node), without asking the HTTP API', async () => {
    const check = vi.fn(async (): Promise<SessionCheck> => ({ status: 'live' }));
    const t = setup({ status: 'live' }, { checkSession: check });
    t.connection.connect();
    t.last().refuse(429, { type: 'error', code: 'rate_limited', message: 'Too many join attempts' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.sockets).toHaveLength(2);
    t.last().refuse(400, { type: 'error', code: 'language_not_offered', message: 'Not translated into "xx"' });
    await vi.advanceTimersByTimeAsync(0);
    expect(t.failed).toEqual(['language_not_offered']);
    expect(check).not.toHaveBeenCalled();
  });

  it('shows offline while the device is offline, and retries at once when nudged', async () => {
    let online = true;
    const t = setup({ status: 'unreachable', message: 'down' }, { isOnline: () => online });
    t.connection.connect();
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
    t.connection.connect();
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

  it('close() stops everything and settles done', async () => {
    const t = setup();
    t.connection.connect();
    t.last().open();
    t.last().receive(welcome);
    await t.connection.close();
    expect(t.last().closed).toBe(true);
    expect(t.states.at(-1)).toBe('closed');
    await expect(t.connection.done).resolves.toBe('closed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.sockets).toHaveLength(1);
  });
});
