// HTTP API handler of notify: GET /api/sessions/{sessionId}/captions?lang=…&after=… (caption history).
import { withObservability } from '@llt/platform';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createNotifyDeps } from '#adapters/index';
import { loadConfig } from '#config';
import type { NotifyDeps } from '#core/fanout';
import { captionHistory } from '#core/history';
import { ClientRequestError } from '#errors';
import { observability } from '../observability.ts';

/** The routes this handler serves; the gateway (API Gateway or the local one) sends them here. */
export const CAPTIONS_ROUTE = /^\/api\/sessions\/([^/]+)\/captions$/;

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** A malformed percent-escape (`/api/sessions/%ZZ/…`) is the client's mistake, not a server error. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ClientRequestError('invalid_request', 'The session id in the path is not valid percent-encoding', 400);
  }
}

export function makeHttpHandler(deps: NotifyDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const match = CAPTIONS_ROUTE.exec(event.rawPath);
    try {
      if (event.requestContext.http.method !== 'GET' || !match) {
        throw new ClientRequestError(
          'invalid_request',
          `No route ${event.requestContext.http.method} ${event.rawPath}`,
          404,
        );
      }
      const query = event.queryStringParameters ?? {};
      return json(
        200,
        await captionHistory(deps, {
          sessionId: decodePathSegment(match[1] ?? ''),
          language: query.lang,
          after: query.after,
        }),
      );
    } catch (error) {
      if (error instanceof ClientRequestError) {
        return json(error.status, { type: 'error', code: error.code, message: error.message });
      }
      throw error;
    }
  };
}

/** The deployed handler: dependencies built on the first invocation from `env` (process.env on Lambda). */
export function createHttpHandler(env: NodeJS.ProcessEnv = process.env) {
  let route: ReturnType<typeof makeHttpHandler> | undefined;
  return withObservability(async (event: APIGatewayProxyEventV2, _context: Context) => {
    route ??= makeHttpHandler(createNotifyDeps(loadConfig(env), observability));
    return route(event);
  }, observability);
}

export const handler = createHttpHandler();
