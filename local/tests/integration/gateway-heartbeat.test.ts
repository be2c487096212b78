// The local WebSocket gateway cuts connections that stop answering pings, so their $disconnect runs.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { WebSocketGateway } from '../../src/gateway/websocket-gateway.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function gatewayWithHeartbeat(heartbeatMs: number) {
  const routes: string[] = [];
  const gateway = new WebSocketGateway({
    routes: [],
    functionName: 'test',
    heartbeatMs,
    handler: async (event) => {
      routes.push(
        `${(event as { requestContext: { routeKey: string; connectionId: string } }).requestContext.routeKey}`,
      );
      return { statusCode: 200 };
    },
  });
  const server = createServer();
  server.on('upgrade', (req, socket, head) => void gateway.upgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await gateway.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { gateway, routes, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws` };
}

async function open(url: string, autoPong: boolean) {
  const ws = new WebSocket(url, { autoPong });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  cleanups.push(async () => ws.terminate());
  return ws;
}

test('a client that stops answering pings is cut and disconnected; a live one stays', async () => {
  const { gateway, routes, url } = await gatewayWithHeartbeat(100);
  const live = await open(url, true);
  const silent = await open(url, false);
  const closed = new Promise((resolve) => silent.once('close', resolve));
  await closed;
  const deadline = Date.now() + 2_000;
  while (!routes.includes('$disconnect') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(routes.filter((r) => r === '$disconnect')).toHaveLength(1);
  expect(live.readyState).toBe(WebSocket.OPEN);
  expect(gateway.connectionCount).toBe(1);
});
