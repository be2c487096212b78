// What the notify use case needs: who listens in which language, and a channel to their connections.
import type { ClientChannel } from '@llt/platform';

export type { ClientChannel };

export interface ListenerDirectory {
  /** Connection ids of the session's listeners in one language. */
  listeners(sessionId: string, language: string): Promise<string[]>;
  /** Forgets a connection that API Gateway reported gone (410). */
  remove(sessionId: string, language: string, connectionId: string): Promise<void>;
}
