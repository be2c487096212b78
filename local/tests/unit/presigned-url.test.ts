// The audio proxy's presigned-URL check against URLs made by the AWS SDK's own presigner.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { S3RVER_CREDENTIALS } from '@llt/platform';
import { expect, test } from 'vitest';
import { checkPresignedGet } from '../../src/gateway/presigned-url.ts';

const presigner = new S3Client({
  endpoint: 'http://192.168.1.20:8080/s3',
  region: 'us-east-1',
  credentials: S3RVER_CREDENTIALS,
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const KEY = 'sessions/s_AbC-d_123456789012/es/seg-000042.mp3';

async function presign(key = KEY, expiresIn = 300) {
  const url = new URL(
    await getSignedUrl(presigner, new GetObjectCommand({ Bucket: 'llt-audio', Key: key }), { expiresIn }),
  );
  return { target: `${url.pathname}${url.search}`, host: url.host, signedAt: Date.now() };
}

test('a URL the SDK presigned passes, on the host it was signed for, until it expires', async () => {
  const { target, host, signedAt } = await presign();
  expect(checkPresignedGet('GET', target, host, S3RVER_CREDENTIALS, signedAt)).toEqual({ ok: true });
  expect(checkPresignedGet('GET', target, host, S3RVER_CREDENTIALS, signedAt + 299_000)).toEqual({ ok: true });
  expect(checkPresignedGet('GET', target, host, S3RVER_CREDENTIALS, signedAt + 301_000)).toMatchObject({
    ok: false,
    status: 403,
    message: 'Request has expired',
  });
});

test("another object's path, another host, another method, a forged signature or none: refused", async () => {
  const { target, host } = await presign();
  const other = target.replace('s_AbC-d_123456789012', 's_OtherSession0000');
  expect(checkPresignedGet('GET', other, host, S3RVER_CREDENTIALS)).toMatchObject({ code: 'SignatureDoesNotMatch' });
  expect(checkPresignedGet('GET', target, 'evil.example:8080', S3RVER_CREDENTIALS)).toMatchObject({
    code: 'SignatureDoesNotMatch',
  });
  expect(checkPresignedGet('PUT', target, host, S3RVER_CREDENTIALS)).toMatchObject({ code: 'SignatureDoesNotMatch' });
  const forged = target.replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${'0'.repeat(64)}`);
  expect(checkPresignedGet('GET', forged, host, S3RVER_CREDENTIALS)).toMatchObject({ code: 'SignatureDoesNotMatch' });
  const longer = target.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=604800');
  expect(checkPresignedGet('GET', longer, host, S3RVER_CREDENTIALS)).toMatchObject({ code: 'SignatureDoesNotMatch' });
  expect(checkPresignedGet('GET', target.split('?')[0]!, host, S3RVER_CREDENTIALS)).toMatchObject({
    status: 403,
    code: 'AccessDenied',
  });
  expect(
    checkPresignedGet('GET', target, host, { accessKeyId: 'S3RVER', secretAccessKey: 'another secret' }),
  ).toMatchObject({ code: 'SignatureDoesNotMatch' });
  expect(checkPresignedGet('GET', `${target}&bad=%E0%A4%A`, host, S3RVER_CREDENTIALS)).toMatchObject({
    code: 'AuthorizationQueryParametersError',
  });
});
