// HTTP API handler: create a session, resolve a join code, list languages, read and replace a session's glossary,
// say whether a new session would be admitted now.

import { MAX_GLOSSARY_BODY_BYTES, SPEAKER_TOKEN_HEADER } from '@llt/events';
import { withObservability } from '@llt/platform';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createIngestDeps } from '#adapters/index';
import { loadConfig } from '#config';
import { capacityStatus } from '#core/admission';
import type { IngestDeps } from '#core/deps';
import { type GlossaryBody, readGlossary, replaceGlossary, type SpeakerCredentials } from '#core/glossary';
import { createSession, describeSession, listLanguages } from '#core/sessions';
import { ClientError } from '#errors';
import { observability } from '../observability.ts';

/** Bodies carry a glossary at most (a session request may), so the glossary's bound is every body's. */
const MAX_BODY_BYTES = MAX_GLOSSARY_BODY_BYTES;
const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: HEADERS, body: JSON.stringify(body) };
}

export function makeHttpHandler(deps: IngestDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext.http.method;
    const path = event.rawPath;
    try {
      if (method === 'POST' && path === '/api/sessions') {
        return json(201, await createSession(deps, parseBody(event), signedInUser(event)));
      }
      const join = /^\/api\/join\/([^/]{1,32})$/.exec(path);
      if (method === 'GET' && join) {
        const code = decodePathSegment(join[1] ?? '');
        return json(200, await describeSession(deps, code, event.requestContext.http.sourceIp));
      }
      if (method === 'GET' && path === '/api/languages') return json(200, listLanguages(deps));
      if (method === 'GET' && path === '/api/capacity') {
        const sessionId = event.queryStringParameters?.sessionId?.slice(0, 64) || undefined;
        return json(200, await capacityStatus(deps, sessionId));
      }
      const glossary = /^\/api\/sessions\/([^/]{1,64})\/glossary$/.exec(path);
      if (glossary && (method === 'GET' || method === 'PUT')) {
        const sessionId = decodePathSegment(glossary[1] ?? '');
        const credentials = speakerCredentials(event);
        if (method === 'GET') return json(200, await readGlossary(deps, sessionId, credentials));
        return json(200, await replaceGlossary(deps, sessionId, credentials, glossaryBody(event), ifMatch(event)));
      }
      throw new ClientError('invalid_request', `No route ${method} ${path}`, 404);
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      deps.metrics.count('RejectedRequests', 1, { name: 'code', value: error.code });
      const refused = json(error.status, error.toMessage());
      // RFC 9110's Retry-After (seconds) beside the body's retryAfterMs, for clients that read only headers.
      const retryAfterMs = error.extra.retryAfterMs;
      if (retryAfterMs !== undefined)
        refused.headers = { ...HEADERS, 'retry-after': String(Math.ceil(retryAfterMs / 1000)) };
      return refused;
    }
  };
}

/**
 * The user the HTTP API's JWT authorizer let through (the CDK app puts it on `POST /api/sessions`): its claims
 * arrive in `requestContext.authorizer.jwt.claims`.
 */
function signedInUser(event: APIGatewayProxyEventV2): { sub: string } | undefined {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
  const sub = context.authorizer?.jwt?.claims?.sub;
  return typeof sub === 'string' && sub ? { sub } : undefined;
}

/**
 * The path arrives as sent, still percent-encoded: a malformed escape (`/api/join/%ZZ`) made decodeURIComponent
 * throw a URIError, which escaped as a 500. It is the client's mistake, so it is a 400 like any bad input.
 */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ClientError('invalid_request', 'The path is not valid percent-encoded UTF-8', 400);
  }
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** The speaker token (its own header) and, where speakers sign in, the user the JWT authorizer let through. */
function speakerCredentials(event: APIGatewayProxyEventV2): SpeakerCredentials {
  return { token: header(event, SPEAKER_TOKEN_HEADER)?.trim() || undefined, sub: signedInUser(event)?.sub };
}

/** A glossary edit: a CSV file (`text/csv`) or JSON. */
function glossaryBody(event: APIGatewayProxyEventV2): GlossaryBody {
  const type = header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type === 'text/csv') return { kind: 'csv', text: rawBody(event) };
  return { kind: 'json', body: parseBody(event) };
}

/** `If-Match: "3"` (or 3): the glossary version the edit was made from. */
function ifMatch(event: APIGatewayProxyEventV2): number | undefined {
  const value = header(event, 'if-match')?.trim();
  if (!value) return undefined;
  const version = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value)?.[1];
  if (version === undefined) {
    throw new ClientError('invalid_request', `If-Match must name a glossary version ("3"), got ${value}`, 400);
  }
  return Number(version);
}

function rawBody(event: APIGatewayProxyEventV2): string {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) {
    throw new ClientError('message_too_large', `Request body exceeds ${MAX_BODY_BYTES} bytes`, 413);
  }
  return raw;
}

function parseBody(event: APIGatewayProxyEventV2): unknown {
  const raw = rawBody(event);
  try {
    return JSON.parse(raw);
  } catch {
    throw new ClientError('invalid_request', 'Request body is not valid JSON', 400);
  }
}

/** The deployed handler: dependencies built on the first invocation from `env` (process.env on Lambda). */
export function createHttpHandler(env: NodeJS.ProcessEnv = process.env) {
  let route: ReturnType<typeof makeHttpHandler> | undefined;
  return withObservability(async (event: APIGatewayProxyEventV2, _context: Context) => {
    route ??= makeHttpHandler(createIngestDeps(loadConfig(env), observability));
    return route(event);
  }, observability);
}

export const handler = createHttpHandler();
