// Builders for the API Gateway events the ingest handlers receive.
import { toBase64 } from '@llt/events';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { WebSocketEvent } from '#handlers/websocket';

let n = 0;

export function wsEvent(
  routeKey: string,
  connectionId: string,
  extra: {
    body?: string;
    isBase64Encoded?: boolean;
    query?: Record<string, string>;
    at?: number;
    sourceIp?: string;
  } = {},
): WebSocketEvent {
  const at = extra.at ?? 1_800_000_000_000;
  return {
    requestContext: {
      routeKey,
      eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      connectionId,
      messageId: `m${n++}`,
      extendedRequestId: 'x',
      requestId: 'r',
      requestTime: new Date(at).toUTCString(),
      requestTimeEpoch: at,
      messageDirection: 'IN',
      stage: 'test',
      domainName: 'localhost',
      apiId: 'test',
      connectedAt: at,
      identity: { sourceIp: extra.sourceIp ?? '198.51.100.7' },
    },
    body: extra.body,
    isBase64Encoded: extra.isBase64Encoded ?? false,
    ...(extra.query ? { queryStringParameters: extra.query } : {}),
  } as unknown as WebSocketEvent;
}

/** An audio frame's bytes as a client sends them: base64 text on $default. */
export function frameEvent(connectionId: string, data: Uint8Array, at?: number): WebSocketEvent {
  return wsEvent('$default', connectionId, { body: toBase64(data), ...(at ? { at } : {}) });
}

export function httpEvent(method: string, path: string, body?: string, sourceIp = '127.0.0.1'): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    requestContext: {
      accountId: '0',
      apiId: 'test',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp, userAgent: 'test' },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    body,
    isBase64Encoded: false,
  };
}

/** `ms` of a 440 Hz tone as s16le PCM. */
export function pcm(ms: number, sampleRate = 16_000): Uint8Array {
  const samples = Math.round((sampleRate * ms) / 1000);
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
  return new Uint8Array(out.buffer);
}
