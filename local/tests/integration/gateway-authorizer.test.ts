// The $connect authorizer as API Gateway runs it: identity sources checked first (401 without a call), then the
// policy (Deny → 403, a failure or an invalid answer → 500), and an Allow's context on every later event.
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import type { GatewayAuthorizer } from '../../src/gateway/websocket-gateway.ts';
import { connect, handshake, startGateway, stopAll, waitFor } from '../support/gateway.ts';

afterEach(stopAll);

interface AuthorizerEvent {
  type: string;
  methodArn: string;
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  stageVariables: Record<string, string>;
  requestContext: { routeKey: string; eventType: string; connectionId: string };
}

const policy = (effect: 'Allow' | 'Deny', resource: string) => ({
  Version: '2012-10-17',
  Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
});

/** An authorizer that answers by the role: listener → Allow with context, admin → Deny, boom → throws, odd → junk. */
function recordingAuthorizer(identitySource: string[] = ['route.request.querystring.role']) {
  const calls: AuthorizerEvent[] = [];
  const authorizer: GatewayAuthorizer = {
    functionName: 'test-authorizer',
    identitySource,
    handler: async (raw) => {
      const event = raw as AuthorizerEvent;
      calls.push(event);
      const role = event.queryStringParameters?.role;
      if (role === 'boom') throw new Error('authorizer crashed');
      if (role === 'odd') return { allow: true };
      if (role === 'admin') return { principalId: 'nobody', policyDocument: policy('Deny', event.methodArn) };
      return {
        principalId: 'user-7',
        policyDocument: policy('Allow', event.methodArn),
        context: { role: role ?? 'none', level: 3 },
      };
    },
  };
  return { authorizer, calls };
}

describe('before the authorizer: identity sources', () => {
  test.each([
    ['missing', ''],
    ['empty', '?role='],
  ])('a %s query-string identity source is answered 401 without invoking anything', async (_label, query) => {
    const { authorizer, calls } = recordingAuthorizer();
    const { url, events } = await startGateway({ authorizer });
    expect(await handshake(`${url}${query}`)).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
    expect(calls).toEqual([]);
    expect(events).toEqual([]);
  });

  test('a header identity source is looked up whatever its case', async () => {
    const { authorizer, calls } = recordingAuthorizer(['route.request.header.X-Room']);
    const { url } = await startGateway({ authorizer });
    expect((await handshake(`${url}?role=listener`)).status).toBe(401);
    expect(calls).toHaveLength(0);
    const ws = new WebSocket(`${url}?role=listener`, { headers: { 'x-room': 'blue' } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.close();
    expect(calls).toHaveLength(1);
  });
});

describe('the authorizer answer', () => {
  test('Deny is answered 403 and $connect is not invoked', async () => {
    const { authorizer, calls } = recordingAuthorizer();
    const { url, events } = await startGateway({ authorizer });
    expect(await handshake(`${url}?role=admin`)).toEqual({ status: 403, body: '{"message":"Forbidden"}' });
    expect(calls).toHaveLength(1);
    expect(events).toEqual([]);
  });

  test.each([
    ['throws', 'boom'],
    ['returns no policy', 'odd'],
  ])('an authorizer that %s is answered 500', async (_label, role) => {
    const { authorizer } = recordingAuthorizer();
    const errors: string[] = [];
    const { url, events } = await startGateway({ authorizer, onError: (_e, where) => errors.push(where) });
    expect(await handshake(`${url}?role=${role}`)).toEqual({
      status: 500,
      body: '{"message":"Internal server error"}',
    });
    expect(events).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  test('is asked with a REQUEST event for the $connect method ARN, the query string and the headers', async () => {
    const { authorizer, calls } = recordingAuthorizer();
    const { url } = await startGateway({ authorizer, stage: 'prod' });
    await connect(`${url}?role=listener&code=ABC234&code=DEF567`);
    expect(calls[0]).toMatchObject({
      type: 'REQUEST',
      methodArn: expect.stringMatching(/^arn:aws:execute-api:[^:]+:\d{12}:[^/]+\/prod\/\$connect$/),
      queryStringParameters: { role: 'listener', code: 'DEF567' },
      multiValueQueryStringParameters: { role: ['listener'], code: ['ABC234', 'DEF567'] },
      headers: expect.objectContaining({ upgrade: 'websocket' }),
      multiValueHeaders: expect.objectContaining({ upgrade: ['websocket'] }),
      stageVariables: {},
      requestContext: expect.objectContaining({ routeKey: '$connect', eventType: 'CONNECT' }),
    });
  });

  test('Allow puts the context and principalId in requestContext.authorizer on $connect and every later event', async () => {
    const { authorizer } = recordingAuthorizer();
    const { url, events, routes } = await startGateway({ authorizer, routes: ['hello'] });
    const client = await connect(`${url}?role=listener`);
    client.ws.send('{"action":"hello"}');
    client.ws.send('audio');
    await waitFor('two messages', () => events.length === 3);
    client.ws.close();
    await waitFor('$disconnect', () => routes().includes('$disconnect'));
    expect(routes()).toEqual(['$connect', 'hello', '$default', '$disconnect']);
    for (const event of events) {
      expect(event.requestContext.authorizer, event.requestContext.routeKey).toEqual({
        role: 'listener',
        level: 3,
        principalId: 'user-7',
      });
    }
  });

  test('$connect still refuses after an Allow, with its own status and body', async () => {
    const { authorizer } = recordingAuthorizer();
    const { url } = await startGateway({
      authorizer,
      handler: async (event) =>
        event.requestContext.routeKey === '$connect'
          ? { statusCode: 404, body: '{"type":"error","code":"unknown_join_code"}' }
          : { statusCode: 200 },
    });
    expect(await handshake(`${url}?role=listener`)).toEqual({
      status: 404,
      body: '{"type":"error","code":"unknown_join_code"}',
    });
  });
});

test('a subprotocol is selected only when $connect returns it', async () => {
  const { url } = await startGateway({
    handler: async (event) =>
      event.requestContext.routeKey === '$connect' && event.queryStringParameters?.select === 'yes'
        ? { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'llt' } }
        : { statusCode: 200 },
  });
  const selected = new WebSocket(`${url}?select=yes`, ['llt', 'token']);
  await new Promise((resolve, reject) => {
    selected.once('open', resolve);
    selected.once('error', reject);
  });
  expect(selected.protocol).toBe('llt');
  selected.close();
  const unanswered = new WebSocket(`${url}?select=no`, ['llt']);
  const error = await new Promise<Error>((resolve) => unanswered.once('error', resolve));
  expect(error.message).toMatch(/no subprotocol/i);
});
