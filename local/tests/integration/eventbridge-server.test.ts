// The local EventBridge API driven by the real @aws-sdk/client-eventbridge client.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_BUS_NAME, patternFor, TranscriptFinalizedV1 } from '@llt/events';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BusEvent, LocalEventBus, type TargetDeliveryError } from '../../src/bus/event-bus.ts';
import { type EventBridgeServer, startEventBridgeServer } from '../../src/bus/eventbridge-server.ts';

let bus: LocalEventBus;
let server: EventBridgeServer;
let client: EventBridgeClient;
const targetErrors: TargetDeliveryError[] = [];

beforeAll(async () => {
  bus = new LocalEventBus({ name: EVENT_BUS_NAME, retryBaseDelayMs: 1, onTargetError: (e) => targetErrors.push(e) });
  server = await startEventBridgeServer(bus, { port: 0 });
  client = new EventBridgeClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

beforeEach(async () => {
  await bus.drain();
  for (const name of bus.ruleNames) bus.removeRule(name);
  targetErrors.length = 0;
});

const detail = { v: 1, sessionId: 'sess-1', segmentId: 'seg-1', text: 'hello' };

describe('EventBridge server with the real SDK client', () => {
  it('listens on a free local port', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('delivers events put through the SDK to matching rules with a real envelope', async () => {
    const matched: BusEvent[] = [];
    const unmatched: BusEvent[] = [];
    bus.addRule('finalized-v1', patternFor(TranscriptFinalizedV1), async (e) => {
      matched.push(e);
    });
    bus.addRule('translation', { source: ['llt.translate'] }, async (e) => {
      unmatched.push(e);
    });

    const before = Date.now();
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: EVENT_BUS_NAME,
            Source: 'llt.transcribe',
            DetailType: 'TranscriptFinalized',
            Detail: JSON.stringify(detail),
          },
          {
            EventBusName: EVENT_BUS_NAME,
            Source: 'llt.transcribe',
            DetailType: 'TranscriptFinalized',
            Detail: JSON.stringify({ ...detail, v: 2 }),
          },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries).toHaveLength(2);
    await bus.drain();

    expect(unmatched).toEqual([]);
    expect(matched).toHaveLength(1);
    const event = matched[0]!;
    expect(event).toMatchObject({
      version: '0',
      id: out.Entries?.[0]?.EventId,
      'detail-type': 'TranscriptFinalized',
      source: 'llt.transcribe',
      account: '000000000000',
      region: 'us-east-1',
      resources: [],
      detail,
    });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(event.time)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  });

  it('carries Time and Resources from the SDK request', async () => {
    const seen: BusEvent[] = [];
    bus.addRule('all', { source: ['llt.ingest'] }, async (e) => {
      seen.push(e);
    });
    await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'llt.ingest',
            DetailType: 'SessionStarted',
            Detail: '{"v":1}',
            Time: new Date('2024-05-06T07:08:09Z'),
            Resources: ['arn:aws:execute-api:local'],
          },
        ],
      }),
    );
    await bus.drain();
    expect(seen[0]).toMatchObject({ time: '2024-05-06T07:08:09Z', resources: ['arn:aws:execute-api:local'] });
  });

  it('reports invalid entries as per-entry failures', async () => {
    const delivered: BusEvent[] = [];
    bus.addRule('all', { source: [{ prefix: '' }] }, async (e) => {
      delivered.push(e);
    });
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'llt.transcribe', DetailType: 'TranscriptFinalized', Detail: '{broken' },
          { DetailType: 'TranscriptFinalized', Detail: '{}' },
          { Source: 'llt.transcribe', DetailType: 'TranscriptFinalized', Detail: '{}', EventBusName: 'nope' },
          { Source: 'llt.transcribe', DetailType: 'TranscriptFinalized', Detail: '{"ok":true}' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries?.[0]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
    expect(out.Entries?.[1]?.ErrorCode).toBe('InvalidArgument');
    expect(out.Entries?.[2]).toEqual({
      ErrorCode: 'ResourceNotFoundException',
      ErrorMessage: 'Event bus nope does not exist.',
    });
    expect(out.Entries?.[3]?.EventId).toBeTruthy();
    await bus.drain();
    expect(delivered.map((e) => e.detail)).toEqual([{ ok: true }]);
  });

  it('answers a request with too many entries with a ValidationException', async () => {
    const entries = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'T', Detail: '{}' }));
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers an operation it does not implement with UnknownOperationException', async () => {
    await expect(client.send(new ListRulesCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers malformed raw requests with AWS JSON errors and keeps serving', async () => {
    const post = (body: string, target = 'AWSEvents.PutEvents') =>
      fetch(server.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        body,
      });

    const badJson = await post('{nope');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ __type: 'SerializationException' });

    const noEntries = await post('{}');
    expect(noEntries.status).toBe(400);
    expect(await noEntries.json()).toMatchObject({ __type: 'ValidationException' });

    const unknown = await post('{}', 'AWSEvents.DeleteEverything');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });

    const get = await fetch(server.endpoint);
    expect(get.status).toBe(400);
    expect(await get.json()).toMatchObject({ __type: 'UnknownOperationException' });

    const wrongTypes = await post(JSON.stringify({ Entries: [{ Source: 5, DetailType: 'T', Detail: '{}' }, 'x'] }));
    expect(wrongTypes.status).toBe(200);
    expect(await wrongTypes.json()).toMatchObject({ FailedEntryCount: 2 });

    const ok = await client.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'T', Detail: '{}' }] }));
    expect(ok.FailedEntryCount).toBe(0);
  });

  it('retries a failing target and surfaces the failure, without affecting the caller', async () => {
    let calls = 0;
    bus.addRule('flaky', { source: ['llt.notify'] }, async () => {
      calls++;
      if (calls === 1) throw new Error('first delivery fails');
    });
    const out = await client.send(
      new PutEventsCommand({ Entries: [{ Source: 'llt.notify', DetailType: 'X', Detail: '{}' }] }),
    );
    expect(out.FailedEntryCount).toBe(0);
    await bus.drain();
    expect(calls).toBe(2);
    expect(targetErrors.map((e) => [e.ruleName, e.willRetry])).toEqual([['flaky', true]]);
  });
});
