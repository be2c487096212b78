// The Translate task with a session glossary, end to end inside the service: the real handler and use case, the
// glossary version read from the sessions table in the local DynamoDB emulator, real Apertium pipelines. A final
// naming the version comes out with the glossary's target forms and names the version for speech.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type TranscriptFinalizedV1, TranslationReadyV1 } from '@llt/events';
import finalSample from '@llt/events/samples/llt.transcribe@TranscriptFinalized.v1.json';
import { type Emulators, startEmulators } from '@llt/local/emulators';
import { dynamoDocumentClient, SESSIONS_TABLE, sessionTableKeys, TRANSLATION_MEMO_TABLE } from '@llt/platform';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApertiumTranslator } from '#adapters/apertium';
import { installedApertiumRoutes } from '#adapters/apertium-routes';
import { DynamoGlossaryStore } from '#adapters/dynamo-glossary';
import { DynamoTranslationMemo } from '#adapters/dynamo-translation-memo';
import { makeTranslateHandler } from '#handlers/workflow';

const LANGUAGES = ['es', 'ca', 'gl', 'eo'].filter((l) => installedApertiumRoutes().some((r) => r.target === l));
const SESSION = (finalSample as TranscriptFinalizedV1).sessionId;
const GLOSSARY = [
  { term: 'Nguyen', spoken: 'win' },
  { term: 'New Bridge Fund', targets: { es: 'Fondo Puente Nuevo', ca: 'Fons Pont Nou', eo: 'Fonduso Nova Ponto' } },
];

let emulators: Emulators;
let dataDir: string;
const translator = new ApertiumTranslator();
const published: unknown[] = [];
let handler: ReturnType<typeof makeTranslateHandler>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llt-translate-glossary-workflow-'));
  emulators = await startEmulators({ dataDir, region: 'us-east-1', shards: 1 });
  const db = dynamoDocumentClient(emulators.endpoints);
  await db.send(
    new PutCommand({
      TableName: SESSIONS_TABLE.name,
      Item: { ...sessionTableKeys.glossary(SESSION, 7), version: 7, entries: GLOSSARY },
    }),
  );
  await translator.warm(LANGUAGES);
  handler = makeTranslateHandler({
    engine: translator,
    memo: new DynamoTranslationMemo(db, TRANSLATION_MEMO_TABLE.name),
    glossary: new DynamoGlossaryStore(db, SESSIONS_TABLE.name),
    events: { publish: async (def, detail) => void published.push(def.schema.parse(detail)) },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { latency: () => undefined, count: () => undefined },
    clock: { now: () => Date.now() },
  });
}, 60_000);
afterAll(async () => {
  await translator.close();
  await emulators?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test.each(LANGUAGES)('a final naming glossary version 7, into %s', async (language) => {
  const transcript = {
    ...(finalSample as TranscriptFinalizedV1),
    text: 'Nguyen and the New Bridge Fund bought the old house.',
    glossaryVersion: 7,
  };
  const detail = TranslationReadyV1.schema.parse(await handler({ transcript, targetLanguage: language }));
  expect(detail.glossaryVersion).toBe(7);
  expect(detail.text).toContain('Nguyen');
  const fund = GLOSSARY[1]!.targets![language as 'es'] ?? 'New Bridge Fund';
  expect(detail.text).toContain(fund);
  expect(published).toContainEqual(detail);
});
