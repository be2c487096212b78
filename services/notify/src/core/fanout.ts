// Use cases: push a caption or an audio clip to every listener it is for.
//   input: a transcript event (source captions go to every listener) or a translation, final or provisional, or a
//   synthesized clip (to the listeners of that language)
//   output: one WebSocket message per listener; gone connections forgotten
//   primary course: look up the listeners, send with bounded concurrency, count what was delivered.
import {
  type AudioMessage,
  type CaptionMessage,
  type DeploymentLanguages,
  joinTranslatedPieces,
  type SpeechSynthesizedV1,
  type TranscriptFinalizedV1,
  type TranscriptPartialV1,
  type TranslationPartialV1,
  type TranslationReadyV1,
} from '@llt/events';
import { forEachLimited } from '@llt/platform';
import { type AudienceCache, PARTIAL_REFRESH_MS } from './audience.ts';
import { fanOutPartial, type PartialTurns, turnKey } from './partials.ts';
import type {
  CaptionLog,
  ClientChannel,
  FanoutLedger,
  Listener,
  ListenerDirectory,
  PartialTranslations,
  ServiceLog,
  ServiceMetrics,
  TranslatedIncrement,
} from './ports.ts';

export interface NotifyDeps {
  listeners: ListenerDirectory;
  /** The listeners (and speaker) this environment read last, per session and language: see audience.ts. */
  audience: AudienceCache;
  ledger: FanoutLedger;
  captions: CaptionLog;
  clients: ClientChannel;
  log: ServiceLog;
  metrics: ServiceMetrics;
  clock: { now(): number };
  /** Messages in flight at once during one fan-out. */
  concurrency: number;
  /** One partial caption fan-out per session (and per language for translations) at a time, newest first. */
  turns: PartialTurns;
  /** The translated increments of utterances in progress, from which provisional translations are composed. */
  partialTranslations: PartialTranslations;
  /** What the deployment's engines offer: the codes a history request may name, the targets that are spoken. */
  languages: DeploymentLanguages;
}

export interface Delivery {
  sent: number;
  gone: number;
  /**
   * Listeners answered 410 while their $connect may still be running: kept in the directory. Each counts once
   * however many of the message's sends (a final's retries) it refused; one reached by a retry is in `sent` too.
   */
  connecting: number;
  failed: number;
}

/**
 * API Gateway opens a connection only once its $connect integration returns, and answers a post to it 410 until then,
 * as to a closed one; ingest records the listener during $connect. An integration runs at most 29 s (API Gateway's
 * WebSocket quotas), so a 410 for a listener recorded less than this long ago may be a connection still opening.
 */
export const CONNECTING_MS = 30_000;

function stillConnecting(listener: Listener, now: number): boolean {
  return listener.joinedAt !== undefined && now - listener.joinedAt < CONNECTING_MS;
}

/** Listeners sent to between two checks whether a partial caption is still the newest. */
const BATCH = 200;
/**
 * A final caption or a clip is sent again to the listeners whose send failed (not those gone), after each of these
 * waits: a transient failure (a connection reset, throttling the SDK's own retries did not outlast) must not cost a
 * listener a sentence. Partial captions are not: a newer one follows.
 */
const RESEND_AFTER_MS = [100, 400];

/** A fresh tally with nothing counted yet (fan-outs add to theirs as sends answer). */
const nothingDelivered = (): Delivery => ({ sent: 0, gone: 0, connecting: 0, failed: 0 });

const add = (a: Delivery, b: Delivery): Delivery => ({
  sent: a.sent + b.sent,
  gone: a.gone + b.gone,
  connecting: a.connecting + b.connecting,
  failed: a.failed + b.failed,
});

