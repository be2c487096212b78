// DynamoListenerDirectory on mocked DynamoDB: paged listener queries, language prefix, live speaker, recent, remove.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { DynamoListenerDirectory } from '#adapters/dynamo-listeners';

const TABLE = 'llt-sessions-test';
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const dynamo = mockClient(db);
const directory = new DynamoListenerDirectory(db, TABLE);
const queries = () => dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);

beforeEach(() => {
  dynamo.reset();
});

describe('listeners', () => {
  test('follows LastEvaluatedKey through every page and returns connection, language and join time of each', async () => {
    const page1End = { pk: 'SESSION#s_abcdefgh', sk: 'LISTENER#es#b' };
    const page2End = { pk: 'SESSION#s_abcdefgh', sk: 'LISTENER#es#c' };
    dynamo
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          { connectionId: 'a', language: 'es' },
          { connectionId: 'b', language: 'es', joinedAt: 1_700 },
        ],
        LastEvaluatedKey: page1End,
      })
      .resolvesOnce({ Items: [{ connectionId: 'c', language: 'es' }], LastEvaluatedKey: page2End })
      .resolvesOnce({ Items: [] });
    await expect(directory.listeners('s_abcdefgh', 'es')).resolves.toEqual([
      { connectionId: 'a', language: 'es' },
      { connectionId: 'b', language: 'es', joinedAt: 1_700 },
      { connectionId: 'c', language: 'es' },
    ]);
    const sent = queries();
    expect(sent.map((q) => q.ExclusiveStartKey)).toEqual([undefined, page1End, page2End]);
    expect(sent[0]).toEqual({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'SESSION#s_abcdefgh', ':prefix': 'LISTENER#es#' },
      ProjectionExpression: 'connectionId, #language, joinedAt',
      ExpressionAttributeNames: { '#language': 'language' },
      ConsistentRead: false,
      ExclusiveStartKey: undefined,
    });
  });

  test("one language's prefix ends with # so es does not match es-MX; without a language every listener", async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });
    await directory.listeners('s_abcdefgh', 'es');
    await directory.listeners('s_abcdefgh');
    expect(queries().map((q) => q.ExpressionAttributeValues?.[':prefix'])).toEqual(['LISTENER#es#', 'LISTENER#']);
  });

  test('a page without Items is an empty page', async () => {
    dynamo.on(QueryCommand).resolves({});
    await expect(directory.listeners('s_abcdefgh')).resolves.toEqual([]);
  });
});

describe('speaker', () => {
  test('is the connection of a live session, read with a projection of the session item', async () => {
    dynamo.on(GetCommand).resolves({ Item: { sessionId: 's_abcdefgh', status: 'live', speakerConnectionId: 'spk=' } });
    await expect(directory.speaker('s_abcdefgh')).resolves.toBe('spk=');
    expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'SESSION#s_abcdefgh', sk: 'META' },
      ProjectionExpression: 'sessionId, #status, sourceLanguage, targetLanguages, speakerConnectionId',
      ExpressionAttributeNames: { '#status': 'status' },
    });
  });

  test.each([
    ['the session ended', { Item: { sessionId: 's_abcdefgh', status: 'ended', speakerConnectionId: 'spk=' } }],
    ['no speaker is connected', { Item: { sessionId: 's_abcdefgh', status: 'live' } }],
    ['the session is unknown', {}],
  ])('is undefined when %s', async (_label, output) => {
    dynamo.on(GetCommand).resolves(output);
    await expect(directory.speaker('s_abcdefgh')).resolves.toBeUndefined();
  });
});

describe('recentLanguages and remove', () => {
  test('recentLanguages queries the RECENT# items left at or after the given time', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [{ language: 'ca' }, { language: 'gl' }] });
    await expect(directory.recentLanguages('s_abcdefgh', 1_800_000_000_000)).resolves.toEqual(['ca', 'gl']);
    expect(queries()).toEqual([
      {
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'leftAt >= :since',
        ExpressionAttributeValues: { ':pk': 'SESSION#s_abcdefgh', ':prefix': 'RECENT#', ':since': 1_800_000_000_000 },
        ProjectionExpression: '#language',
        ExpressionAttributeNames: { '#language': 'language' },
      },
    ]);
  });

  test('remove deletes exactly the listener item', async () => {
    dynamo.on(DeleteCommand).resolves({});
    await directory.remove('s_abcdefgh', { connectionId: 'gone=', language: 'ca' });
    expect(dynamo.commandCalls(DeleteCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: TABLE, Key: { pk: 'SESSION#s_abcdefgh', sk: 'LISTENER#ca#gone=' } },
    ]);
  });
});
