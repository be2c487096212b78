// One joined session in one language: the connection, the captions merged from live messages and history,
// and the audio player fed with this language's clips.
import { type ApiClient, type LinkState, ListenerConnection } from '@llt/client';
import type { ServerMessage } from '@llt/events';
import { SvelteMap } from 'svelte/reactivity';
import type { Text } from '../i18n/index.ts';
import type { AudioPlayer } from './audio-player.svelte.ts';
import { type CaptionLike, lastFinalIndex, mergeCaption, orderedSegments, type Segment } from './captions.ts';
import type { TranscriptLine } from './transcript.ts';

/**
 * History is asked for from a few sentences before the last final one seen: translations can arrive out of
 * order, and what overlaps is merged away by segmentId.
 */
const RECONNECT_OVERLAP = 3;

export interface SessionOptions {
  code: string;
  sessionId: string;
  sourceLanguage: string;
  language: string;
  player: AudioPlayer;
  api: ApiClient;
  /** Joining was refused for good (wrong code, language not offered): the protocol's code, and why. */
  onRefused?: (code: string, message: string) => void;
}

export class ListenerSession {
  readonly code: string;
  readonly sessionId: string;
  readonly sourceLanguage: string;
  readonly language: string;
  readonly player: AudioPlayer;

  connectionState = $state<LinkState>('connecting');
  /** A passing problem worth telling the listener (cleared by the next good news). */
  notice = $state.raw<Text | undefined>(undefined);
  readonly segments = new SvelteMap<string, Segment>();
  readonly captions = $derived(orderedSegments(this.segments.values()));
  readonly ended = $derived(this.connectionState === 'ended');

  private readonly connection: ListenerConnection;
  /** Highest segment in the history at joining: sentences up to it without a translation are not shown. */
  private joinedAfter = -1;
  private readonly cleanups: (() => void)[] = [];

  constructor(private readonly options: SessionOptions) {
    this.code = options.code;
    this.sessionId = options.sessionId;
    this.sourceLanguage = options.sourceLanguage;
    this.language = options.language;
    this.player = options.player;
    const { api } = options;
    this.connection = new ListenerConnection({
      url: api.webSocketUrl({ role: 'listener', code: this.code, lang: this.language }),
      checkSession: () => api.checkSession(this.code, this.language),
      isOnline: () => navigator.onLine,
      onMessage: (message, receivedAt) => this.receive(message, receivedAt),
      onState: (state) => {
        this.connectionState = state;
      },
      onWelcome: (_welcome, reconnected) => {
        this.notice = undefined;
        void this.catchUp(reconnected);
      },
      onProblem: (problem) => {
        if (problem.kind === 'restarting') this.notice = { key: 'banner.restarting' };
      },
      onFailed: (error) => this.options.onRefused?.((error as { code?: string }).code ?? 'unreachable', error.message),
    });
  }

  start(): void {
    const nudge = () => this.connection.nudge();
    const visible = () => {
      if (document.visibilityState === 'visible') nudge();
    };
    addEventListener('online', nudge);
    addEventListener('offline', nudge);
    document.addEventListener('visibilitychange', visible);
    this.cleanups.push(
      () => removeEventListener('online', nudge),
      () => removeEventListener('offline', nudge),
      () => document.removeEventListener('visibilitychange', visible),
    );
    void this.connection.connect();
  }

  stop(): void {
    this.connection.close();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  /** The listener asked to retry now rather than at the next backoff step. */
  retryNow(): void {
    this.connection.nudge();
  }

  /** Final translations for the transcript download: the server's full history merged with what arrived. */
  async transcript(): Promise<{ lines: TranscriptLine[]; complete: boolean }> {
    let complete = true;
    try {
      const history = await this.options.api.captionHistory(this.sessionId, this.language);
      this.mergeAll(history.captions);
    } catch {
      complete = false;
    }
    const lines: TranscriptLine[] = [];
    for (const segment of this.segments.values()) {
      const translation = segment.translation;
      if (!translation?.final) continue;
      lines.push({
        segmentIndex: segment.segmentIndex,
        text: translation.text,
        captureStart: translation.captureStart ?? segment.source?.captureStart,
        captureEnd: translation.captureEnd,
      });
    }
    return { lines, complete };
  }

  private receive(message: ServerMessage, receivedAt: number): void {
    switch (message.type) {
      case 'caption':
        mergeCaption(this.segments, message, this.language);
        this.player.noteCaption(message.segmentIndex, message.captureEnd, receivedAt, message.final);
        return;
      case 'audio':
        if (message.language === this.language) this.player.add(message, receivedAt);
        return;
      case 'error':
        // A problem worth telling the listener that did not stop the connection (an end is shown as such).
        if (message.code !== 'session_ended')
          this.notice = { key: 'banner.server', values: { detail: message.message } };
        return;
      default:
    }
  }

  /**
   * What was said before we joined, or while we were away. Translations are merged whole. Source text is
   * merged for sentences we have (the original under a translation); after a reconnection also for the ones
   * missed while away, which may have no translation (see displayKind).
   */
  private async catchUp(reconnected: boolean): Promise<void> {
    const last = reconnected ? lastFinalIndex(this.segments.values()) : undefined;
    const after = last === undefined ? undefined : last - RECONNECT_OVERLAP;
    const [translations, sources] = await Promise.allSettled([
      this.options.api.captionHistory(this.sessionId, this.language, after),
      this.options.api.captionHistory(this.sessionId, this.sourceLanguage, after),
    ]);
    const translated = translations.status === 'fulfilled' ? translations.value.captions : [];
    const spoken = sources.status === 'fulfilled' ? sources.value.captions : [];
    if (!reconnected) {
      for (const c of [...translated, ...spoken]) this.joinedAfter = Math.max(this.joinedAfter, c.segmentIndex);
    }
    this.mergeAll(translated);
    this.mergeAll(spoken.filter((c) => this.segments.has(c.segmentId) || c.segmentIndex > this.joinedAfter));
  }

  private mergeAll(captions: readonly CaptionLike[]): void {
    for (const caption of captions) {
      // History of the source language is the recognised speech whatever `kind` an older server labels it.
      const asSource = caption.language === this.sourceLanguage && caption.language !== this.language;
      mergeCaption(this.segments, asSource ? { ...caption, kind: 'source', final: true } : caption, this.language);
    }
  }
}
