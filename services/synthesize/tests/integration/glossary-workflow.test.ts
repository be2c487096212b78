// The Synthesize task with a session glossary, end to end inside the service: the real handler and use case, the
// glossary version read from the sessions table in the local DynamoDB emulator, real espeak-ng. A translation naming
// the version says the term as its spoken form: longer here, where the spoken form is longer than the name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type SpeechSynthesizedV1, TranslationReadyV1 } from '@llt/events';
import { type Emulators, startEmulators } from '@llt/local/emulators';
import { dynamoDocumentClient, SESSIONS_TABLE, sessionTableKeys } from '@llt/platform';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DynamoGlossaryStore } from '#adapters/dynamo-glossary';
import { EspeakSpeechEngine } from '#adapters/espeak';
import { makeSynthesizeHandler } from '#handlers/workflow';
import readySample from '../../../../shared/events/samples/llt.translate@TranslationReady.v1.json';

const SESSION = readySample.sessionId;
let emulators: Emulators;
let dataDir: string;
let handler: ReturnType<typeof makeSynthesizeHandler>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llt-synthesize-glossary-'));
  emulators = await startEmulators({ dataDir, region: 'us-east-1', shards: 1 });
  const db = dynamoDocumentClient(emulators.endpoints);
  await db.send(
    new PutCommand({
      TableName: SESSIONS_TABLE.name,
      Item: {
        ...sessionTableKeys.glossary(SESSION, 2),
        version: 2,
        entries: [{ term: 'Nguyen', spoken: 'koo ber net eez win' }],
      },
    }),
  );
  const engine = new EspeakSpeechEngine({ backend: 'wasm' });
  await engine.warm();
  handler = makeSynthesizeHandler({
    engine,
    glossary: new DynamoGlossaryStore(db, SESSIONS_TABLE.name),
    store: { put: async () => undefined, exists: async () => false, presign: async (key) => `https://a/${key}` },
    events: { publish: async () => undefined },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { latency: () => undefined, count: () => undefined },
    clock: { now: () => Date.now() },
    settings: { bucket: 'llt-audio', urlTtlSeconds: 300 },
  });
}, 60_000);
afterAll(async () => {
  await emulators?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const duration = async (glossaryVersion?: number) => {
  const translation = TranslationReadyV1.schema.parse({
    ...readySample,
    text: 'El informe de Nguyen es muy bueno.',
    ...(glossaryVersion ? { glossaryVersion } : {}),
  });
  const [made] = (await handler(translation)) as SpeechSynthesizedV1[];
  return made!.audio.durationMs;
};

test('a translation naming the glossary version says the term as its spoken form', async () => {
  const plain = await duration();
  const withGlossary = await duration(2);
  expect(withGlossary - plain).toBeGreaterThan(500);
  // A version the session does not have: spoken as written.
  expect(Math.abs((await duration(3)) - plain)).toBeLessThan(150);
});
