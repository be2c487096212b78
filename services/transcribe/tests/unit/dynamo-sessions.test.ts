// The session directory against a mocked sessions table: a session's source language, or none.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { DynamoSessionDirectory } from '#adapters/dynamo-sessions';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dynamo = mockClient(db);
const sessions = new DynamoSessionDirectory(db, 'llt-sessions');

beforeEach(() => {
  dynamo.reset();
});

describe('DynamoSessionDirectory', () => {
  test("reads the session's source language from its META item", async () => {
    dynamo.on(GetCommand).resolves({ Item: { sessionId: 's_session0001', status: 'live', sourceLanguage: 'es-ES' } });
    await expect(sessions.sourceLanguage('s_session0001')).resolves.toBe('es-ES');
    expect(dynamo.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'llt-sessions',
      Key: { pk: 'SESSION#s_session0001', sk: 'META' },
    });
  });

  test('a session that is not in the table has no language', async () => {
    dynamo.on(GetCommand).resolves({});
    await expect(sessions.sourceLanguage('s_session0002')).resolves.toBeUndefined();
  });
});
