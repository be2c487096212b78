// The correlation keys of an invocation, found in its event whatever triggered it, so every function's X-Ray trace
// carries the session (and segment) it worked for and one sentence can be followed across functions.

/** The keys X-Ray annotations are indexed by (searchable: `annotation.sessionId = "…"`). */
export interface TraceKeys {
  sessionId?: string;
  segmentId?: string;
}

const KEYS = ['sessionId', 'segmentId'] as const;
/** Bodies larger than this are not searched (audio frames are a few kilobytes). */
const MAX_BODY_SEARCHED = 64 * 1024;

function pick(from: unknown, into: TraceKeys): void {
  if (!from || typeof from !== 'object') return;
  const record = from as Record<string, unknown>;
  for (const key of KEYS) {
    const value = record[key];
    if (into[key] === undefined && typeof value === 'string' && value.length > 0) into[key] = value;
  }
}

/**
 * The session and segment ids an event carries: on itself (workflow tasks), in an EventBridge event's `detail`, in a
 * workflow task's input objects (`{ transcript: {…} }`, `{ translation: {…} }`), in an HTTP path or a WebSocket
 * handshake's query, or in a WebSocket message's JSON body (found without parsing it). Empty when it carries none
 * (a WebSocket message that names no session, a join by code).
 */
export function traceKeysOf(event: unknown): TraceKeys {
  const keys: TraceKeys = {};
  if (!event || typeof event !== 'object') return keys;
  const record = event as Record<string, unknown>;
  pick(record, keys);
  pick(record.detail, keys);
  pick(record.pathParameters, keys);
  pick(record.queryStringParameters, keys);
  for (const value of Object.values(record)) pick(value, keys);
  const body = record.body;
  if (typeof body === 'string' && body.length <= MAX_BODY_SEARCHED) {
    for (const key of KEYS) {
      if (keys[key] !== undefined || !body.includes(`"${key}"`)) continue;
      const match = new RegExp(`"${key}"\\s*:\\s*"([^"\\\\]{1,200})"`).exec(body);
      if (match?.[1]) keys[key] = match[1];
    }
  }
  return keys;
}
