// Partial captions are superseded within a fraction of a second; with a large audience, fanning out each of
// them would queue every later message (the final caption, translations, audio) behind stale text. Per turn key,
// one partial fan-out runs at a time: the turn is a lease in the store, so it holds however many Lambda
// environments the partials reach. A partial that arrives while the turn is taken is recorded as the key's
// newest and left to the turn's holder, who sends the newest when its fan-out ends (partials arriving meanwhile
// replace each other); a final makes the older partials stale, and a running partial fan-out stops handing out
// its text at the next batch once something newer for the key is recorded.
// Turn keys (`turnKey`): the session's source captions have one (`<sessionId>`), and each language the session is
// translated into has its own (`<sessionId>#<language>`) for provisional translations, so a language's
// provisional text never waits behind the source captions' or another language's fan-out.
import type { CaptionMessage } from '@llt/events';

/** The coalescing key of a session's source captions, or of its provisional translations into `language`. */
export function turnKey(sessionId: string, language?: string): string {
  return language === undefined ? sessionId : `${sessionId}#${language}`;
}

/** The session and language (none for source captions) a turn key stands for. */
export function parseTurnKey(key: string): { sessionId: string; language?: string } {
  const at = key.indexOf('#');
  return at < 0 ? { sessionId: key } : { sessionId: key.slice(0, at), language: key.slice(at + 1) };
}

export interface CaptionRef {
  /** Whose captions these are: `turnKey(sessionId)` for source captions, `turnKey(sessionId, language)` for a language. */
  key: string;
  segmentIndex: number;
  /** Partial revisions count up within an utterance; a final is newer than all of them. */
  revision: number;
  final: boolean;
}

/** A turn key's newest caption, with the message to send when it is a partial. */
export interface NewestCaption {
  ref: CaptionRef;
  message?: CaptionMessage;
}

/** Where the newest caption and the partial fan-out turn of each turn key are kept (DynamoDB on AWS). */
export interface PartialTurns {
  /**
   * Records `ref` as its key's newest caption, with `message` when it is a partial, unless a caption at least as
   * new is recorded; false then (the caption is stale).
   */
  offer(ref: CaptionRef, message?: CaptionMessage): Promise<boolean>;
  newest(key: string): Promise<NewestCaption | undefined>;
  /** Takes (or extends) the key's partial turn for `owner` until `until`, if it is free, expired or owner's. */
  acquire(key: string, owner: string, now: number, until: number): Promise<boolean>;
  /** Gives the turn back if `sent` is still the newest caption; false when something newer waits (the turn stays). */
  release(key: string, owner: string, sent: CaptionRef): Promise<boolean>;
  /** Gives the turn back whatever is newest (the holder stops: a final came, or it failed). */
  abandon(key: string, owner: string): Promise<void>;
}

/** How long a turn is held without being extended: a holder that died frees it after this. */
export const TURN_MS = 15_000;

export function isNewer(a: CaptionRef, b: CaptionRef): boolean {
  if (a.segmentIndex !== b.segmentIndex) return a.segmentIndex > b.segmentIndex;
  if (a.final !== b.final) return a.final;
  return a.revision > b.revision;
}

export type PartialOutcome = 'sent' | 'stale' | 'left-to-turn';

/**
 * Fans a partial caption out in its key's turn: now when the turn is free, else by the turn's holder (who
 * sends the newest one when it is done). `fanOut(message, current)` sends to everyone, asking `current()` between
 * batches; the result of every fan-out this call made is returned with the outcome.
 */
export async function fanOutPartial<D>(
  turns: PartialTurns,
  now: () => number,
  ref: CaptionRef,
  message: CaptionMessage,
  fanOut: (message: CaptionMessage, current: () => Promise<boolean>) => Promise<D>,
): Promise<{ outcome: PartialOutcome; deliveries: D[] }> {
  if (!(await turns.offer(ref, message))) return { outcome: 'stale', deliveries: [] };
  const owner = `${ref.key}:${ref.segmentIndex}:${ref.revision}:${Math.random().toString(36).slice(2, 10)}`;
  if (!(await turns.acquire(ref.key, owner, now(), now() + TURN_MS))) {
    return { outcome: 'left-to-turn', deliveries: [] };
  }
  const deliveries: D[] = [];
  let sending: NewestCaption = { ref, message };
  try {
    for (;;) {
      const sent = sending.ref;
      deliveries.push(
        await fanOut(sending.message!, async () => {
          const newest = await turns.newest(ref.key);
          return !newest || !isNewer(newest.ref, sent);
        }),
      );
      if (await turns.release(ref.key, owner, sent)) return { outcome: 'sent', deliveries };
      // Something newer came while this fan-out ran: send it too, if it is a partial (a final fans out itself).
      const next = await turns.newest(ref.key);
      if (!next?.message || next.ref.final || !isNewer(next.ref, sent)) {
        await turns.abandon(ref.key, owner);
        return { outcome: 'sent', deliveries };
      }
      sending = next;
      await turns.acquire(ref.key, owner, now(), now() + TURN_MS);
    }
  } catch (error) {
    await turns.abandon(ref.key, owner).catch(() => undefined);
    throw error;
  }
}
