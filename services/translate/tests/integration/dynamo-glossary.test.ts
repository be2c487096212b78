// The glossary store against the local DynamoDB emulator, in the sessions table the local runtime creates: a version
// written in the sessions-table layout is read back by session and version; one not written is undefined.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Emulators, startEmulators } from '@llt/local/emulators';
import { dynamoDocumentClient, SESSIONS_TABLE, sessionTableKeys } from '@llt/platform';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DynamoGlossaryStore } from '#adapters/dynamo-glossary';

let emulators: Emulators;
let dataDir: string;
let db: ReturnType<typeof dynamoDocumentClient>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llt-translate-glossary-'));
  emulators = await startEmulators({ dataDir, region: 'us-east-1', shards: 1 });
  db = dynamoDocumentClient(emulators.endpoints);
});
afterAll(async () => {
  await emulators?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('reads each version of a session as it was written', async () => {
  const v1 = [{ term: 'Nguyen', spoken: 'win' }];
  const v2 = [...v1, { term: 'New Bridge Fund', targets: { es: 'Fondo Puente Nuevo' } }];
  for (const [version, entries] of [
    [1, v1],
    [2, v2],
  ] as const) {
    await db.send(
      new PutCommand({
        TableName: SESSIONS_TABLE.name,
        Item: { ...sessionTableKeys.glossary('s_gloss001', version), version, entries },
      }),
    );
  }
  const store = new DynamoGlossaryStore(db, SESSIONS_TABLE.name);
  await expect(store.get('s_gloss001', 1)).resolves.toEqual(v1);
  await expect(store.get('s_gloss001', 2)).resolves.toEqual(v2);
  await expect(store.get('s_gloss001', 3)).resolves.toBeUndefined();
  await expect(store.get('s_other0001', 1)).resolves.toBeUndefined();
});
