// The local system under the `cognito` speaker scheme, as the CDK app deploys it: POST /api/sessions behind the
// HTTP API's JWT authorizer (401 without a valid token of the user pool), the session owned by the signed-in user,
// and the $connect authorizer letting only that user connect as its speaker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { type LocalSystem, startLocalSystem } from '../../src/runtime.ts';

let system: LocalSystem;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llt-sign-in-'));
  system = await startLocalSystem({
    port: 0,
    dataDir,
    services: [],
    targetLanguages: ['es'],
    speakerAuth: 'cognito',
    users: [
      { username: 'ada', password: 'a-pass' },
      { username: 'bob', password: 'b-pass' },
    ],
    onError: () => undefined,
  });
});

afterAll(async () => {
  await system?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const pool = () => {
  if (!system.userPool) throw new Error('no user pool');
  return system.userPool;
};

function createSession(authorization?: string) {
  return fetch(`${system.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] }),
  });
}

/** Opens a speaker socket offering `llt, <jwt>`; resolves with the welcome, or the refusal's status. */
function speak(session: { sessionId: string; speakerToken: string }, jwt: string | undefined) {
  const url = `${system.wsUrl}?role=speaker&sessionId=${session.sessionId}&token=${session.speakerToken}`;
  return new Promise<{ status: number; protocol?: string; body?: string }>((resolve, reject) => {
    const ws = new WebSocket(url, jwt ? ['llt', jwt] : []);
    ws.once('open', () => {
      ws.send('{"action":"hello"}');
      ws.once('message', (data) => {
        resolve({ status: 101, protocol: ws.protocol, body: data.toString() });
        ws.close();
      });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

describe('POST /api/sessions', () => {
  test('without a token: 401 from the JWT authorizer, before any function runs', async () => {
    const response = await createSession();
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  test('with an expired token or a token of another issuer: 401', async () => {
    const expired = await pool().issueTokens('ada', { ttlS: -5 });
    expect((await createSession(`Bearer ${expired.access_token}`)).status).toBe(401);
    const forged = await pool().issueTokens('ada', { claims: { iss: 'http://127.0.0.1:1/us-east-1_Other' } });
    expect((await createSession(`Bearer ${forged.access_token}`)).status).toBe(401);
  });

  test("other routes stay open: listeners don't sign in", async () => {
    expect((await fetch(`${system.url}/api/languages`)).status).toBe(200);
  });

  test('/config.json tells the apps to sign speakers in with the user pool', async () => {
    const config = (await (await fetch(`${system.url}/config.json`)).json()) as Record<string, unknown>;
    expect(config.speakerAuth).toEqual({
      type: 'cognito',
      authority: pool().issuer,
      clientId: pool().clientId,
      userPoolId: pool().userPoolId,
      scope: 'openid',
    });
  });
});

describe("a signed-in speaker's session", () => {
  test('is created with an access token, and only its owner connects as its speaker', async () => {
    const ada = await pool().issueTokens('ada');
    const bob = await pool().issueTokens('bob');
    const response = await createSession(`Bearer ${ada.access_token}`);
    expect(response.status).toBe(201);
    const session = (await response.json()) as { sessionId: string; speakerToken: string };

    // No token: the $connect authorizer denies.
    expect(await speak(session, undefined)).toMatchObject({ status: 403 });
    // A valid token of another user: $connect refuses, the session is not theirs.
    const other = await speak(session, bob.access_token);
    expect(other.status).toBe(403);
    expect(JSON.parse(other.body ?? '{}')).toMatchObject({ code: 'not_speaker' });
    // An expired token of the owner: denied.
    expect(await speak(session, (await pool().issueTokens('ada', { ttlS: -5 })).access_token)).toMatchObject({
      status: 403,
    });
    // The owner, with a fresh ID or access token.
    const welcome = await speak(session, ada.id_token);
    expect(welcome).toMatchObject({ status: 101, protocol: 'llt' });
    expect(JSON.parse(welcome.body ?? '{}')).toMatchObject({ type: 'welcome', role: 'speaker' });
  });
});
