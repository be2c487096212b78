// EventBridgePublisher on mocked EventBridge: validated before PutEvents, exact entry, FailedEntryCount → EventPublishError.
import { EventBridgeClient, PutEventsCommand, ResourceNotFoundException } from '@aws-sdk/client-eventbridge';
import { ListenerJoinedV1 } from '@llt/events';
import { failureOf } from '@llt/platform/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { EventBridgePublisher, EventPublishError } from '../../src/events.ts';

const client = new EventBridgeClient({ region: 'eu-west-1' });
const eventBridge = mockClient(client);
const publisher = new EventBridgePublisher(client, 'llt-bus-test');

const joined = {
  v: 1 as const,
  sessionId: 's_7Hq2xK9pLmN3',
  connectionId: 'Kx3fLd9aIAMCJ2Q=',
  language: 'es',
  occurredAt: 1_761_213_618_734,
};

beforeEach(() => {
  eventBridge.reset();
});

describe('EventBridgePublisher', () => {
  test('sends one entry on the bus with the definition’s source and detail-type and the detail as JSON', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await publisher.publish(ListenerJoinedV1, joined);
    expect(eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input)).toEqual([
      {
        Entries: [
          {
            EventBusName: 'llt-bus-test',
            Source: 'llt.ingest',
            DetailType: 'ListenerJoined',
            Detail: JSON.stringify(joined),
          },
        ],
      },
    ]);
  });

  test('sends the validated detail: fields the schema does not know are not published', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await publisher.publish(ListenerJoinedV1, { ...joined, token: 'secret' } as typeof joined);
    const detail = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail;
    expect(JSON.parse(detail ?? '{}')).toEqual(joined);
  });

  test('an invalid detail is refused with EventPublishError naming the event, and nothing is sent', async () => {
    const error = await failureOf(
      publisher.publish(ListenerJoinedV1, { ...joined, sessionId: 'no', language: 'Spanish' } as typeof joined),
    );
    expect(error).toBeInstanceOf(EventPublishError);
    expect(error.name).toBe('EventPublishError');
    expect(error.message).toMatch(/^refusing to publish an invalid llt\.ingest@ListenerJoined\.v1: /);
    expect(error.message).toMatch(/session id must be 8-64 URL-safe characters/);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  test('an entry EventBridge rejects (FailedEntryCount) is an EventPublishError with its ErrorCode and message', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
    });
    const error = await failureOf(publisher.publish(ListenerJoinedV1, joined));
    expect(error).toBeInstanceOf(EventPublishError);
    expect(error.message).toBe('PutEvents rejected llt.ingest@ListenerJoined.v1: ThrottlingException Rate exceeded');
  });

  test('a rejected entry without details still fails, as unknown', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1 });
    await expect(publisher.publish(ListenerJoinedV1, joined)).rejects.toThrow(
      /^PutEvents rejected llt\.ingest@ListenerJoined\.v1: unknown$/,
    );
  });

  test('a failed PutEvents call is not swallowed', async () => {
    const cause = new ResourceNotFoundException({ message: 'Event bus llt-bus-test does not exist.', $metadata: {} });
    eventBridge.on(PutEventsCommand).rejects(cause);
    await expect(publisher.publish(ListenerJoinedV1, joined)).rejects.toBe(cause);
  });
});
