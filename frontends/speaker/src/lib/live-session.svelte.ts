// One live session as the page sees it: the connection, the microphone, what the server says (captions,
// listeners, errors) and the speaker's commands (start, pause, end).
import { type ApiClient, type LinkState, type SessionCheck, SpeakerConnection, type SpeakerStats } from '@llt/client';
import type { CreatedSession, ServerMessage } from '@llt/events';
import { listenerLink, speakerSocketUrl } from './links.ts';
import { Microphone } from './microphone.svelte.ts';
import { forgetSession } from './session-store.ts';
import { Transcript } from './transcript.svelte.ts';
import { ScreenWakeLock } from './wake-lock.ts';

/** What the speaker is doing: not started, sending audio, paused, ending the session, or done. */
export type SpeakingState = 'idle' | 'starting' | 'live' | 'paused' | 'ending' | 'ended';

export interface Notice {
  id: number;
  code: string;
  message: string;
}

export interface LiveSessionOptions {
  api: ApiClient;
  /** The page's location (origin for the listener link, host and scheme for the WebSocket). */
  page: { origin: string; protocol: string; host: string };
  /** Where other devices reach the listener app, when the server says (else the page's origin). */
  listenerBase?: string | undefined;
  wsBase?: string | undefined;
  storage?: Storage | undefined;
  /** The session came from storage (a reload): catch up on the captions missed meanwhile. */
  resumed?: boolean;
  /** The signed-in speaker's JWT, asked for on each connection attempt (where speakers sign in). */
  speakerJwt?: () => string | undefined;
}

const MAX_NOTICES = 5;

export class LiveSession {
  readonly session: CreatedSession;
  readonly listenerUrl: string;
  readonly transcript: Transcript;
  readonly mic = new Microphone({ onFailure: () => this.onMicrophoneLost() });
  connection: LinkState = $state('connecting');
  speaking: SpeakingState = $state('idle');
  /** Listeners per target language. */
  listeners: Record<string, number> = $state({});
  totalListeners = $derived(Object.values(this.listeners).reduce((sum, n) => sum + n, 0));
  /** Errors the server reported, newest last (frame_not_stored is handled silently by resending). */
  notices: Notice[] = $state([]);
  /** The server cannot transcribe right now (its message). */
  transcriptionWarning: string | undefined = $state();
  /** Recognition of this session is behind real time (over a second), and whether it sheds work to catch up. */
  behind: { lagMs: number; degraded: boolean } | undefined = $state();
  /** The server refused this session: its recognisers are full (`at_capacity`); the message says when to retry. */
  refused: string | undefined = $state();
  /** Why the connection is not live, while it is retrying. */
  connectionProblem: string | undefined = $state();
  /** Audio was or is being dropped because the resend buffer overflowed. */
  bufferWarning: string | undefined = $state();
  stats: SpeakerStats = $state({
    framesSent: 0,
    framesResent: 0,
    framesLost: 0,
    errorsReceived: 0,
    reconnects: 0,
    bufferedFrames: 0,
    bufferedMs: 0,
    unsentMs: 0,
    droppedMs: 0,
  });
  endedReason: string | undefined = $state();
  /** This page was reloaded into a running session: the microphone waits for Start (browsers need a tap). */
  readonly resumedSession: boolean;
  endError: string | undefined = $state();
  private readonly link: SpeakerConnection;
  private readonly api: ApiClient;
  private readonly storage: Storage | undefined;
  private readonly wakeLock = new ScreenWakeLock();
  private resumed: boolean;
  private wasLive = false;
  private pausedOnServer = false;
  private nextNoticeId = 1;
  private lateCatchUps: Array<ReturnType<typeof setTimeout>> = [];
  private readonly onOnline = () => this.link.nudge();
  private readonly onVisible = () => {
    if (document.visibilityState !== 'visible') return;
    this.link.nudge();
    this.wakeLock.refresh();
  };

  constructor(session: CreatedSession, options: LiveSessionOptions) {
    this.session = session;
    this.api = options.api;
    this.storage = options.storage;
    this.resumed = options.resumed ?? false;
    this.resumedSession = this.resumed;
    this.listenerUrl = listenerLink(options.listenerBase ?? `${options.page.origin}/`, session.joinCode);
    this.transcript = new Transcript(session.targetLanguages);
    this.listeners = Object.fromEntries(session.targetLanguages.map((language) => [language, 0]));
    this.link = new SpeakerConnection({
      url: speakerSocketUrl(options.page, session, options.wsBase),
      checkSession: () => this.checkSession(),
      ...(options.speakerJwt ? { speakerJwt: options.speakerJwt } : {}),
      isOnline: () => navigator.onLine,
      onState: (state) => this.onLinkState(state),
      onMessage: (message, receivedAt) => this.onMessage(message, receivedAt),
      onProblem: (problem) => {
        if (problem.kind === 'overflow' || problem.kind === 'lost') this.bufferWarning = problem.message;
        else this.connectionProblem = problem.message;
      },
      onStats: (stats) => {
        this.stats = stats;
      },
      onEnded: (reason) => void this.onEnded(reason),
      onFailed: (error) => {
        if ((error as { code?: string }).code === 'at_capacity') this.refused = error.message;
        else this.connectionProblem = error.message;
      },
    });
  }

  /** Longest audio kept while disconnected, in minutes (for the page to say). */
  get bufferMinutes(): number {
    return Math.round(this.link.capacityMs / 60_000);
  }

