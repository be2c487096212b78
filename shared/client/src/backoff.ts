// How long to wait between connection attempts: exponential, capped, jittered so a room of clients dropped
// at once (a server restart) does not come back in lockstep.

export interface ReconnectPolicy {
  /** Delay before the first attempt after a drop. */
  initialDelayMs?: number;
  /** Upper bound of the delay between attempts. */
  maxDelayMs?: number;
  /** Growth per failed attempt. */
  factor?: number;
  /** Randomizes each delay by ±this fraction. */
  jitter?: number;
  /** Failed attempts in a row before giving up; Infinity (a person is watching the page) keeps trying. */
  maxAttempts?: number;
}

/** The speaker's audio waits in its buffer while disconnected: come back fast. */
export const SPEAKER_RECONNECT: Required<ReconnectPolicy> = {
  initialDelayMs: 100,
  maxDelayMs: 2000,
  factor: 2,
  jitter: 0.2,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/** A phone changing networks is back within a second; hundreds of them must not hammer a server coming back. */
export const LISTENER_RECONNECT: Required<ReconnectPolicy> = {
  initialDelayMs: 250,
  maxDelayMs: 5000,
  factor: 2,
  jitter: 0.2,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/** Delay before attempt `attempt` (0-based) of a run of failures. */
export function backoffDelay(
  attempt: number,
  policy: Required<ReconnectPolicy>,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
  const jittered = base * (1 + policy.jitter * (2 * random() - 1));
  return Math.round(Math.min(policy.maxDelayMs, Math.max(0, jittered)));
}
