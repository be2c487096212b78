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
