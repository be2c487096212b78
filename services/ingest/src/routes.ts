// The WebSocket routes ingest serves and how their $connect authorizer is configured. The CDK app deploys them
// and the local gateway applies them, so both read this one list.
import { CLIENT_ACTIONS } from '@llt/events';

/** Route keys: the three API Gateway ones and one per client action (route selection: `$request.body.action`). */
export const WEBSOCKET_ROUTES = ['$connect', '$disconnect', '$default', ...CLIENT_ACTIONS] as const;

export type WebSocketRouteKey = (typeof WEBSOCKET_ROUTES)[number];

/** The routes a message can select by its `action` (the others are API Gateway's own). */
export const WEBSOCKET_ACTION_ROUTES: readonly string[] = WEBSOCKET_ROUTES.filter((route) => !route.startsWith('$'));

/**
 * Where API Gateway looks before it calls the $connect authorizer: a handshake without a non-empty `role` query
 * parameter is answered 401 without a call. Not the Authorization header (the CDK default): browsers cannot set it
 * on a WebSocket, so every browser handshake would be refused.
 */
export const CONNECT_IDENTITY_SOURCE: readonly string[] = ['route.request.querystring.role'];

/**
 * The HTTP API routes ingest serves (API Gateway route keys: `{name}` is a path parameter). `speaker`: only a
 * session's speaker may call it, so where speakers sign in the HTTP API's JWT authorizer guards it and the
 * handler finds the user in its claims (it checks the session's speaker token in every scheme).
 */
export const INGEST_HTTP_ROUTES = [
  { method: 'POST', path: '/api/sessions', speaker: true },
  { method: 'GET', path: '/api/join/{code}', speaker: false },
  { method: 'GET', path: '/api/languages', speaker: false },
  { method: 'GET', path: '/api/capacity', speaker: false },
  { method: 'GET', path: '/api/sessions/{sessionId}/glossary', speaker: true },
  { method: 'PUT', path: '/api/sessions/{sessionId}/glossary', speaker: true },
] as const;

/** Route keys (`PUT /api/sessions/{sessionId}/glossary`) of the routes behind the speakers' JWT authorizer. */
export const SPEAKER_HTTP_ROUTE_KEYS: readonly string[] = INGEST_HTTP_ROUTES.filter((r) => r.speaker).map(
  (r) => `${r.method} ${r.path}`,
);
