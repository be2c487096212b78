// The capacity store against a mocked sessions table: the worker's report, and the session cost measured on this
// machine, which a restarted worker starts from while it is kept.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { DynamoCapacityStore } from '#adapters/dynamo-capacity';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dynamo = mockClient(db);
const NOW = 1_800_000_000_000;
const DAY = 24 * 3600_000;
const store = new DynamoCapacityStore(db, 'llt-sessions', 'studio-pc', () => NOW);

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoCapacityStore', () => {
  test("keeps the machine's measured session cost for a week, under its host name", async () => {
    dynamo.on(PutCommand).resolves({});
    await store.saveSessionCost(0.83);
    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: 'llt-sessions',
      Item: {
        pk: 'CAPACITY',
        sk: 'COST#studio-pc',
        sessionCores: 0.83,
        measuredAt: NOW,
        expiresAt: (NOW + 7 * DAY) / 1000,
      },
    });
  });

  test('reads it back while it is kept; an older, missing or malformed one is none', async () => {
    dynamo.on(GetCommand).resolves({ Item: { sessionCores: 0.83, measuredAt: NOW - DAY } });
    await expect(store.lastSessionCost()).resolves.toBe(0.83);
    expect(dynamo.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'llt-sessions',
      Key: { pk: 'CAPACITY', sk: 'COST#studio-pc' },
      ConsistentRead: true,
    });
    // DynamoDB deletes expired items only eventually: an item past its week is not used.
    dynamo.on(GetCommand).resolves({ Item: { sessionCores: 0.83, measuredAt: NOW - 8 * DAY } });
    await expect(store.lastSessionCost()).resolves.toBeUndefined();
    dynamo.on(GetCommand).resolves({});
    await expect(store.lastSessionCost()).resolves.toBeUndefined();
    dynamo.on(GetCommand).resolves({ Item: { sessionCores: 'a lot', measuredAt: NOW } });
    await expect(store.lastSessionCost()).resolves.toBeUndefined();
  });
});
