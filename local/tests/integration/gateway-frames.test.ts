// The local gateway's frame and message rules, as API Gateway applies them: text frames only (1003), frames up
// to 32 KB and messages up to 128 KB (1009). A refused message never reaches the integration.
import { afterEach, expect, test } from 'vitest';
import { clientFrame, connect, rawConnect, sendInFrames, startGateway, stopAll, waitFor } from '../support/gateway.ts';

afterEach(stopAll);

const KB = 1024;

test('a binary frame closes the connection with 1003 and is never dispatched', async () => {
  const { url, routes, events } = await startGateway();
  const client = await connect(url);
  client.ws.send(Buffer.from('{"action":"binary"}'), { binary: true });
  // Sent right behind the binary frame, while the connection is closing: not dispatched either.
  client.ws.send('{"action":"after"}');
  expect(await client.closed).toEqual({ code: 1003, reason: 'Binary frames are not supported; send text' });
  await waitFor('$disconnect', () => routes().includes('$disconnect'));
  expect(routes()).toEqual(['$connect', '$disconnect']);
  expect(events[1]?.requestContext).toMatchObject({ disconnectStatusCode: 1003 });
});

test('messages that came before the offending frame, even in the same chunk, are still dispatched', async () => {
  const { url, events, routes } = await startGateway();
  const socket = await rawConnect(url);
  const closeFrame = new Promise<Buffer>((resolve) => socket.once('data', resolve));
  socket.write(
    Buffer.concat([
      clientFrame(0x1, Buffer.from('first')),
      clientFrame(0x1, Buffer.from('sec'), false),
      clientFrame(0x0, Buffer.from('ond')),
      clientFrame(0x2, Buffer.from([1, 2, 3])),
      clientFrame(0x1, Buffer.from('after')),
    ]),
  );
  // The server's close frame: opcode 8, code 1003.
  const frame = await closeFrame;
  expect([frame[0], frame.readUInt16BE(2)]).toEqual([0x88, 1003]);
  socket.destroy();
  await waitFor('$disconnect', () => routes().includes('$disconnect'));
  expect(events.filter((e) => e.requestContext.routeKey === '$default').map((e) => e.body)).toEqual([
    'first',
    'second',
  ]);
  expect(events.at(-1)?.requestContext.disconnectStatusCode).toBe(1003);
});

test('a 40 KB frame closes the connection with 1009 although its message is under 128 KB', async () => {
  const { url, routes } = await startGateway();
  const client = await connect(url);
  client.ws.send('x'.repeat(40 * KB));
  expect(await client.closed).toEqual({
    code: 1009,
    reason: 'Frame over 32 KB; split the message into frames of at most that',
  });
  await waitFor('$disconnect', () => routes().includes('$disconnect'));
  expect(routes()).toEqual(['$connect', '$disconnect']);
});

test('a 40 KB continuation frame after a small first frame closes the connection with 1009', async () => {
  const { url, routes } = await startGateway();
  const client = await connect(url);
  client.ws.send('y'.repeat(10 * KB), { fin: false });
  client.ws.send('y'.repeat(40 * KB), { fin: true });
  expect((await client.closed).code).toBe(1009);
  await waitFor('$disconnect', () => routes().includes('$disconnect'));
  expect(routes()).toEqual(['$connect', '$disconnect']);
});

test('a 100 KB message sent as 4 frames of 25 KB is accepted and dispatched whole, routed on its action', async () => {
  const { url, events, routes } = await startGateway({ routes: ['hello'] });
  const client = await connect(url);
  const text = 'z'.repeat(100 * KB);
  sendInFrames(client.ws, text, 25 * KB);
  const json = JSON.stringify({ action: 'hello', pad: 'p'.repeat(100 * KB - 40) });
  sendInFrames(client.ws, json, 25 * KB);
  await waitFor('two messages', () => events.length === 3);
  expect(routes()).toEqual(['$connect', '$default', 'hello']);
  expect(events[1]?.body).toBe(text);
  expect(events[2]?.body).toBe(json);
  expect(client.ws.readyState).toBe(client.ws.OPEN);
});

test('a 200 KB message closes the connection with 1009, sent in 32 KB frames or as one frame', async () => {
  const { url, routes } = await startGateway();
  const fragmented = await connect(url);
  sendInFrames(fragmented.ws, 'm'.repeat(200 * KB), 32 * KB);
  expect(await fragmented.closed).toEqual({ code: 1009, reason: 'Message over 128 KB' });
  const single = await connect(url);
  single.ws.send('m'.repeat(200 * KB));
  expect((await single.closed).code).toBe(1009);
  await waitFor('two $disconnects', () => routes().filter((r) => r === '$disconnect').length === 2);
  expect(routes().filter((r) => r !== '$connect' && r !== '$disconnect')).toEqual([]);
});

test('frames up to exactly 32 KB and a message of exactly 128 KB are accepted', async () => {
  const { url, events } = await startGateway();
  const client = await connect(url);
  client.ws.send('a'.repeat(32 * KB));
  sendInFrames(client.ws, 'b'.repeat(128 * KB), 32 * KB);
  await waitFor('both messages', () => events.length === 3);
  expect(events.slice(1).map((e) => e.body?.length)).toEqual([32 * KB, 128 * KB]);
});
