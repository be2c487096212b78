// Reading a WebSocket handshake: its subprotocols and the speaker's JWT. Browsers cannot set Authorization on a
// WebSocket, so the speaker offers `Sec-WebSocket-Protocol: llt, <jwt>`; `?auth=<jwt>` is the fallback.

/** The subprotocol the speaker and listener apps offer first; the server selects it on $connect. */
export const SUBPROTOCOL = 'llt';

export type HandshakeHeaders = Record<string, string | undefined> | null | undefined;
export type MultiValueHeaders = Record<string, string[] | undefined> | null | undefined;

/** A header's value, whatever its case (API Gateway keeps the client's case, the local gateway lowercases). */
export function headerValue(
  name: string,
  headers: HandshakeHeaders,
  multiValueHeaders?: MultiValueHeaders,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && values?.length) return values.join(',');
  }
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** The subprotocols the client offered, in its order. */
export function offeredSubprotocols(headers: HandshakeHeaders, multiValueHeaders?: MultiValueHeaders): string[] {
  return (headerValue('sec-websocket-protocol', headers, multiValueHeaders) ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The JWT a speaker presents: the second offered subprotocol, else the `auth` query parameter. */
export function presentedSpeakerJwt(
  query: Record<string, string | undefined> | null | undefined,
  headers: HandshakeHeaders,
  multiValueHeaders?: MultiValueHeaders,
): string | undefined {
  return offeredSubprotocols(headers, multiValueHeaders)[1] ?? (query?.auth || undefined);
}
