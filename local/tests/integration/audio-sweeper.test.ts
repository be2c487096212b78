// The local stand-in for the audio bucket's lifecycle rule: expired speech is deleted, recent speech and
// everything outside the audio prefix is kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AUDIO_BUCKET_NAME, AUDIO_OBJECTS, s3Client } from '@llt/platform';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Emulators, startEmulators } from '../../src/emulators.ts';
import { sweepAudio } from '../../src/s3/audio-sweeper.ts';

let emulators: Emulators;
let s3: S3Client;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llt-sweeper-'));
  emulators = await startEmulators({ dataDir, region: 'us-east-1', shards: 1 });
  s3 = s3Client(emulators.endpoints);
});
afterAll(async () => {
  s3?.destroy();
  await emulators?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const put = (Key: string) => s3.send(new PutObjectCommand({ Bucket: AUDIO_BUCKET_NAME, Key, Body: 'x' }));
const keys = async () =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: AUDIO_BUCKET_NAME }))).Contents ?? []).map((o) => o.Key).sort();

test('speech past the retention is deleted; objects outside the audio prefix stay', async () => {
  const speech = [0, 1, 2].map((i) => AUDIO_OBJECTS.key('sess-old-1', 'es', `seg-00000${i}`, 'mp3'));
  for (const key of speech) await put(key);
  await put('other/keep.txt');
  const retentionMs = AUDIO_OBJECTS.retentionDays * 86_400_000;

  // Swept as if a minute past the retention had gone by since they were written.
  const deleted = await sweepAudio(s3, { now: () => Date.now() + retentionMs + 60_000, retentionMs });
  expect(deleted).toBe(3);
  expect(await keys()).toEqual(['other/keep.txt']);
  await expect(s3.send(new GetObjectCommand({ Bucket: AUDIO_BUCKET_NAME, Key: speech[0] }))).rejects.toMatchObject({
    name: 'NoSuchKey',
  });
});

test('nothing within the retention is touched', async () => {
  const key = AUDIO_OBJECTS.key('sess-now-1', 'eo', 'seg-000001', 'mp3');
  await put(key);
  expect(await sweepAudio(s3)).toBe(0);
  expect(await keys()).toContain(key);
});
