// The S3 audio store against a mocked S3: the PutObject request, errors, and presigned URLs signed offline.
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { AUDIO_STORE_ERROR, AudioStoreError, S3AudioStore } from '#adapters/s3-audio-store';
import { SynthesisError } from '#errors';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' };
const client = new S3Client({ region: 'eu-west-1', credentials });
const s3 = mockClient(client);
const store = new S3AudioStore(client, 'llt-audio-test');
const KEY = 's_session0001/seg_0007/es.mp3';

beforeEach(() => {
  s3.reset();
});

describe('S3AudioStore', () => {
  test('put() stores the bytes privately with their content type and a short private cache lifetime', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"abc"' });
    const audio = new Uint8Array([0xff, 0xf3, 0x64, 0xc4, 1, 2, 3]);
    await store.put(KEY, audio, 'audio/mpeg');
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Bucket: 'llt-audio-test',
      Key: KEY,
      Body: audio,
      ContentType: 'audio/mpeg',
      CacheControl: 'private, max-age=300',
    });
  });

  test('a failed put() is an AudioStoreError keeping the cause', async () => {
    const cause = new S3ServiceException({
      name: 'NoSuchBucket',
      $fault: 'client',
      message: 'The specified bucket does not exist',
      $metadata: { httpStatusCode: 404 },
    });
    s3.on(PutObjectCommand).rejects(cause);
    const error = await store.put(KEY, new Uint8Array(1), 'audio/mpeg').then(
      () => new Error('put() succeeded'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(AudioStoreError);
    expect(error).toBeInstanceOf(SynthesisError);
    expect(error.name).toBe(AUDIO_STORE_ERROR);
    expect(error.message).toMatch(/s3:\/\/llt-audio-test\/s_session0001\/seg_0007\/es\.mp3 \(NoSuchBucket: /);
    expect(error.cause).toBe(cause);
  });

  test('presign() returns a SigV4 GET URL for the key that expires after the given seconds, without a request', async () => {
    const url = new URL(await store.presign(KEY, 60));
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('llt-audio-test.s3.eu-west-1.amazonaws.com');
    expect(decodeURIComponent(url.pathname)).toBe(`/${KEY}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/,
    );
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(s3.calls()).toHaveLength(0);
  });

  test('presign() signs for the public endpoint when one is given, with the same parameters as the client', async () => {
    // Configured as the platform configures its s3rver client.
    const local = new S3Client({
      region: 'us-east-1',
      credentials,
      endpoint: 'http://127.0.0.1:4568',
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const internal = new URL(await new S3AudioStore(local, 'llt-audio').presign(KEY, 300));
    const url = new URL(await new S3AudioStore(local, 'llt-audio', 'http://localhost:8080/s3').presign(KEY, 300));
    expect(internal.origin).toBe('http://127.0.0.1:4568');
    expect(url.origin).toBe('http://localhost:8080');
    expect(decodeURIComponent(url.pathname)).toBe(`/s3/llt-audio/${KEY}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('X-Amz-Signature')).not.toBe(internal.searchParams.get('X-Amz-Signature'));
    expect([...url.searchParams.keys()]).toEqual([...internal.searchParams.keys()]);
  });

  test.each([0, -5, 1.5, 8 * 24 * 3600])('presign() refuses a lifetime of %s s', async (expiresInS) => {
    await expect(store.presign(KEY, expiresInS)).rejects.toThrow(AudioStoreError);
  });
});
