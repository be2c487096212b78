// How the local gateway invokes the integration: each message on its own as it arrives (a slow one holds
// nothing back), $disconnect at once with how the connection ended, a local cap on messages in flight; and the
// Management API (410 once gone and while $connect runs, 413 over 128 KB, LastActiveAt moved by the client only, DELETE closes with 1000).
import { afterEach, describe, expect, test } from 'vitest';
import { connect, type GatewayEvent, sleep, startGateway, stopAll, waitFor } from '../support/gateway.ts';

afterEach(stopAll);

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

test('messages are dispatched as they arrive: a slow first message does not hold back a second', async () => {
  const second = gate();
  const finished: string[] = [];
  const { url } = await startGateway({
    handler: async (event: GatewayEvent) => {
      if (event.body === 'slow') await second.opened;
      if (event.body === 'fast') second.open();
      if (event.body) finished.push(event.body);
      return { statusCode: 200 };
    },
  });
  const client = await connect(url);
  client.ws.send('slow');
  client.ws.send('fast');
  // Were the messages handled one at a time, 'slow' would wait for 'fast' forever.
  await waitFor('both messages handled', () => finished.length === 2);
  expect(finished).toEqual(['fast', 'slow']);
});

test('$disconnect is dispatched at once, with the client close code and reason, while a message is still running', async () => {
  const release = gate();
  const { url, events, routes } = await startGateway({
    handler: async (event: GatewayEvent) => {
      if (event.body === 'block') await release.opened;
      return { statusCode: 200 };
    },
  });
  const client = await connect(url);
  client.ws.send('block');
  await waitFor('the message to be running', () => routes().includes('$default'));
  client.ws.close(4001, 'bye');
  await waitFor('$disconnect', () => routes().includes('$disconnect'));
  release.open();
  expect(events.find((e) => e.requestContext.routeKey === '$disconnect')?.requestContext).toMatchObject({
    eventType: 'DISCONNECT',
    connectionId: events[0]!.requestContext.connectionId,
    disconnectStatusCode: 4001,
    disconnectReason: 'bye',
  });
});

test('$disconnect reports 1006 for a connection cut without a close frame', async () => {
  const { url, events, routes, gateway } = await startGateway();
  await connect(url);
  gateway.terminate(events[0]!.requestContext.connectionId);
  await waitFor('$disconnect', () => routes().includes('$disconnect'));
  expect(events.at(-1)?.requestContext).toMatchObject({ disconnectStatusCode: 1006, disconnectReason: '' });
});

test('a connection with more messages in flight than the local cap is closed with 1013', async () => {
  const release = gate();
  const { url, routes } = await startGateway({
    limits: { maxInFlightPerConnection: 3 },
    handler: async (event: GatewayEvent) => {
      if (event.requestContext.routeKey === '$default') await release.opened;
      return { statusCode: 200 };
    },
  });
  const client = await connect(url);
  for (let i = 0; i < 4; i++) client.ws.send(`m${i}`);
  expect(await client.closed).toEqual({ code: 1013, reason: 'Too many messages in flight; slow down' });
  release.open();
  await waitFor('$disconnect', () => routes().includes('$disconnect'));
  expect(routes().filter((r) => r === '$default')).toHaveLength(3);
});

test('a handler error gives the client an internal_error message and leaves the connection open', async () => {
  const { url, gateway } = await startGateway({
    handler: async (event: GatewayEvent) => {
      if (event.body === 'crash') throw new Error('boom');
      return { statusCode: 200 };
    },
    onError: () => undefined,
  });
  const client = await connect(url);
  client.ws.send('crash');
  await waitFor('the error message', () => client.received.length === 1);
  expect(JSON.parse(client.received[0]!)).toEqual({
    type: 'error',
    code: 'internal_error',
    message: 'Internal server error',
  });
  expect(gateway.stats.handlerErrors).toBe(1);
  expect(client.ws.readyState).toBe(client.ws.OPEN);
});

describe('the Management API', () => {
  async function connected() {
    const started = await startGateway();
    const client = await connect(started.url);
    const id = started.events[0]!.requestContext.connectionId;
    const at = `${started.management}/@connections/${encodeURIComponent(id)}`;
    return { ...started, client, at };
  }

  test('posts a message as a text frame; answers 413 PayloadTooLargeException over 128 KB', async () => {
    const { client, at } = await connected();
    expect((await fetch(at, { method: 'POST', body: '{"type":"caption","text":"hola"}' })).status).toBe(200);
    await waitFor('the message', () => client.received.length === 1);
    expect(client.received).toEqual(['{"type":"caption","text":"hola"}']);
    const tooLarge = await fetch(at, { method: 'POST', body: 'x'.repeat(128 * 1024 + 1) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('x-amzn-errortype')).toBe('PayloadTooLargeException');
    expect((await fetch(at, { method: 'POST', body: 'x'.repeat(128 * 1024) })).status).toBe(200);
  });

  test('GET reports ConnectedAt and a LastActiveAt moved by client messages only', async () => {
    const { client, at, routes } = await connected();
    const read = async () => (await (await fetch(at)).json()) as { ConnectedAt: string; LastActiveAt: string };
    const first = await read();
    expect(first.LastActiveAt).toBe(first.ConnectedAt);
    await sleep(20);
    await fetch(at, { method: 'POST', body: '{}' });
    client.ws.ping();
    await sleep(20);
    expect((await read()).LastActiveAt).toBe(first.LastActiveAt);
    client.ws.send('hello');
    await waitFor('the message', () => routes().includes('$default'));
    expect(Date.parse((await read()).LastActiveAt)).toBeGreaterThan(Date.parse(first.LastActiveAt));
  });

  test('DELETE closes the connection with 1000; afterwards every call answers 410 GoneException', async () => {
    const { client, at, events, routes } = await connected();
    expect((await fetch(at, { method: 'DELETE' })).status).toBe(204);
    expect((await client.closed).code).toBe(1000);
    await waitFor('$disconnect', () => routes().includes('$disconnect'));
    expect(events.at(-1)?.requestContext).toMatchObject({ disconnectStatusCode: 1000 });
    for (const method of ['POST', 'GET', 'DELETE']) {
      const answer = await fetch(at, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(answer.status, method).toBe(410);
      expect(answer.headers.get('x-amzn-errortype')).toBe('GoneException');
    }
  });

  test('a connection whose $connect is still running answers 410, as a gone one; once $connect returns, posts reach it', async () => {
    const connecting = gate();
    const started = await startGateway({
      handler: async (event: GatewayEvent) => {
        if (event.requestContext.routeKey === '$connect') await connecting.opened;
        return { statusCode: 200 };
      },
    });
    const opening = connect(started.url);
    await waitFor('$connect to be running', () => started.routes().includes('$connect'));
    const at = `${started.management}/@connections/${encodeURIComponent(started.events[0]!.requestContext.connectionId)}`;
    const early = await fetch(at, { method: 'POST', body: '{"n":1}' });
    expect(early.status).toBe(410);
    expect(early.headers.get('x-amzn-errortype')).toBe('GoneException');
    connecting.open();
    const client = await opening;
    expect((await fetch(at, { method: 'POST', body: '{"n":2}' })).status).toBe(200);
    await waitFor('the message', () => client.received.length === 1);
    expect(client.received).toEqual(['{"n":2}']);
  });

  test('a connection the client closed is gone (410)', async () => {
    const { client, at, routes } = await connected();
    client.ws.close();
    await waitFor('$disconnect', () => routes().includes('$disconnect'));
    expect((await fetch(at, { method: 'POST', body: '{}' })).status).toBe(410);
  });
});
