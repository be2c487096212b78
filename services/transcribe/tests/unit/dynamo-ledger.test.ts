// DynamoFinalizedLedger on mocked DynamoDB: the conditional put finalizing an utterance once, and refused/failed puts.
import { ConditionalCheckFailedException, DynamoDBClient, InternalServerError } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { DynamoFinalizedLedger } from '#adapters/dynamo-ledger';

const TABLE = 'llt-transcripts-test';
const NOW = 1_800_000_000_250;
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const dynamo = mockClient(db);
const ledger = new DynamoFinalizedLedger(db, TABLE, () => NOW);

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoFinalizedLedger', () => {
  test('claims with a put keyed by session and zero-padded first frame, conditioned on the item not existing', async () => {
    dynamo.on(PutCommand).resolves({});
    await expect(ledger.claim('s_abcdefgh', 1234, 7)).resolves.toBe(true);
    expect(dynamo.commandCalls(PutCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Item: {
          sessionId: 's_abcdefgh',
          segment: 'FRAME#0000001234',
          segmentIndex: 7,
          claimedAt: NOW,
          ttl: Math.ceil(NOW / 1000) + 2 * 24 * 3600,
        },
        ConditionExpression: 'attribute_not_exists(sessionId)',
      },
    ]);
  });

  test('segment keys sort in frame order as strings', async () => {
    dynamo.on(PutCommand).resolves({});
    await ledger.claim('s_abcdefgh', 99, 1);
    await ledger.claim('s_abcdefgh', 100, 2);
    const [a, b] = dynamo.commandCalls(PutCommand).map((c) => c.args[0].input.Item?.segment as string);
    expect([b, a].sort()).toEqual([a, b]);
  });

  test('an utterance already finalized (a redelivered batch) is not claimed again', async () => {
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    await expect(ledger.claim('s_abcdefgh', 1234, 7)).resolves.toBe(false);
  });

  test('other failures are thrown, so the batch is retried rather than silently dropped', async () => {
    const cause = new InternalServerError({ message: 'internal', $metadata: {} });
    dynamo.on(PutCommand).rejects(cause);
    await expect(ledger.claim('s_abcdefgh', 1234, 7)).rejects.toBe(cause);
  });
});
