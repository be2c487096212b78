// The clients called per audio frame and per listener resolve their middleware once per command class; each call is
// still its own signed request, and S3 (whose presigner adds middleware per command) and DynamoDB do not cache.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type AwsEndpoints,
  dynamoDocumentClient,
  eventBridgeClient,
  kinesisClient,
  managementApiClient,
  s3Client,
} from '../../src/aws.ts';

const requests: { method?: string; url?: string; authorization?: string; body: string }[] = [];
const server = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (c: Buffer) => {
    body += c.toString();
  });
  req.on('end', () => {
    requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
    res.setHeader('content-type', 'application/json');
    res.end(req.method === 'GET' ? JSON.stringify({ connectedAt: '2026-12-06T10:00:00Z' }) : '');
  });
});
let endpoint = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('AWS clients', () => {
  test('the Management API client, caching its middleware, still sends each command as its own signed request', async () => {
    const client = managementApiClient(endpoint, 'eu-west-1');
    expect(client.config.cacheMiddleware).toBe(true);
    await client.send(new PostToConnectionCommand({ ConnectionId: 'a1', Data: Buffer.from('{"n":1}') }));
    const found = await client.send(new GetConnectionCommand({ ConnectionId: 'a1' }));
    await client.send(new PostToConnectionCommand({ ConnectionId: 'b2', Data: Buffer.from('{"n":2}') }));
    expect(found.ConnectedAt?.toISOString()).toBe('2026-12-06T10:00:00.000Z');
    expect(requests.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual([
      'POST /@connections/a1 {"n":1}',
      'GET /@connections/a1 ',
      'POST /@connections/b2 {"n":2}',
    ]);
    for (const r of requests) expect(r.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\//);
    expect(new Set(requests.map((r) => r.authorization)).size).toBe(3);
  });

  test('Kinesis and EventBridge cache their middleware; S3 and DynamoDB resolve it on every call', () => {
    const e: AwsEndpoints = {
      region: 'eu-west-1',
      kinesis: endpoint,
      dynamodb: endpoint,
      s3: endpoint,
      events: endpoint,
    };
    expect(kinesisClient(e).config.cacheMiddleware).toBe(true);
    expect(eventBridgeClient(e).config.cacheMiddleware).toBe(true);
    expect(s3Client(e).config.cacheMiddleware).not.toBe(true);
    expect(dynamoDocumentClient(e).config.cacheMiddleware).not.toBe(true);
    // On AWS too (no local endpoint).
    expect(kinesisClient({ region: 'eu-west-1' }).config.cacheMiddleware).toBe(true);
    expect(managementApiClient('https://abc.execute-api.eu-west-1.amazonaws.com/live').config.cacheMiddleware).toBe(
      true,
    );
  });
});
