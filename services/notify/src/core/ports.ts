// What the notify use cases need: who listens to a session in which language, a channel to their
// connections, and somewhere to log and count.
import type { ClientChannel, ServiceLog, ServiceMetrics } from '@llt/platform';

export type { ClientChannel, ServiceLog, ServiceMetrics };

export interface Listener {
  connectionId: string;
  language: string;
}

export interface ListenerDirectory {
  /** The session's listeners, of one language when given. */
  listeners(sessionId: string, language?: string): Promise<Listener[]>;
  /** Forgets a connection that API Gateway reported gone (410). */
  remove(sessionId: string, listener: Listener): Promise<void>;
}

export interface FanoutLedger {
  /**
   * Records that this execution fans the segment out. False when another execution already did: the same
   * execution claiming again (a retried task) is true.
   */
  claim(sessionId: string, segmentId: string, executionId: string): Promise<boolean>;
}
