// ManagementApiChannel on mocked Management API: PostToConnection JSON body, Gone/410 → 'gone', DeleteConnection,
// GetConnection (when the client was last active).
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GetConnectionCommand,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { ManagementApiChannel } from '../../src/connections.ts';

const client = new ApiGatewayManagementApiClient({
  region: 'eu-west-1',
  endpoint: 'https://abcdef1234.execute-api.eu-west-1.amazonaws.com/prod',
});
const api = mockClient(client);
const channel = new ManagementApiChannel(client);

const gone = () => new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } });
/** A 410 whose class is not this SDK copy's GoneException (another bundle's, or an unmodelled error). */
const foreign410 = () =>
  Object.assign(new Error('Gone'), { name: 'GoneException', $metadata: { httpStatusCode: 410 } });

beforeEach(() => {
  api.reset();
});

describe('send', () => {
  test('posts the message as JSON bytes to the connection and reports it sent', async () => {
    api.on(PostToConnectionCommand).resolves({});
    const message = { type: 'caption', text: 'Hola, ¿qué tal?', final: true };
    await expect(channel.send('Kx3fLd9aIAMCJ2Q=', message)).resolves.toBe('sent');
    const calls = api.commandCalls(PostToConnectionCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.ConnectionId).toBe('Kx3fLd9aIAMCJ2Q=');
    expect(JSON.parse(Buffer.from(input.Data as Uint8Array).toString('utf8'))).toEqual(message);
  });

  test.each([
    ['GoneException', gone],
    ['any error with HTTP 410', foreign410],
  ])('%s means the connection is gone, not an error', async (_label, make) => {
    api.on(PostToConnectionCommand).rejects(make());
    await expect(channel.send('old=', { type: 'ping' })).resolves.toBe('gone');
  });

  test.each([
    [
      'LimitExceededException',
      () => new LimitExceededException({ message: 'slow down', $metadata: { httpStatusCode: 429 } }),
    ],
    ['ForbiddenException', () => new ForbiddenException({ message: 'Forbidden', $metadata: { httpStatusCode: 403 } })],
    ['a network error', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('%s is thrown', async (_label, make) => {
    const cause = make();
    api.on(PostToConnectionCommand).rejects(cause);
    await expect(channel.send('c=', { type: 'ping' })).rejects.toBe(cause);
  });
});

describe('disconnect', () => {
  test('deletes the connection', async () => {
    api.on(DeleteConnectionCommand).resolves({});
    await channel.disconnect('Kx3fLd9aIAMCJ2Q=');
    expect(api.commandCalls(DeleteConnectionCommand).map((c) => c.args[0].input)).toEqual([
      { ConnectionId: 'Kx3fLd9aIAMCJ2Q=' },
    ]);
  });

  test.each([
    ['GoneException', gone],
    ['any error with HTTP 410', foreign410],
  ])('a connection already gone (%s) is not an error', async (_label, make) => {
    api.on(DeleteConnectionCommand).rejects(make());
    await expect(channel.disconnect('old=')).resolves.toBeUndefined();
  });

  test('other failures are thrown', async () => {
    const cause = new ForbiddenException({ message: 'Forbidden', $metadata: { httpStatusCode: 403 } });
    api.on(DeleteConnectionCommand).rejects(cause);
    await expect(channel.disconnect('c=')).rejects.toBe(cause);
  });
});

describe('connection', () => {
  test('reads when the connection opened and when its client last sent something', async () => {
    api.on(GetConnectionCommand).resolves({
      ConnectedAt: new Date('2026-11-20T10:00:00.000Z'),
      LastActiveAt: new Date('2026-11-20T10:05:30.250Z'),
      Identity: { SourceIp: '198.51.100.7', UserAgent: 'test' },
    });
    await expect(channel.connection('Kx3fLd9aIAMCJ2Q=')).resolves.toEqual({
      connectedAt: Date.parse('2026-11-20T10:00:00.000Z'),
      lastActiveAt: Date.parse('2026-11-20T10:05:30.250Z'),
    });
    expect(api.commandCalls(GetConnectionCommand).map((c) => c.args[0].input)).toEqual([
      { ConnectionId: 'Kx3fLd9aIAMCJ2Q=' },
    ]);
    await expect(channel.isConnected('Kx3fLd9aIAMCJ2Q=')).resolves.toBe(true);
  });

  test('a connection without a LastActiveAt was last active when it opened', async () => {
    api.on(GetConnectionCommand).resolves({ ConnectedAt: new Date('2026-11-20T10:00:00.000Z') });
    await expect(channel.connection('c=')).resolves.toEqual({
      connectedAt: Date.parse('2026-11-20T10:00:00.000Z'),
      lastActiveAt: Date.parse('2026-11-20T10:00:00.000Z'),
    });
  });

  test.each([
    ['GoneException', gone],
    ['any error with HTTP 410', foreign410],
  ])('a connection that is gone (%s) is undefined, and not connected', async (_label, make) => {
    api.on(GetConnectionCommand).rejects(make());
    await expect(channel.connection('old=')).resolves.toBeUndefined();
    await expect(channel.isConnected('old=')).resolves.toBe(false);
  });

  test('other failures are thrown', async () => {
    const cause = new ForbiddenException({ message: 'Forbidden', $metadata: { httpStatusCode: 403 } });
    api.on(GetConnectionCommand).rejects(cause);
    await expect(channel.connection('c=')).rejects.toBe(cause);
    await expect(channel.isConnected('c=')).rejects.toBe(cause);
  });
});
