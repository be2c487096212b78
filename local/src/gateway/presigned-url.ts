// Checks an S3 presigned GET URL (SigV4 query signing) as S3 does: signature over the method, the path, the
// query and the Host header, and the URL's lifetime. The S3 emulator checks expiry but not signatures; the
// local system's audio proxy calls this first, so a listener can fetch exactly the objects it was handed URLs
// for, as on AWS — not another session's audio by editing the path.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SigningKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export type PresignCheck = { ok: true } | { ok: false; status: 403; code: string; message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';

/**
 * @param rawPathAndQuery the request target exactly as received (still percent-encoded), e.g. `/s3/bucket/key?X-Amz-…`
 * @param host the request's Host header
 */
export function checkPresignedGet(
  method: string,
  rawPathAndQuery: string,
  host: string,
  key: SigningKey,
  now = Date.now(),
): PresignCheck {
  const refuse = (code: string, message: string): PresignCheck => ({ ok: false, status: 403, code, message });
  const queryAt = rawPathAndQuery.indexOf('?');
  const path = queryAt < 0 ? rawPathAndQuery : rawPathAndQuery.slice(0, queryAt);
  const pairs = parseQuery(queryAt < 0 ? '' : rawPathAndQuery.slice(queryAt + 1));
  if (!pairs) return refuse('AuthorizationQueryParametersError', 'Malformed query string');
  const param = (name: string) => pairs.find(([n]) => n === name)?.[1];

  const algorithm = param('X-Amz-Algorithm');
  const credential = param('X-Amz-Credential');
  const amzDate = param('X-Amz-Date');
  const expires = param('X-Amz-Expires');
  const signedHeaders = param('X-Amz-SignedHeaders');
  const signature = param('X-Amz-Signature');
  if (!algorithm || !credential || !amzDate || !expires || !signedHeaders || !signature) {
    return refuse('AccessDenied', 'Audio is only served through the presigned URLs listeners receive');
  }
  if (algorithm !== ALGORITHM) return refuse('AuthorizationQueryParametersError', `Unsupported algorithm ${algorithm}`);
  const [accessKeyId, date, region, service, terminator, ...rest] = credential.split('/');
  if (!date || !region || service !== 's3' || terminator !== 'aws4_request' || rest.length > 0) {
    return refuse('AuthorizationQueryParametersError', 'Malformed X-Amz-Credential');
  }
  if (accessKeyId !== key.accessKeyId) return refuse('InvalidAccessKeyId', 'Unknown access key');
  const signedAt = parseAmzDate(amzDate);
  const lifetimeS = Number(expires);
  if (signedAt === undefined || !amzDate.startsWith(date) || !Number.isInteger(lifetimeS) || lifetimeS < 1) {
    return refuse('AuthorizationQueryParametersError', 'Malformed X-Amz-Date or X-Amz-Expires');
  }
  if (now > signedAt + lifetimeS * 1000) return refuse('AccessDenied', 'Request has expired');
  if (signedHeaders !== 'host') return refuse('AccessDenied', 'Only the host header may be signed');

  const canonicalQuery = pairs
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [encode(name), encode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalRequest = [method, path, canonicalQuery, `host:${host.trim()}\n`, 'host', 'UNSIGNED-PAYLOAD'].join(
    '\n',
  );
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let signingKey = hmac(`AWS4${key.secretAccessKey}`, date);
  for (const part of [region, 's3', 'aws4_request']) signingKey = hmac(signingKey, part);
  const expected = Buffer.from(hmac(signingKey, stringToSign).toString('hex'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return refuse('SignatureDoesNotMatch', 'The request signature does not match');
  }
  return { ok: true };
}

function parseQuery(query: string): [string, string][] | undefined {
  try {
    return query
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = eq < 0 ? pair : pair.slice(0, eq);
        const value = eq < 0 ? '' : pair.slice(eq + 1);
        return [decodeURIComponent(name.replace(/\+/g, ' ')), decodeURIComponent(value.replace(/\+/g, ' '))];
      });
  } catch {
    return undefined; // a malformed percent-escape
  }
}

/** RFC 3986 encoding, as SigV4 wants it. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `20261122T001500Z` → epoch ms. */
function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}
