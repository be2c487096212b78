// Use case: another service has something the speaker must know (their speech is not being transcribed).
//   input: a session id and the error to show
//   output: an error message on the speaker's connection, if one is open
//   primary course: find the session's speaker connection and send it the error.
import type { ErrorMessage } from '@llt/events';
import type { IngestDeps } from './deps.ts';

export async function tellSpeaker(deps: IngestDeps, sessionId: string, error: ErrorMessage): Promise<boolean> {
  const session = await deps.sessions.get(sessionId);
  const connectionId = session?.status === 'live' ? session.speakerConnectionId : undefined;
  if (!connectionId) return false;
  return (await deps.clients.send(connectionId, error)) === 'sent';
}
