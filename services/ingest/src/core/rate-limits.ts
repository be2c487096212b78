// Rate limits: failed join attempts per client IP (shared state, via the RateLimiter port) and messages per
// connection (a token bucket in this handler instance's memory).
import { ClientError } from '../errors.ts';
import type { IngestDeps } from './deps.ts';

const JOIN = 'join';
const WINDOW_MS = 60_000;

const windowOf = (now: number) => {
  const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  return { start, end: start + WINDOW_MS };
};

/**
 * Runs a join-code lookup for a client, refusing it without a lookup while the client has used up its failed
 * attempts in the current one-minute window (fixed window: the count starts again at the next minute), and
 * counting the attempt when the code is unknown. A client without a source IP is not limited (API Gateway
 * always sets one). Concurrent attempts may each pass the check before their failures are counted, so a burst
 * can overshoot by the requests in flight; the limit is against guessing codes, not an exact quota.
 */
export async function limitJoinAttempts<T>(
  deps: IngestDeps,
  clientIp: string | undefined,
  lookup: () => Promise<T>,
): Promise<T> {
  if (!clientIp) return lookup();
  const limit = deps.settings.joinAttemptsPerMinute;
  const window = windowOf(deps.clock.now());
  if ((await deps.rateLimits.attempts(JOIN, clientIp, window.start)) >= limit) {
    const seconds = Math.ceil((window.end - deps.clock.now()) / 1000);
    deps.metrics.count('RateLimited', 1, { name: 'limit', value: JOIN });
    throw new ClientError(
      'rate_limited',
      `Too many failed join attempts from your address (${limit} a minute); try again in ${seconds} s, after ` +
        new Date(window.end).toISOString(),
      429,
      { retryable: true },
    );
  }
  try {
    return await lookup();
  } catch (error) {
    if (error instanceof ClientError && error.code === 'unknown_join_code') {
      const attempts = await deps.rateLimits.record(JOIN, clientIp, window.start, window.end);
      if (attempts === limit) deps.log.warn('join attempts limit reached', { clientIp, attempts });
    }
    throw error;
  }
}

interface Bucket {
  tokens: number;
  at: number;
  notifiedAt: number;
}

export type Admission = 'admit' | 'drop-and-tell' | 'drop';

/**
 * Messages per connection: a token bucket refilled at `perSecond` tokens a second holding at most `burst`.
 *
 * Kept in this handler instance's memory, not in a table: API Gateway sends one connection's messages to one
 * instance at a time and spreads them over several only when they arrive concurrently, so each instance sees
 * most of a flood and the limit holds per instance. That makes it a backstop against a runaway or hostile
 * client, not an exact quota; counting every frame in DynamoDB would cost a write per frame for that exactness.
 * A bucket idle long enough to be full again is the same as a new one, so such buckets are dropped when the
 * map grows (instances never see $disconnect of connections they did not serve).
 */
export class MessageRateLimits {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillMs: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst = perSecond * 2,
    private readonly capacity = 10_000,
  ) {
    this.refillMs = (burst / perSecond) * 1000;
  }

  /** Takes a token for one message received at `at`; a refused message is told at most once a second. */
  admit(connectionId: string, at: number): Admission {
    let bucket = this.buckets.get(connectionId);
    if (!bucket) {
      if (this.buckets.size >= this.capacity) this.sweep(at);
      bucket = { tokens: this.burst, at, notifiedAt: Number.NEGATIVE_INFINITY };
      this.buckets.set(connectionId, bucket);
    }
    // Concurrent invocations can carry receive times slightly out of order: time never runs backwards here.
    const elapsed = Math.max(0, at - bucket.at);
    bucket.tokens = Math.min(this.burst, bucket.tokens + (elapsed * this.perSecond) / 1000);
    bucket.at = Math.max(bucket.at, at);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 'admit';
    }
    if (at - bucket.notifiedAt < 1000) return 'drop';
    bucket.notifiedAt = at;
    return 'drop-and-tell';
  }

  forget(connectionId: string): void {
    this.buckets.delete(connectionId);
  }

  private sweep(now: number): void {
    for (const [id, bucket] of this.buckets) if (now - bucket.at >= this.refillMs) this.buckets.delete(id);
    // Still full of active connections: forget the oldest (insertion order); at worst one gets a fresh burst.
    for (const id of this.buckets.keys()) {
      if (this.buckets.size < this.capacity) break;
      this.buckets.delete(id);
    }
  }
}
