// Idle timeout and connection duration, with the limits shortened: only messages from the client keep a
// connection alive (not what the server posts, not ping/pong control frames), and nothing outlives the
// maximum duration. The keep-alive route is answered by the gateway itself.
import { afterEach, expect, test } from 'vitest';
import { connect, every, sleep, startGateway, stopAll, waitFor } from '../support/gateway.ts';

afterEach(stopAll);

const IDLE_MS = 600;

test('a connection whose client keeps sending stays open; once the client is silent it is closed with 1001', async () => {
  const { url, routes, events } = await startGateway({ limits: { idleTimeoutMs: IDLE_MS } });
  const client = await connect(url);
  const stop = every(50, () => client.ws.send('{"action":"anything"}'));
  await sleep(IDLE_MS * 2);
  expect(client.ws.readyState).toBe(client.ws.OPEN);
  stop();
  expect(await client.closed).toEqual({ code: 1001, reason: 'No message from the client for 600 ms; reconnect' });
  await waitFor('$disconnect', () => routes().includes('$disconnect'));
  expect(events.at(-1)?.requestContext).toMatchObject({
    disconnectStatusCode: 1001,
    disconnectReason: 'No message from the client for 600 ms; reconnect',
  });
});

test('server posts and ping/pong frames do not keep a silent client connected', async () => {
  const { url, management, events } = await startGateway({ limits: { idleTimeoutMs: IDLE_MS } });
  const client = await connect(url);
  const connectionId = events[0]!.requestContext.connectionId;
  let posts = 0;
  const stopPosting = every(50, () => {
    void fetch(`${management}/@connections/${encodeURIComponent(connectionId)}`, {
      method: 'POST',
      body: '{"type":"caption"}',
    }).then((res) => {
      if (res.ok) posts++;
    });
  });
  const stopPinging = every(50, () => client.ws.ping());
  const closed = await client.closed;
  stopPosting();
  stopPinging();
  expect(closed.code).toBe(1001);
  expect(posts).toBeGreaterThan(0);
  expect(client.received.length).toBeGreaterThan(0);
});

test('a connection is closed with 1001 at its maximum duration even while its client keeps sending', async () => {
  const { url, routes } = await startGateway({ limits: { maxConnectionMs: 500 } });
  const client = await connect(url);
  const stop = every(50, () => client.ws.send('{"action":"anything"}'));
  const closed = await client.closed;
  stop();
  expect(closed).toEqual({ code: 1001, reason: 'Connection open for 500 ms, the longest allowed; reconnect' });
  await waitFor('$disconnect', () => routes().includes('$disconnect'));
});

test('the keep-alive route is answered by the gateway: no invocation, no reply, and the connection stays alive', async () => {
  const { url, routes, management, events } = await startGateway({
    routes: ['hello'],
    mockRoutes: ['ping'],
    limits: { idleTimeoutMs: IDLE_MS },
  });
  const client = await connect(url);
  const connectionId = events[0]!.requestContext.connectionId;
  const lastActive = async () =>
    Date.parse(
      (
        (await (await fetch(`${management}/@connections/${encodeURIComponent(connectionId)}`)).json()) as {
          LastActiveAt: string;
        }
      ).LastActiveAt,
    );
  const before = await lastActive();
  const stop = every(50, () => client.ws.send('{"action":"ping"}'));
  await sleep(IDLE_MS * 2);
  expect(client.ws.readyState).toBe(client.ws.OPEN);
  expect(await lastActive()).toBeGreaterThan(before);
  stop();
  expect(routes()).toEqual(['$connect']);
  expect(client.received).toEqual([]);
  expect((await client.closed).code).toBe(1001);
});
