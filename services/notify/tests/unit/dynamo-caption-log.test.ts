// DynamoCaptionLog on mocked DynamoDB: caption item keys and TTL, since() key range and pages, malformed items skipped.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CaptionMessage } from '@llt/events';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { DynamoCaptionLog } from '#adapters/dynamo-caption-log';

const TABLE = 'llt-captions-test';
const SESSIONS = 'llt-sessions-test';
const NOW = 1_800_000_000_900;
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const dynamo = mockClient(db);
const log = new DynamoCaptionLog(db, TABLE, SESSIONS, () => NOW);
const queries = () => dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);

function caption(segmentIndex: number, text = `frase ${segmentIndex}`): CaptionMessage {
  return {
    type: 'caption',
    sessionId: 's_abcdefgh',
    segmentId: `seg-${String(segmentIndex).padStart(6, '0')}`,
    segmentIndex,
    language: 'es',
    kind: 'translation',
    final: true,
    text,
    captureStart: 1_800_000_000_000,
    captureEnd: 1_800_000_000_800,
  };
}

/** The item append() stores for caption(segmentIndex), as a query returns it. */
const stored = (segmentIndex: number) => ({
  ...caption(segmentIndex),
  entry: `es#${String(segmentIndex).padStart(10, '0')}`,
  ttl: 1,
});

beforeEach(() => {
  dynamo.reset();
});

describe('append', () => {
  test('stores the caption under its session, with language#zero-padded-index as sort key and a two-day TTL', async () => {
    dynamo.on(PutCommand).resolves({});
    await log.append(caption(42));
    expect(dynamo.commandCalls(PutCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Item: { ...caption(42), entry: 'es#0000000042', ttl: Math.floor(NOW / 1000) + 2 * 24 * 3600 },
      },
    ]);
  });
});

describe('since', () => {
  test("queries the language's entries after the given index as one key range", async () => {
    dynamo.on(QueryCommand).resolves({ Items: [stored(8), stored(11)] });
    await expect(log.since('s_abcdefgh', 'es', 7)).resolves.toEqual([caption(8), caption(11)]);
    expect(queries()).toEqual([
      {
        TableName: TABLE,
        KeyConditionExpression: 'sessionId = :s AND entry BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':s': 's_abcdefgh', ':from': 'es#0000000008', ':to': 'es#\uffff' },
        ExclusiveStartKey: undefined,
      },
    ]);
  });

  test('from the start (after = -1) the range begins at index 0', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    await log.since('s_abcdefgh', 'es', -1);
    expect(queries()[0]?.ExpressionAttributeValues?.[':from']).toBe('es#0000000000');
  });

  test('the range holds exactly the language: another language or a regional variant sorts outside it', () => {
    const from = 'es#0000000000';
    const to = 'es#\uffff';
    const within = (key: string) => from <= key && key <= to;
    expect(within('es#0000000001')).toBe(true);
    expect(within('es#9999999999')).toBe(true);
    expect(within('es-MX#0000000001')).toBe(false);
    expect(within('eo#0000000001')).toBe(false);
    expect(within('et#0000000001')).toBe(false);
  });

  test('follows LastEvaluatedKey through every page, in order', async () => {
    const end1 = { sessionId: 's_abcdefgh', entry: 'es#0000000002' };
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored(1), stored(2)], LastEvaluatedKey: end1 })
      .resolvesOnce({ Items: [stored(3)] });
    await expect(log.since('s_abcdefgh', 'es', 0)).resolves.toEqual([caption(1), caption(2), caption(3)]);
    expect(queries().map((q) => q.ExclusiveStartKey)).toEqual([undefined, end1]);
  });

  test('items that are not valid captions are skipped, the rest returned', async () => {
    const { text: _text, ...withoutText } = stored(2);
    dynamo.on(QueryCommand).resolves({
      Items: [stored(1), withoutText, { ...stored(3), segmentIndex: 'three' }, { entry: 'es#0000000004' }, stored(5)],
    });
    await expect(log.since('s_abcdefgh', 'es', 0)).resolves.toEqual([caption(1), caption(5)]);
  });
});

describe('sessionExists', () => {
  test('is whether the session item exists in the sessions table, live or ended', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: { sessionId: 's_abcdefgh', status: 'ended' } })
      .resolvesOnce({});
    await expect(log.sessionExists('s_abcdefgh')).resolves.toBe(true);
    await expect(log.sessionExists('s_unknown0')).resolves.toBe(false);
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      TableName: SESSIONS,
      Key: { pk: 'SESSION#s_abcdefgh', sk: 'META' },
    });
  });
});
