// Partial captions are superseded within a fraction of a second; with a large audience, fanning out each of
// them would queue every later message (the final caption, translations, audio) behind stale text. Per session,
// one partial fan-out runs at a time: the turn is a lease in the store, so it holds however many Lambda
// environments the partials reach. A partial that arrives while the turn is taken is recorded as the session's
// newest and left to the turn's holder, who sends the newest when its fan-out ends (partials arriving meanwhile
// replace each other); a final makes the older partials stale, and a running partial fan-out stops handing out
// its text at the next batch once something newer for the session is recorded.
import type { CaptionMessage } from '@llt/events';

export interface SourceCaptionRef {
  sessionId: string;
  segmentIndex: number;
  /** Partial revisions count up within an utterance; a final is newer than all of them. */
  revision: number;
  final: boolean;
}

/** The session's newest source caption, with the message to send when it is a partial. */
export interface NewestCaption {
  ref: SourceCaptionRef;
  message?: CaptionMessage;
}

/** Where the newest source caption and the partial fan-out turn of each session are kept (DynamoDB on AWS). */
export interface PartialTurns {
  /**
   * Records `ref` as the session's newest source caption, with `message` when it is a partial, unless a caption
   * at least as new is recorded; false then (the caption is stale).
   */
  offer(ref: SourceCaptionRef, message?: CaptionMessage): Promise<boolean>;
  newest(sessionId: string): Promise<NewestCaption | undefined>;
  /** Takes (or extends) the session's partial turn for `owner` until `until`, if it is free, expired or owner's. */
  acquire(sessionId: string, owner: string, now: number, until: number): Promise<boolean>;
  /** Gives the turn back if `sent` is still the newest caption; false when something newer waits (the turn stays). */
  release(sessionId: string, owner: string, sent: SourceCaptionRef): Promise<boolean>;
  /** Gives the turn back whatever is newest (the holder stops: a final came, or it failed). */
  abandon(sessionId: string, owner: string): Promise<void>;
}

/** How long a turn is held without being extended: a holder that died frees it after this. */
export const TURN_MS = 15_000;

export function isNewer(a: SourceCaptionRef, b: SourceCaptionRef): boolean {
  if (a.segmentIndex !== b.segmentIndex) return a.segmentIndex > b.segmentIndex;
  if (a.final !== b.final) return a.final;
  return a.revision > b.revision;
}

export type PartialOutcome = 'sent' | 'stale' | 'left-to-turn';

/**
 * Fans a partial caption out in the session's turn: now when the turn is free, else by the turn's holder (who
 * sends the newest one when it is done). `fanOut(message, current)` sends to everyone, asking `current()` between
 * batches; the result of every fan-out this call made is returned with the outcome.
 */
export async function fanOutPartial<D>(
  turns: PartialTurns,
  now: () => number,
  ref: SourceCaptionRef,
  message: CaptionMessage,
  fanOut: (message: CaptionMessage, current: () => Promise<boolean>) => Promise<D>,
): Promise<{ outcome: PartialOutcome; deliveries: D[] }> {
  if (!(await turns.offer(ref, message))) return { outcome: 'stale', deliveries: [] };
  const owner = `${ref.sessionId}:${ref.segmentIndex}:${ref.revision}:${Math.random().toString(36).slice(2, 10)}`;
  if (!(await turns.acquire(ref.sessionId, owner, now(), now() + TURN_MS))) {
    return { outcome: 'left-to-turn', deliveries: [] };
  }
  const deliveries: D[] = [];
  let sending: NewestCaption = { ref, message };
  try {
    for (;;) {
      const sent = sending.ref;
      deliveries.push(
        await fanOut(sending.message!, async () => {
          const newest = await turns.newest(ref.sessionId);
          return !newest || !isNewer(newest.ref, sent);
        }),
      );
      if (await turns.release(ref.sessionId, owner, sent)) return { outcome: 'sent', deliveries };
      // Something newer came while this fan-out ran: send it too, if it is a partial (a final fans out itself).
      const next = await turns.newest(ref.sessionId);
      if (!next?.message || next.ref.final || !isNewer(next.ref, sent)) {
        await turns.abandon(ref.sessionId, owner);
        return { outcome: 'sent', deliveries };
      }
      sending = next;
      await turns.acquire(ref.sessionId, owner, now(), now() + TURN_MS);
    }
  } catch (error) {
    await turns.abandon(ref.sessionId, owner).catch(() => undefined);
    throw error;
  }
}
