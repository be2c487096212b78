// Use case: the captions a listener missed, or a whole transcript.
//   input: a session id, a language (the source language or a target), the last segment index already seen
//   output: the language's final captions after it, oldest first
//   primary course: check the session exists, read the caption log.
import { type CaptionHistory, LanguageCode, SessionId } from '@llt/events';
import { ClientRequestError } from '#errors';
import type { NotifyDeps } from './fanout.ts';

export async function captionHistory(
  deps: NotifyDeps,
  request: { sessionId: string; language: string | undefined; after: string | undefined },
): Promise<CaptionHistory> {
  const sessionId = SessionId.safeParse(request.sessionId);
  if (!sessionId.success) throw new ClientRequestError('invalid_request', 'Not a session id', 400);
  const language = LanguageCode.safeParse(request.language);
  if (!language.success) {
    throw new ClientRequestError('invalid_request', 'Say which language: ?lang=es (a code from /api/languages)', 400);
  }
  const { sources, targets } = deps.languages;
  if (!sources.includes(language.data) && !targets.includes(language.data)) {
    throw new ClientRequestError('unsupported_language', `Unknown language "${language.data}"`, 400);
  }
  const after = request.after === undefined ? -1 : Number(request.after);
  if (!Number.isInteger(after) || after < -1) {
    throw new ClientRequestError('invalid_request', '?after= must be a segment index (an integer ≥ -1)', 400);
  }
  if (!(await deps.captions.sessionExists(sessionId.data))) {
    throw new ClientRequestError('unknown_session', `No session ${sessionId.data}`, 404);
  }
  const captions = await deps.captions.since(sessionId.data, language.data, after);
  return { sessionId: sessionId.data, language: language.data, captions };
}
