// DynamoRateLimiter on mocked DynamoDB: the counter item's key, the atomic ADD with its TTL, and the counts read.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { DynamoRateLimiter } from '#adapters/dynamo-rate-limiter';

const TABLE = 'llt-sessions-test';
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const dynamo = mockClient(db);
const limiter = new DynamoRateLimiter(db, TABLE);
const START = 1_800_000_000_000;
const END = START + 60_000;

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoRateLimiter', () => {
  test('record adds one to the window item, sets its TTL a minute past the window, and returns the new count', async () => {
    dynamo.on(UpdateCommand).resolves({ Attributes: { attempts: 21, ttl: 1_800_000_120 } });
    await expect(limiter.record('join', '203.0.113.9', START, END)).resolves.toBe(21);
    expect(dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Key: { pk: 'RATE#join#203.0.113.9', sk: '1800000000000' },
        UpdateExpression: 'ADD attempts :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':ttl': 1_800_000_120 },
        ReturnValues: 'UPDATED_NEW',
      },
    ]);
  });

  test('attempts reads the window item and is 0 when there is none', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: { attempts: 7 } })
      .resolvesOnce({});
    await expect(limiter.attempts('join', '2001:db8::1', START)).resolves.toBe(7);
    await expect(limiter.attempts('join', '2001:db8::1', END)).resolves.toBe(0);
    expect(dynamo.commandCalls(GetCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Key: { pk: 'RATE#join#2001:db8::1', sk: '1800000000000' },
        ProjectionExpression: 'attempts',
      },
      {
        TableName: TABLE,
        Key: { pk: 'RATE#join#2001:db8::1', sk: '1800000060000' },
        ProjectionExpression: 'attempts',
      },
    ]);
  });

  test('a failing table fails the call (the handler answers 500 rather than skipping the limit)', async () => {
    dynamo.on(UpdateCommand).rejects(new Error('throttled'));
    await expect(limiter.record('join', '203.0.113.9', START, END)).rejects.toThrow('throttled');
  });
});
