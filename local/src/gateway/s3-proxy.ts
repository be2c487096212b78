// The audio bucket on the public port: listeners' browsers (a phone on the network included) fetch presigned
// audio URLs from `/s3/…` on the system's own origin, forwarded to the S3 emulator on loopback once their
// signature and lifetime check out (the emulator checks only the lifetime). On AWS the URLs point at S3 itself.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { S3RVER_CREDENTIALS } from '@llt/platform';
import { checkPresignedGet } from './presigned-url.ts';

export const S3_PROXY_PREFIX = '/s3/';

export function proxyS3(s3Endpoint: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
    res.writeHead(405, { allow: 'GET, HEAD, OPTIONS' }).end();
    return;
  }
  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, HEAD',
    'access-control-allow-headers': 'range',
    'access-control-expose-headers': 'content-length, content-range, content-type',
  };
  if (req.method === 'OPTIONS') {
    res.writeHead(204, cors).end();
    return;
  }
  const check = checkPresignedGet(req.method ?? 'GET', req.url ?? '/', req.headers.host ?? '', S3RVER_CREDENTIALS);
  if (!check.ok) {
    res.writeHead(check.status, { ...cors, 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${check.code}</Code><Message>${check.message}</Message></Error>`,
    );
    return;
  }
  const target = new URL(s3Endpoint);
  const upstream = request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: (req.url ?? '/').slice(S3_PROXY_PREFIX.length - 1),
      headers: req.headers.range ? { range: req.headers.range } : {},
    },
    (answer) => {
      const headers: Record<string, string | string[]> = { ...cors };
      for (const name of [
        'content-type',
        'content-length',
        'content-range',
        'accept-ranges',
        'etag',
        'last-modified',
      ]) {
        const value = answer.headers[name];
        if (value !== undefined) headers[name] = value;
      }
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, cors);
    res.end();
  });
  upstream.end();
}
