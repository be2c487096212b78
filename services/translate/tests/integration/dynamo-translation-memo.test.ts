// The translation memo against the local DynamoDB emulator, in the table the local runtime creates from the shared
// definition: what is put is read back by increment, within its session, segment and language only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Emulators, startEmulators } from '@llt/local/emulators';
import { dynamoDocumentClient, TRANSLATION_MEMO_TABLE, translationMemoKeys } from '@llt/platform';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DynamoTranslationMemo } from '#adapters/dynamo-translation-memo';

const NOW = 1_800_000_000_000;
let emulators: Emulators;
let dataDir: string;
let db: ReturnType<typeof dynamoDocumentClient>;
let memo: DynamoTranslationMemo;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llt-translation-memo-'));
  emulators = await startEmulators({ dataDir, region: 'us-east-1', shards: 1 });
  db = dynamoDocumentClient(emulators.endpoints);
  memo = new DynamoTranslationMemo(db, TRANSLATION_MEMO_TABLE.name, () => NOW);
});
afterAll(async () => {
  await emulators?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const SESSION = 's_memo0001';
const utterance = (segmentIndex: number, language = 'es', sessionId = SESSION) => ({
  sessionId,
  segmentIndex,
  language,
});

test('pieces put are read back by increment; those never put are absent', async () => {
  await memo.put(utterance(3), [
    { increment: 0, text: 'Buenos días' },
    { increment: 2, text: 'y bienvenidos' },
  ]);
  await memo.put(utterance(3), [{ increment: 11, text: 'a la reunión' }]);
  expect(await memo.get(utterance(3), [0, 1, 2, 11])).toEqual(
    new Map([
      [0, 'Buenos días'],
      [2, 'y bienvenidos'],
      [11, 'a la reunión'],
    ]),
  );
  // Only what is asked for, even when others lie between.
  expect(await memo.get(utterance(3), [0, 11])).toEqual(
    new Map([
      [0, 'Buenos días'],
      [11, 'a la reunión'],
    ]),
  );
  expect(await memo.get(utterance(3), [])).toEqual(new Map());
});

test('a piece put again replaces the one before, and an empty translation is remembered as empty', async () => {
  await memo.put(utterance(4), [{ increment: 0, text: 'Hola' }]);
  await memo.put(utterance(4), [{ increment: 0, text: 'Hola a todos' }]);
  await memo.put(utterance(4), [{ increment: 1, text: '' }]);
  expect(await memo.get(utterance(4), [0, 1])).toEqual(
    new Map([
      [0, 'Hola a todos'],
      [1, ''],
    ]),
  );
});

test('other segments, languages and sessions are items of their own', async () => {
  await memo.put(utterance(5), [{ increment: 0, text: 'Buenas tardes' }]);
  expect(await memo.get(utterance(6), [0])).toEqual(new Map());
  expect(await memo.get(utterance(5, 'ca'), [0])).toEqual(new Map());
  expect(await memo.get(utterance(5, 'es', 's_memo0002'), [0])).toEqual(new Map());
  expect(await memo.get(utterance(5), [0])).toEqual(new Map([[0, 'Buenas tardes']]));
});

test('each item carries its expiry a few hours ahead', async () => {
  await memo.put(utterance(7), [{ increment: 3, text: 'gracias' }]);
  const { Item } = await db.send(
    new GetCommand({
      TableName: TRANSLATION_MEMO_TABLE.name,
      Key: {
        [TRANSLATION_MEMO_TABLE.partitionKey]: translationMemoKeys.utterance(SESSION, 7, 'es'),
        [TRANSLATION_MEMO_TABLE.sortKey!]: translationMemoKeys.increment(3),
      },
    }),
  );
  expect(Item?.[TRANSLATION_MEMO_TABLE.ttlAttribute]).toBe(NOW / 1000 + translationMemoKeys.keepSeconds);
  expect(translationMemoKeys.keepSeconds).toBeGreaterThanOrEqual(3600);
});