/** The recognised speech, partial or final, to every listener of the session. */
export async function deliverSourceCaption(
  deps: NotifyDeps,
  event: TranscriptPartialV1 | TranscriptFinalizedV1,
  final: boolean,
): Promise<Delivery> {
  const message: CaptionMessage = {
    type: 'caption',
    sessionId: event.sessionId,
    segmentId: event.segmentId,
    segmentIndex: event.segmentIndex,
    language: event.language,
    kind: 'source',
    final,
    text: event.text,
    captureStart: event.capture.start,
    captureEnd: event.capture.end,
  };
  const ref = {
    key: turnKey(event.sessionId),
    segmentIndex: event.segmentIndex,
    revision: 'revision' in event ? event.revision : 0,
    final,
  };
  if (!final) {
    const { outcome, deliveries } = await fanOutPartial(deps.turns, deps.clock.now, ref, message, (text, current) =>
      fanOut(deps, event.sessionId, undefined, text, { speaker: true, current }),
    );
    if (outcome !== 'sent') deps.metrics.count('PartialsCoalesced');
    return deliveries.reduce(add, nothingDelivered());
  }
  // Older partials are stale from now on; a partial fan-out still running stops at its next batch.
  await deps.turns.offer(ref);
  const [delivery] = await Promise.all([
    fanOut(deps, event.sessionId, undefined, message, { speaker: true, resend: true }),
    deps.captions.append(message),
  ]);
  deps.metrics.latency('SourceCaptionDeliveredMs', deps.clock.now() - event.capture.end);
  return delivery;
}

/** The caption message of a translation, final or provisional, in its target language. */
function translationCaption(
  event: TranslationReadyV1 | TranslationPartialV1,
  text: string,
  final: boolean,
): CaptionMessage {
  return {
    type: 'caption',
    sessionId: event.sessionId,
    segmentId: event.segmentId,
    segmentIndex: event.segmentIndex,
    language: event.targetLanguage,
    kind: 'translation',
    final,
    text,
    captureStart: event.capture.start,
    captureEnd: event.capture.end,
  };
}

/** A translated caption to the listeners of its language. */
export async function deliverTranslation(deps: NotifyDeps, event: TranslationReadyV1): Promise<Delivery> {
  const started = deps.clock.now();
  // Per hop: from Translate publishing the translation to this task starting, then the fan-out itself.
  deps.metrics.latency('TranslationToNotifyMs', started - event.occurredAt);
  const message = translationCaption(event, event.text, true);
  const [delivery] = await Promise.all([
    fanOut(deps, event.sessionId, event.targetLanguage, message, { speaker: true, resend: true }),
    deps.captions.append(message),
    // The segment's provisional translations (and older segments') are stale from now on, and a provisional
    // fan-out still running stops at its next batch; recorded beside the fan-out, never in front of it.
    deps.turns.offer({
      key: turnKey(event.sessionId, event.targetLanguage),
      segmentIndex: event.segmentIndex,
      revision: 0,
      final: true,
    }),
  ]);
  const now = deps.clock.now();
  deps.metrics.latency('TranslationFanOutMs', now - started);
  deps.metrics.latency('TranslationDeliveredMs', now - event.capture.end);
  return delivery;
}

/**
 * One translated increment of an utterance in progress: recorded, then the utterance's provisional translation so
 * far (increments 0…k, all there) to the listeners of that language, coalesced per session and language like
 * source partials. Nothing is sent while increment 0 is missing (its own delivery will send the run), when the
 * run is already sent, or once the segment's final translation was delivered. Not logged: history holds finals.
 */
export async function deliverPartialTranslation(deps: NotifyDeps, event: TranslationPartialV1): Promise<Delivery> {
  const none = nothingDelivered();
  const recorded = await deps.partialTranslations.record(
    { sessionId: event.sessionId, language: event.targetLanguage, segmentIndex: event.segmentIndex },
    { increment: event.increment, text: event.text, sourceWords: event.sourceWords },
  );
  const run = contiguousRun(recorded);
  const last = run.at(-1);
  const text = joinTranslatedPieces(run.map((r) => r.text));
  if (!last || text === '') return none;
  const message: CaptionMessage = { ...translationCaption(event, text, false), sourceWords: last.sourceWords };
  const ref = {
    key: turnKey(event.sessionId, event.targetLanguage),
    segmentIndex: event.segmentIndex,
    revision: last.increment,
    final: false,
  };
  const { outcome, deliveries } = await fanOutPartial(deps.turns, deps.clock.now, ref, message, (m, current) =>
    fanOut(deps, event.sessionId, event.targetLanguage, m, { current }),
  );
  if (outcome !== 'sent') deps.metrics.count('PartialTranslationsCoalesced');
  else deps.metrics.latency('PartialTranslationDeliveredMs', deps.clock.now() - event.capture.end);
  return deliveries.reduce(add, none);
}

