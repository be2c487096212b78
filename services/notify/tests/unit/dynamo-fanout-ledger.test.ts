// DynamoFanoutLedger on mocked DynamoDB: one execution claims a segment (the same one may re-claim); refusals.
import { ConditionalCheckFailedException, DynamoDBClient, InternalServerError } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { DynamoFanoutLedger } from '#adapters/dynamo-fanout-ledger';

const TABLE = 'llt-sessions-test';
const NOW = 1_800_000_000_900;
const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:express:llt-segment:exec-1';
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const dynamo = mockClient(db);
const ledger = new DynamoFanoutLedger(db, TABLE, () => NOW);

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoFanoutLedger', () => {
  test('claims with a FANOUT# item that only a new segment or the same execution may write', async () => {
    dynamo.on(PutCommand).resolves({});
    await expect(ledger.claim('s_abcdefgh', 'seg-000042', EXECUTION)).resolves.toBe(true);
    expect(dynamo.commandCalls(PutCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Item: {
          pk: 'SESSION#s_abcdefgh',
          sk: 'FANOUT#seg-000042',
          executionId: EXECUTION,
          ttl: Math.floor(NOW / 1000) + 24 * 3600,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR executionId = :execution',
        ExpressionAttributeValues: { ':execution': EXECUTION },
      },
    ]);
  });

  test('a retried task of the same execution sends the same condition and is granted the claim again', async () => {
    dynamo.on(PutCommand).resolves({});
    await ledger.claim('s_abcdefgh', 'seg-000042', EXECUTION);
    await expect(ledger.claim('s_abcdefgh', 'seg-000042', EXECUTION)).resolves.toBe(true);
    const [first, retry] = dynamo.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(retry).toEqual(first);
  });

  test('another execution (a redelivered event) is refused by the condition and fans out nothing', async () => {
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    await expect(ledger.claim('s_abcdefgh', 'seg-000042', `${EXECUTION}-redelivered`)).resolves.toBe(false);
  });

  test('other failures are thrown', async () => {
    const cause = new InternalServerError({ message: 'internal', $metadata: {} });
    dynamo.on(PutCommand).rejects(cause);
    await expect(ledger.claim('s_abcdefgh', 'seg-000042', EXECUTION)).rejects.toBe(cause);
  });

  test('a speech part is claimed by the first clip sent; the same clip again is granted, another one refused', async () => {
    dynamo.on(PutCommand).resolves({});
    const part = { sessionId: 's_abcdefgh', segmentId: 'seg-000042', language: 'es', part: 1 };
    await expect(ledger.claimSpeechPart(part, 'https://audio/p1?sig=a')).resolves.toBe(true);
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Item: {
        pk: 'SESSION#s_abcdefgh',
        sk: 'SPOKEN#seg-000042#es#1',
        clip: 'https://audio/p1?sig=a',
        ttl: Math.floor(NOW / 1000) + 24 * 3600,
      },
      ConditionExpression: 'attribute_not_exists(pk) OR clip = :clip',
      ExpressionAttributeValues: { ':clip': 'https://audio/p1?sig=a' },
    });
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    await expect(ledger.claimSpeechPart(part, 'https://audio/p1?sig=b')).resolves.toBe(false);
  });
});
