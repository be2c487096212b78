// Where things are: the listener link to share, and the speaker's WebSocket URL.
import type { CreatedSession } from '@llt/events';

/**
 * The page listeners open: the listener app (`listenerBase`, e.g. `http://192.168.1.20:8080/`; by default the
 * site root) with the code filled in.
 */
export function listenerLink(listenerBase: string, joinCode: string): string {
  const url = new URL(listenerBase);
  url.searchParams.set('code', joinCode);
  return url.toString();
}

/**
 * The speaker's WebSocket URL. `wsBase` (ws(s)://host[/path]) overrides the default, which is `/ws` on the
 * page's own host with the matching scheme.
 */
export function speakerSocketUrl(
  page: { protocol: string; host: string },
  session: Pick<CreatedSession, 'sessionId' | 'speakerToken'>,
  wsBase?: string,
): string {
  const base = wsBase ? wsBase.replace(/\/+$/, '') : `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}/ws`;
  const query = new URLSearchParams({ role: 'speaker', sessionId: session.sessionId, token: session.speakerToken });
  return `${base}?${query}`;
}
