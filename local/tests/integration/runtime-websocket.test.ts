// The local system's WebSocket API runs ingest's real $connect authorizer behind the same identity source the CDK
// app deploys (speakers under the session-token scheme), the platform's keep-alive mock route, and the rules.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type LocalSystem, startLocalSystem } from '../../src/runtime.ts';
import { connect, handshake, sleep, stopAll, waitFor } from '../support/gateway.ts';

let system: LocalSystem;
let dataDir: string;
let ws: string;
let session: { sessionId: string; joinCode: string; speakerToken: string };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llt-gateway-'));
  system = await startLocalSystem({
    port: 0,
    dataDir,
    services: [],
    targetLanguages: ['es'],
    onError: () => undefined,
  });
  ws = system.wsUrl;
  const created = await fetch(`${system.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] }),
  });
  session = (await created.json()) as typeof session;
});

afterAll(async () => {
  await stopAll();
  await system?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a handshake without a role is refused 401 before the authorizer runs; an unknown role 403', async () => {
  expect(await handshake(ws)).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
  expect(await handshake(`${ws}?role=admin`)).toEqual({ status: 403, body: '{"message":"Forbidden"}' });
});

test("speakers pass the authorizer and $connect checks the session's speaker token", async () => {
  const wrong = await handshake(`${ws}?role=speaker&sessionId=${session.sessionId}&token=not-the-token`);
  expect(wrong.status).toBe(401);
  expect(JSON.parse(wrong.body)).toMatchObject({ code: 'invalid_token' });
  const speaker = await connect(`${ws}?role=speaker&sessionId=${session.sessionId}&token=${session.speakerToken}`);
  speaker.ws.send('{"action":"hello"}');
  await waitFor('welcome', () => speaker.received.some((m) => JSON.parse(m).type === 'welcome'));
  speaker.ws.close();
  await speaker.closed;
});

test('a listener connects; ping is answered by the gateway without a reply; a binary frame closes with 1003', async () => {
  const listener = await connect(`${ws}?role=listener&code=${session.joinCode}&lang=es`);
  listener.ws.send('{"action":"ping"}');
  await sleep(200);
  expect(listener.received).toEqual([]);
  listener.ws.send('{"action":"hello"}');
  await waitFor('welcome', () => listener.received.some((m) => JSON.parse(m).type === 'welcome'));
  listener.ws.send(Buffer.from([1, 2, 3, 4]), { binary: true });
  expect((await listener.closed).code).toBe(1003);
});
