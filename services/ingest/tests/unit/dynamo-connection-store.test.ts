// DynamoConnectionStore on mocked DynamoDB: the connection item and TTL, get/delete results, countRejected on gone.
import { ConditionalCheckFailedException, DynamoDBClient, InternalServerError } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { DynamoConnectionStore } from '#adapters/dynamo-session-store';
import type { ConnectionRecord } from '#core/ports';

const TABLE = 'llt-connections-test';
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const dynamo = mockClient(db);
const store = new DynamoConnectionStore(db, TABLE);

const listener: ConnectionRecord = {
  connectionId: 'conn-7=',
  sessionId: 's_abcdefgh',
  role: 'listener',
  language: 'es',
  connectedAt: 1_800_000_000_000,
  expiresAt: 1_800_043_200_000,
};
const TTL = 1_800_043_200 + 24 * 3600;

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoConnectionStore', () => {
  test('put stores the record keyed by connection id with a TTL a day past the session', async () => {
    dynamo.on(PutCommand).resolves({});
    await store.put(listener);
    expect(dynamo.commandCalls(PutCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: TABLE, Item: { ...listener, ttl: TTL } },
    ]);
  });

  test('get reads consistently and returns the record without TTL or rejection counters', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: { ...listener, ttl: TTL, rejectedInputs: 3, lastRejectedCode: 'invalid_frame' } })
      .resolvesOnce({});
    await expect(store.get('conn-7=')).resolves.toEqual(listener);
    await expect(store.get('conn-gone')).resolves.toBeUndefined();
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { connectionId: 'conn-7=' },
      ConsistentRead: true,
    });
  });

  test('delete returns the deleted record (ALL_OLD), or undefined when it was already gone', async () => {
    dynamo
      .on(DeleteCommand)
      .resolvesOnce({ Attributes: { ...listener, ttl: TTL, rejectedInputs: 1 } })
      .resolvesOnce({});
    await expect(store.delete('conn-7=')).resolves.toEqual(listener);
    await expect(store.delete('conn-7=')).resolves.toBeUndefined();
    expect(dynamo.commandCalls(DeleteCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { connectionId: 'conn-7=' },
      ReturnValues: 'ALL_OLD',
    });
  });

  test('countRejected adds one and records the code, only on an existing connection', async () => {
    dynamo.on(UpdateCommand).resolves({});
    await store.countRejected('conn-7=', 'invalid_frame');
    expect(dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Key: { connectionId: 'conn-7=' },
        UpdateExpression: 'ADD rejectedInputs :one SET lastRejectedCode = :code',
        ConditionExpression: 'attribute_exists(connectionId)',
        ExpressionAttributeValues: { ':one': 1, ':code': 'invalid_frame' },
      },
    ]);
  });

  test('countRejected on a connection that is gone does nothing and does not fail', async () => {
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    await expect(store.countRejected('conn-gone', 'invalid_frame')).resolves.toBeUndefined();
  });

  test('countRejected throws other failures', async () => {
    const cause = new InternalServerError({ message: 'internal', $metadata: {} });
    dynamo.on(UpdateCommand).rejects(cause);
    await expect(store.countRejected('conn-7=', 'invalid_frame')).rejects.toBe(cause);
  });
});