/** The increments 0, 1, … up to the first one missing (none while increment 0 is missing). */
function contiguousRun(recorded: TranslatedIncrement[]): TranslatedIncrement[] {
  const byIncrement = new Map(recorded.map((r) => [r.increment, r]));
  const run: TranslatedIncrement[] = [];
  for (let next = byIncrement.get(0); next; next = byIncrement.get(run.length)) run.push(next);
  return run;
}

/** A synthesized clip's URL to the listeners of its language (with its part of the utterance, when it has one). */
export async function deliverAudio(deps: NotifyDeps, event: SpeechSynthesizedV1): Promise<Delivery> {
  const message: AudioMessage = {
    type: 'audio',
    sessionId: event.sessionId,
    segmentId: event.segmentId,
    segmentIndex: event.segmentIndex,
    language: event.language,
    url: event.url,
    urlExpiresAt: event.urlExpiresAt,
    contentType: event.audio.contentType,
    durationMs: event.audio.durationMs,
    captureEnd: event.capture.end,
    // A clip that is one part of the utterance's speech: the player queues the parts in order.
    ...(event.part === undefined ? {} : { part: event.part }),
    ...(event.last === undefined ? {} : { last: event.last }),
  };
  // A part may be made twice (a clause's own and the final's, when the final did not find it in time): the first
  // making sent is the one listeners get.
  if (event.part !== undefined) {
    const part = { sessionId: event.sessionId, segmentId: event.segmentId, language: event.language, part: event.part };
    // What tells two makings apart: the URL alone does not (two presigned in the same second for the same key are
    // the same URL); with the making's store time (ms) it does. A retried task sends the same detail, so the same clip.
    if (!(await deps.ledger.claimSpeechPart(part, `${event.occurredAt}#${event.url}`))) {
      deps.metrics.count('SpeechPartsSentBefore');
      return nothingDelivered();
    }
  }
  const delivery = await fanOut(deps, event.sessionId, event.language, message, { resend: true });
  // The latency promise runs from the end of speech: a clause's capture ends mid-sentence, so only the part that
  // ends the utterance counts.
  if (event.last !== false) deps.metrics.latency('AudioDeliveredMs', deps.clock.now() - event.capture.end);
  return delivery;
}

/** A sentence's speech parts, in part order, one after the other: a listener's player queues them as they come. */
export async function deliverAudioParts(deps: NotifyDeps, parts: readonly SpeechSynthesizedV1[]): Promise<Delivery> {
  let delivery: Delivery = nothingDelivered();
  for (const speech of parts) delivery = add(delivery, await deliverAudio(deps, speech));
  return delivery;
}

