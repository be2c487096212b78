// WebSocket API handler for every route ($connect, $disconnect, $default, hello, pause, resume, end).
// Audio frames arrive on $default as base64 text (API Gateway refuses binary frames; the integration passes the
// text through unchanged and the handler decodes it).

import { withObservability } from '@llt/platform';
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { createIngestDeps } from '#adapters/index';
import { loadConfig } from '#config';
import { ConnectionCache } from '#core/connection-cache';
import { connect, disconnect } from '#core/connections';
import type { IngestDeps } from '#core/deps';
import { offeredSubprotocols, SUBPROTOCOL } from '#core/handshake';
import { handleMessage } from '#core/messages';
import { MessageRateLimits } from '#core/rate-limits';
import { ClientError } from '#errors';
import { observability } from '../observability.ts';

/**
 * $connect events also carry the handshake's query string and headers, and every event the client's address in
 * `requestContext.identity` (absent from the aws-lambda types).
 */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: { identity?: { sourceIp?: string } };
  queryStringParameters?: Record<string, string | undefined>;
  headers?: Record<string, string | undefined>;
};

export function makeWebSocketHandler(deps: IngestDeps) {
  const cache = new ConnectionCache(deps.connections);
  const limits = new MessageRateLimits(deps.settings.messagesPerSecond);
  return async (event: WebSocketEvent): Promise<APIGatewayProxyResultV2> => {
    const { routeKey, connectionId, requestTimeEpoch } = event.requestContext;
    switch (routeKey) {
      case '$connect':
        try {
          await connect(
            deps,
            connectionId,
            event.queryStringParameters ?? {},
            event.requestContext.identity?.sourceIp,
            authorizedSub(event),
          );
          return accepted(event);
        } catch (error) {
          if (!(error instanceof ClientError)) throw error;
          deps.metrics.count('RejectedConnections', 1, { name: 'code', value: error.code });
          return { statusCode: error.status, body: JSON.stringify(error.toMessage()) };
        }
      case '$disconnect':
        cache.forget(connectionId);
        limits.forget(connectionId);
        await disconnect(deps, connectionId);
        return { statusCode: 200 };
      default: {
        await handleMessage(deps, cache, limits, connectionId, event.body ?? '', requestTimeEpoch);
        return { statusCode: 200 };
      }
    }
  };
}

/** The signed-in speaker the $connect authorizer verified (its context reaches $connect as `authorizer.sub`). */
function authorizedSub(event: WebSocketEvent): string | undefined {
  const context = event.requestContext as { authorizer?: Record<string, unknown> | null };
  const sub = context.authorizer?.sub;
  return typeof sub === 'string' && sub ? sub : undefined;
}

/**
 * A browser that offered subprotocols (the speaker's JWT travels as the second one) fails the handshake unless
 * the server selects one; API Gateway relays this header (the local gateway's ws server selects the first itself).
 */
function accepted(event: WebSocketEvent): APIGatewayProxyResultV2 {
  if (!offeredSubprotocols(event.headers).includes(SUBPROTOCOL)) return { statusCode: 200 };
  return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': SUBPROTOCOL } };
}

/** The deployed handler: dependencies built on the first invocation from `env` (process.env on Lambda). */
export function createWebSocketHandler(env: NodeJS.ProcessEnv = process.env) {
  let route: ReturnType<typeof makeWebSocketHandler> | undefined;
  return withObservability(async (event: WebSocketEvent, _context: Context) => {
    route ??= makeWebSocketHandler(createIngestDeps(loadConfig(env), observability));
    return route(event);
  }, observability);
}

export const handler = createWebSocketHandler();
