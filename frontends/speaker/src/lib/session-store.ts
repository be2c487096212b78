// Keeps the created session (speaker token included) in sessionStorage, so reloading the page resumes the same
// session while closing the tab forgets the token.
import { CreatedSession } from '@llt/events';

const KEY = 'llt.speaker.session';

/** The stored session, unless there is none, it is unreadable or it has expired. */
export function loadSession(storage: Storage | undefined, now = Date.now()): CreatedSession | undefined {
  const text = safely(() => storage?.getItem(KEY));
  if (!text) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = CreatedSession.safeParse(json);
  if (!parsed.success || parsed.data.expiresAt <= now) {
    forgetSession(storage);
    return undefined;
  }
  return parsed.data;
}

export function saveSession(storage: Storage | undefined, session: CreatedSession): void {
  safely(() => storage?.setItem(KEY, JSON.stringify(session)));
}

export function forgetSession(storage: Storage | undefined): void {
  safely(() => storage?.removeItem(KEY));
}

/** Storage throws when disabled (privacy modes); the page then works without resuming after a reload. */
function safely<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}
