// Use cases: tell the speaker what other parts of the system know (their speech is not being transcribed; who
// is listening).
//   input: a session id (and the error to show)
//   output: a message on the speaker's connection, if one is open
//   primary course: find the session's speaker connection and send it the message.
import type { ErrorMessage, LagMessage, ListenersMessage } from '@llt/events';
import type { IngestDeps } from './deps.ts';
import type { SessionRecord } from './ports.ts';

export async function tellSpeaker(
  deps: IngestDeps,
  sessionId: string,
  message: ErrorMessage | ListenersMessage | LagMessage,
): Promise<boolean> {
  const session = await deps.sessions.get(sessionId);
  const connectionId = session?.status === 'live' ? session.speakerConnectionId : undefined;
  if (!connectionId) return false;
  return (await deps.clients.send(connectionId, message)) === 'sent';
}

/** How many listeners each of the session's languages has now (every offered language, zero included). */
export async function listenerCounts(deps: IngestDeps, sessionId: string, offered: readonly string[] = []) {
  const counts: Record<string, number> = Object.fromEntries(offered.map((language) => [language, 0]));
  for (const { language } of await deps.sessions.listListeners(sessionId))
    counts[language] = (counts[language] ?? 0) + 1;
  return counts;
}

/** Sends the session's speaker the current listener counts (after a listener joined or left, or a hello). */
export async function announceListeners(deps: IngestDeps, session: SessionRecord | undefined): Promise<boolean> {
  if (session?.status !== 'live' || !session.speakerConnectionId) return false;
  const { sessionId } = session;
  const counts = await listenerCounts(deps, sessionId, session.targetLanguages);
  return (await deps.clients.send(session.speakerConnectionId, { type: 'listeners', sessionId, counts })) === 'sent';
}
