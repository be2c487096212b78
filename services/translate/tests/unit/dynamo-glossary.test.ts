// The glossary store against a mocked DynamoDB: one read per session and version for the life of the environment,
// nothing kept for a version that is not there or a read that failed, the least recently used version dropped first.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SESSIONS_TABLE, sessionTableKeys } from '@llt/platform';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, expect, test } from 'vitest';
import { DynamoGlossaryStore } from '#adapters/dynamo-glossary';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dynamo = mockClient(db);
const entries = [{ term: 'Nguyen', spoken: 'win' }];

beforeEach(() => {
  dynamo.reset();
});

function reads(): unknown[] {
  return dynamo.commandCalls(GetCommand).map((c) => c.args[0].input.Key);
}

test('reads the version named, strongly consistent, once per session and version', async () => {
  dynamo.on(GetCommand).resolves({ Item: { version: 3, entries } });
  const store = new DynamoGlossaryStore(db, SESSIONS_TABLE.name);
  await expect(store.get('s_one', 3)).resolves.toEqual(entries);
  await expect(store.get('s_one', 3)).resolves.toEqual(entries);
  const calls = dynamo.commandCalls(GetCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.args[0].input).toMatchObject({
    TableName: SESSIONS_TABLE.name,
    Key: sessionTableKeys.glossary('s_one', 3),
    ConsistentRead: true,
  });
  // Another version, another session: read on their own.
  await store.get('s_one', 4);
  await store.get('s_two', 3);
  expect(reads()).toEqual([
    sessionTableKeys.glossary('s_one', 3),
    sessionTableKeys.glossary('s_one', 4),
    sessionTableKeys.glossary('s_two', 3),
  ]);
});

test('concurrent sentences asking for the same version share one read', async () => {
  dynamo.on(GetCommand).resolves({ Item: { version: 1, entries } });
  const store = new DynamoGlossaryStore(db, SESSIONS_TABLE.name);
  await Promise.all([store.get('s_one', 1), store.get('s_one', 1), store.get('s_one', 1)]);
  expect(reads()).toHaveLength(1);
});

test('a version that is not there is undefined and read again next time', async () => {
  dynamo
    .on(GetCommand)
    .resolvesOnce({})
    .resolves({ Item: { version: 2, entries } });
  const store = new DynamoGlossaryStore(db, SESSIONS_TABLE.name);
  await expect(store.get('s_one', 2)).resolves.toBeUndefined();
  await expect(store.get('s_one', 2)).resolves.toEqual(entries);
  expect(reads()).toHaveLength(2);
});

test('a failed read fails this sentence only: the next one reads again', async () => {
  dynamo
    .on(GetCommand)
    .rejectsOnce(new Error('ProvisionedThroughputExceededException'))
    .resolves({
      Item: { version: 2, entries },
    });
  const store = new DynamoGlossaryStore(db, SESSIONS_TABLE.name);
  await expect(store.get('s_one', 2)).rejects.toThrow('ProvisionedThroughputExceededException');
  await expect(store.get('s_one', 2)).resolves.toEqual(entries);
  expect(reads()).toHaveLength(2);
});

test('keeps a bounded number of versions, dropping the one used least recently', async () => {
  dynamo.on(GetCommand).resolves({ Item: { version: 1, entries } });
  const store = new DynamoGlossaryStore(db, SESSIONS_TABLE.name, 2);
  await store.get('a', 1);
  await store.get('b', 1);
  await store.get('a', 1); // a is now the most recent
  await store.get('c', 1); // b goes
  await store.get('a', 1);
  await store.get('b', 1);
  expect(reads()).toEqual(['a', 'b', 'c', 'b'].map((s) => sessionTableKeys.glossary(s, 1)));
});
