// The translated increments against the local DynamoDB emulator: increments recorded in any order, twice, or at
// the same moment from several environments all end up in the one item, and each call sees the ones before it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Emulators, startEmulators } from '@llt/local/emulators';
import { CAPTIONS_TABLE, dynamoDocumentClient } from '@llt/platform';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DynamoPartialTranslations } from '#adapters/dynamo-partial-translations';
import { DynamoPartialTurns } from '#adapters/dynamo-partial-turns';
import { turnKey } from '#core/partials';

let emulators: Emulators;
let dataDir: string;
let db: ReturnType<typeof dynamoDocumentClient>;
let store: DynamoPartialTranslations;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llt-partial-translations-'));
  emulators = await startEmulators({ dataDir, region: 'us-east-1', shards: 1 });
  db = dynamoDocumentClient(emulators.endpoints);
  store = new DynamoPartialTranslations(db, CAPTIONS_TABLE.name, () => 1_800_000_000_000);
});
afterAll(async () => {
  await emulators?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const SESSION = 's_translations01';
const utterance = (segmentIndex: number, language = 'es') => ({ sessionId: SESSION, language, segmentIndex });

test('increments out of order and twice: each call returns every one recorded so far, in increment order', async () => {
  expect(await store.record(utterance(3), { increment: 1, text: 'y bienvenido al', sourceWords: 7 })).toEqual([
    { increment: 1, text: 'y bienvenido al', sourceWords: 7 },
  ]);
  expect(await store.record(utterance(3), { increment: 0, text: 'Buenos días a todos', sourceWords: 3 })).toEqual([
    { increment: 0, text: 'Buenos días a todos', sourceWords: 3 },
    { increment: 1, text: 'y bienvenido al', sourceWords: 7 },
  ]);
  // A redelivery and an empty translation.
  await store.record(utterance(3), { increment: 0, text: 'Buenos días a todos', sourceWords: 3 });
  expect(await store.record(utterance(3), { increment: 2, text: '', sourceWords: 8 })).toEqual([
    { increment: 0, text: 'Buenos días a todos', sourceWords: 3 },
    { increment: 1, text: 'y bienvenido al', sourceWords: 7 },
    { increment: 2, text: '', sourceWords: 8 },
  ]);
  // Other languages and segments are items of their own.
  expect(await store.record(utterance(3, 'ca'), { increment: 0, text: 'Bon dia', sourceWords: 2 })).toHaveLength(1);
  expect(await store.record(utterance(4), { increment: 0, text: 'Hola', sourceWords: 1 })).toHaveLength(1);
});

test('increments recorded at the same moment from many environments are all kept', async () => {
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, n) =>
      store.record(utterance(10), { increment: n, text: `palabra${n}`, sourceWords: n + 1 }),
    ),
  );
  // Each call sees at least its own increment; the item ends with all of them.
  results.forEach((seen, n) => {
    expect(seen.map((r) => r.increment)).toContain(n);
  });
  const all = await store.record(utterance(10), { increment: 0, text: 'palabra0', sourceWords: 1 });
  expect(all.map((r) => r.increment)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
});

test('the item sits beside the captions with their expiry', async () => {
  await store.record(utterance(20), { increment: 0, text: 'Hola', sourceWords: 1 });
  const item = await db.send(
    new GetCommand({
      TableName: CAPTIONS_TABLE.name,
      Key: { sessionId: SESSION, entry: '~partial-translation#es#0000000020' },
    }),
  );
  expect(item.Item).toMatchObject({ w0: 1, t0: 'Hola', [CAPTIONS_TABLE.ttlAttribute]: 1_800_000_000 + 2 * 24 * 3600 });
});

test("a language's provisional turn is its own item; the source captions' item keeps its key", async () => {
  const turns = new DynamoPartialTurns(db, CAPTIONS_TABLE.name);
  const source = { key: turnKey(SESSION), segmentIndex: 5, revision: 0, final: true };
  const spanish = { key: turnKey(SESSION, 'es'), segmentIndex: 5, revision: 2, final: false };
  expect(await turns.offer(source)).toBe(true);
  // The source final does not make the Spanish provisional translation stale, and the other way round.
  expect(await turns.offer(spanish)).toBe(true);
  expect(await turns.offer({ ...spanish, revision: 1 })).toBe(false);
  expect(await turns.offer({ ...spanish, revision: 0, final: true })).toBe(true);
  expect(await turns.offer({ ...spanish, revision: 3 })).toBe(false);
  expect((await turns.newest(turnKey(SESSION)))?.ref).toEqual(source);
  expect((await turns.newest(turnKey(SESSION, 'es')))?.ref).toEqual({ ...spanish, revision: 0, final: true });
  expect(await turns.acquire(turnKey(SESSION), 'env-1', 1_000, 16_000)).toBe(true);
  expect(await turns.acquire(turnKey(SESSION, 'es'), 'env-2', 1_000, 16_000)).toBe(true);
  const entries = await Promise.all(
    ['~partial-turn', '~partial-turn#es'].map(
      async (entry) =>
        (await db.send(new GetCommand({ TableName: CAPTIONS_TABLE.name, Key: { sessionId: SESSION, entry } }))).Item,
    ),
  );
  expect(entries.map((item) => [item?.segmentIndex, item?.final, item?.owner])).toEqual([
    [5, true, 'env-1'],
    [5, true, 'env-2'],
  ]);
});