  connect(): void {
    window.addEventListener('online', this.onOnline);
    document.addEventListener('visibilitychange', this.onVisible);
    this.link.connect();
  }

  /** Starts (or resumes) sending the microphone's audio. */
  async start(): Promise<void> {
    if (this.speaking === 'paused' && this.mic.status === 'on') {
      this.link.resume();
      this.pausedOnServer = false;
      await this.mic.setStreaming(true);
      this.speaking = 'live';
      this.wakeLock.hold();
      return;
    }
    if (this.speaking !== 'idle' && this.speaking !== 'paused') return;
    this.speaking = 'starting';
    const ok = await this.mic.start((pcm, captureTime) => this.link.sendPcm(pcm, captureTime));
    if (!ok) {
      this.speaking = 'idle';
      return;
    }
    if (this.pausedOnServer) {
      this.link.resume();
      this.pausedOnServer = false;
    }
    await this.mic.setStreaming(true);
    this.speaking = 'live';
    this.wakeLock.hold();
  }

  /** Stops sending audio (the microphone stays open for the meter) and tells the server, so it finalizes. */
  async pause(): Promise<void> {
    if (this.speaking !== 'live') return;
    this.speaking = 'paused';
    await this.mic.setStreaming(false);
    this.link.flush();
    this.link.pause();
    this.pausedOnServer = true;
    this.wakeLock.release();
  }

  /** Sends what is left of the audio, then ends the session for everyone. */
  async end(): Promise<void> {
    if (this.speaking === 'ending' || this.speaking === 'ended') return;
    this.speaking = 'ending';
    this.endError = undefined;
    await this.mic.stop();
    this.link.flush();
    try {
      await this.link.end();
    } catch (error) {
      this.endError = `${(error as Error).message}. Try again, or check the connection.`;
      if (this.connection !== 'ended') this.speaking = 'idle';
    }
  }

  dismissNotice(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  dismissBufferWarning(): void {
    this.bufferWarning = undefined;
  }

  /** Leaves the page's side of the session alone (the session stays live; a reload resumes it). */
  dispose(): void {
    window.removeEventListener('online', this.onOnline);
    document.removeEventListener('visibilitychange', this.onVisible);
    this.wakeLock.release();
    for (const timer of this.lateCatchUps) clearTimeout(timer);
    this.link.close();
    void this.mic.stop();
  }

  private onLinkState(state: LinkState): void {
    this.connection = state;
    if (state !== 'live') return;
    this.connectionProblem = undefined;
    // Captions sent while this page was away (a reload or a dropped connection) are only in the history.
    if (this.wasLive || this.resumed) void this.catchUp();
    this.wasLive = true;
    this.resumed = false;
  }

  private onMessage(message: ServerMessage, receivedAt: number): void {
    switch (message.type) {
      case 'caption':
        this.transcript.apply(message, receivedAt);
        if (message.kind === 'source') this.transcriptionWarning = undefined;
        return;
      case 'listeners':
        this.listeners = { ...this.listeners, ...message.counts };
        return;
      case 'lag':
        this.behind = message.behind ? { lagMs: message.lagMs, degraded: message.degraded } : undefined;
        return;
      case 'error':
        if (message.code === 'transcription_unavailable') {
          this.transcriptionWarning = message.message;
        } else if (message.code !== 'frame_not_stored') {
          this.notices = [
            ...this.notices.slice(-(MAX_NOTICES - 1)),
            { id: this.nextNoticeId++, code: message.code, message: message.message },
          ];
        }
        return;
      default:
        return;
    }
  }

  /** The microphone went away mid-session: what was captured goes out, the recogniser is told to finalize. */
  private onMicrophoneLost(): void {
    if (this.speaking !== 'live' && this.speaking !== 'paused') return;
    this.speaking = 'idle';
    this.link.flush();
    if (!this.pausedOnServer) this.link.pause();
    this.pausedOnServer = true;
    this.wakeLock.release();
  }

  private async onEnded(reason: string): Promise<void> {
    this.speaking = 'ended';
    this.endedReason = describeEnd(reason);
    forgetSession(this.storage);
    this.wakeLock.release();
    // The server closes this connection as the session ends, while the last sentence's final caption and
    // translations are still on their way to listeners: fetch them from the history a little later.
    this.lateCatchUps = [2_500, 7_000].map((ms) => setTimeout(() => void this.catchUp(), ms));
    await this.mic.stop();
  }

  private async checkSession(): Promise<SessionCheck> {
    if (Date.now() >= this.session.expiresAt) return { status: 'ended', reason: 'expired' };
    return this.api.checkSpeakerSession(this.session.sessionId, this.session.joinCode);
  }

  private async catchUp(): Promise<void> {
    const languages = [this.session.sourceLanguage, ...this.session.targetLanguages];
    await Promise.all(
      languages.map(async (language) => {
        const which = language === this.session.sourceLanguage ? 'source' : language;
        try {
          const { captions } = await this.api.captionHistory(
            this.session.sessionId,
            language,
            this.transcript.lastFinalIndex(which),
          );
          for (const caption of captions) this.transcript.apply(caption, undefined);
        } catch {
          // A server without caption history: the transcript keeps a gap, the session goes on.
        }
      }),
    );
  }
}

/** The server's end reasons in words. */
export function describeEnd(reason: string): string {
  switch (reason) {
    case 'speaker-ended':
      return 'You ended the session.';
    case 'expired':
      return 'The session expired.';
    case 'idle':
      return 'The session ended after a long time without audio.';
    case 'shutdown':
      return 'The server shut down.';
    default:
      return reason;
  }
}