async function fanOut(
  deps: NotifyDeps,
  sessionId: string,
  language: string | undefined,
  message: CaptionMessage | AudioMessage,
  {
    speaker = false,
    current,
    resend = false,
  }: { speaker?: boolean; current?: () => Promise<boolean>; resend?: boolean } = {},
): Promise<Delivery> {
  // Who to send to: the listeners this environment read last go first; the directory is read again beside their
  // sends (a partial skips that while the last read is fresh) and whoever it adds is sent to next (see audience.ts).
  const now = deps.clock.now();
  const known = deps.audience.known(sessionId, language, speaker, now);
  const stale = !known || resend || now - known.readAt >= PARTIAL_REFRESH_MS;
  const reading = stale ? deps.audience.read(sessionId, language, speaker, now) : undefined;
  // Once the known listeners have the message, a failed read must not fail the task: its retry would send it to
  // them again. It is logged and counted; a newcomer since the last read catches up from the caption history.
  const refreshed = known
    ? reading?.catch((error: unknown) => {
        deps.metrics.count('ListenerReadFailures');
        deps.log.warn('listener directory read failed: sent to the listeners read before', {
          sessionId,
          language,
          error: (error as Error).message,
          errorName: (error as Error).name,
        });
        return undefined;
      })
    : undefined;
  const first = known ?? (await reading!);
  const delivery = nothingDelivered();
  const speakers = new Set<string>();
  const speakerSends: Promise<void>[] = [];
  // The speaker's page shows every caption; a speaker that is gone is ingest's to forget, not notify's.
  const sendToSpeaker = (connectionId: string | undefined) => {
    if (!connectionId || speakers.has(connectionId)) return;
    speakers.add(connectionId);
    speakerSends.push(
      deps.clients.send(connectionId, message).then(
        () => undefined,
        (error: unknown) => {
          deps.log.warn('delivery to the speaker failed', { sessionId, error: (error as Error).message });
        },
      ),
    );
  };
  sendToSpeaker(first.speaker);
  let failed: Listener[] = [];
  const connecting = new Set<string>();
  const sendTo = async (listener: Listener) => {
    try {
      if ((await deps.clients.send(listener.connectionId, message)) === 'sent') {
        delivery.sent++;
        return;
      }
      if (stillConnecting(listener, deps.clock.now())) {
        // Recorded by a $connect that has not returned yet: API Gateway answers 410 until it does. The listener
        // stays in the directory (its $disconnect removes it if the connection never opens), and a final caption
        // or a clip is tried again with the failed sends.
        connecting.add(listener.connectionId);
        if (resend) failed.push(listener);
        return;
      }
      delivery.gone++;
      deps.audience.forget(sessionId, listener.connectionId);
      await deps.listeners.remove(sessionId, listener);
    } catch (error) {
      // One listener's failure never holds up the others.
      failed.push(listener);
      deps.log.warn('delivery failed', {
        sessionId,
        connectionId: listener.connectionId,
        error: (error as Error).message,
      });
    }
  };
  // A partial caption overtaken by a newer one is not worth the rest of its sends: asked between batches.
  // `sentBefore`: whether a batch of this message already went out, so the first batch asks too.
  let overtaken = false;
  const sendAll = async (listeners: readonly Listener[], sentBefore: boolean) => {
    for (let from = 0; from < listeners.length && !overtaken; from += BATCH) {
      if ((from > 0 || sentBefore) && current && !(await current())) overtaken = true;
      else await forEachLimited(listeners.slice(from, from + BATCH), deps.concurrency, sendTo);
    }
  };
  await sendAll(first.listeners, false);
  // Listeners the directory holds now that the remembered read did not (joined since, or read by another
  // environment): sent to once the read is back.
  const fresh = await refreshed;
  if (fresh) {
    const reached = new Set(first.listeners.map((l) => l.connectionId));
    await sendAll(
      fresh.listeners.filter((l) => !reached.has(l.connectionId)),
      first.listeners.length > 0,
    );
    sendToSpeaker(fresh.speaker);
  }
  for (const wait of resend ? RESEND_AFTER_MS : []) {
    if (failed.length === 0) break;
    const again = failed;
    failed = [];
    deps.metrics.count('DeliveriesResent', again.length);
    await new Promise((resolve) => setTimeout(resolve, wait));
    await forEachLimited(again, deps.concurrency, sendTo);
  }
  delivery.failed = failed.length;
  delivery.connecting = connecting.size;
  await Promise.all(speakerSends);
  deps.metrics.count('MessagesDelivered', delivery.sent);
  if (delivery.gone) deps.metrics.count('ListenersGone', delivery.gone);
  if (delivery.connecting) deps.metrics.count('ListenersStillConnecting', delivery.connecting);
  if (delivery.failed) deps.metrics.count('DeliveryFailures', delivery.failed);
  return delivery;
}
