// The S3 audio store against the local s3rver: a stored sentence is fetched back through its presigned URL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
// The emulators exactly as the local system starts them (same worker, same bucket set-up).
import { type Emulators, startEmulators } from '@llt/local/emulators';
import { AUDIO_BUCKET_NAME, s3Client } from '@llt/platform';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeMp3 } from '#adapters/mp3';
import { S3AudioStore } from '#adapters/s3-audio-store';

let emulators: Emulators;
let client: S3Client;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llt-s3-audio-'));
  emulators = await startEmulators({ dataDir, region: 'us-east-1', shards: 1 });
  // The platform factory carries the s3rver settings: its fixed S3RVER keys, path-style, checksums only when required.
  client = s3Client(emulators.endpoints);
});

afterAll(async () => {
  client?.destroy();
  await emulators?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function tone(sampleRate: number, seconds: number): Int16Array {
  const pcm = new Int16Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(7000 * Math.sin((2 * Math.PI * 200 * i) / sampleRate));
  return pcm;
}

describe('S3AudioStore on s3rver', () => {
  test('put, presign for 60 s, and a plain fetch returns the same bytes and content type', async () => {
    const store = new S3AudioStore(client, AUDIO_BUCKET_NAME);
    const audio = await encodeMp3(tone(22_050, 0.8), { sampleRate: 22_050, bitrateKbps: 48 });
    const key = 's_integration01/seg_0001/es.mp3';
    await store.put(key, audio, 'audio/mpeg');

    const url = await store.presign(key, 60);
    expect(url.startsWith(`${emulators.endpoints.s3}/${AUDIO_BUCKET_NAME}/`)).toBe(true);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(audio);
  });

  test('exists: true for a stored key, false for a missing one (404)', async () => {
    const store = new S3AudioStore(client, AUDIO_BUCKET_NAME);
    const key = 's_integration01/seg_0002/es-p0.mp3';
    expect(await store.exists(key)).toBe(false);
    await store.put(key, await encodeMp3(tone(16_000, 0.2), { sampleRate: 16_000, bitrateKbps: 32 }), 'audio/mpeg');
    expect(await store.exists(key)).toBe(true);
  });

  test('a URL signed for a public endpoint (another host name for the same server) works too', async () => {
    const publicEndpoint = emulators.endpoints.s3.replace('127.0.0.1', 'localhost');
    const store = new S3AudioStore(client, AUDIO_BUCKET_NAME, publicEndpoint);
    const key = 's_integration01/seg_0003/ca.mp3';
    const audio = await encodeMp3(tone(16_000, 0.3), { sampleRate: 16_000, bitrateKbps: 32 });
    await store.put(key, audio, 'audio/mpeg');
    const url = await store.presign(key, 60);
    expect(url.startsWith(`${publicEndpoint}/${AUDIO_BUCKET_NAME}/`)).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(audio);
  });

  test('the URL stops working once its lifetime is over', async () => {
    const store = new S3AudioStore(client, AUDIO_BUCKET_NAME);
    const key = 's_integration01/seg_0002/es.mp3';
    await store.put(key, new Uint8Array([0xff, 0xf3, 1, 2]), 'audio/mpeg');
    const url = new URL(await store.presign(key, 60));
    // s3rver checks the lifetime but not SigV4 signatures, so the moved date needs no re-signing to be judged.
    const signedAt = url.searchParams.get('X-Amz-Date')!;
    const iso = signedAt.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
    const earlier = new Date(Date.parse(iso) - 61_000).toISOString().replace(/[-:]|\.\d{3}/g, '');
    url.searchParams.set('X-Amz-Date', earlier);
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Request has expired');
  });
});
