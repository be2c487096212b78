// The page's flow: join code → language → session, started from the URL when it carries them
// (`?code=K7M2QX` from the QR code; `?lang=es` and `?audio=on` for links and automated tests).
import { ApiClient, ApiError, type LanguageOptions, ServerUnreachableError } from '@llt/client';
import type { SessionDescription } from '@llt/events';
import type { Text } from '../i18n/index.ts';
import { AudioPlayer } from './audio-player.svelte.ts';
import { isWellFormedJoinCode, normalizeJoinCode } from './join-code.ts';
import { ListenerSession } from './session.svelte.ts';
import type { Settings } from './settings.svelte.ts';

export type Stage = 'code' | 'language' | 'session';

export interface OfferedLanguage {
  code: string;
  name: string;
  nativeName: string;
  /** Translations into it are spoken; false: captions only (the deployment has no voice for it). */
  spoken: boolean;
}

/** Survives a reload of the same tab, so reloading mid-session rejoins without asking again. */
const ACTIVE_KEY = 'llt.listener.active';

export class ListenerApp {
  stage = $state<Stage>('code');
  code = $state('');
  error = $state.raw<Text | undefined>(undefined);
  busy = $state(false);
  description = $state.raw<SessionDescription | undefined>(undefined);
  catalog = $state.raw<LanguageOptions | undefined>(undefined);
  session = $state.raw<ListenerSession | undefined>(undefined);
  /** The language the listener picked, which the page's own words follow from then on. */
  uiLanguage = $state<string | undefined>(undefined);
  readonly player = new AudioPlayer();
  /** The HTTP API on this page's origin. */
  private readonly api = new ApiClient();

  readonly offered: OfferedLanguage[] = $derived(
    (this.description?.targetLanguages ?? []).map((code) => describeLanguage(code, this.catalog)),
  );
  /** The language being listened to has no voice: the page shows captions and offers no audio. */
  readonly captionsOnly = $derived(
    this.session !== undefined && !describeLanguage(this.session.language, this.catalog).spoken,
  );
  readonly sourceName = $derived(
    this.description ? describeLanguage(this.description.sourceLanguage, this.catalog, 'source').name : '',
  );

  private readonly audioFromUrl: boolean;
  private readonly langFromUrl: string | undefined;

  constructor(
    private readonly settings: Settings,
    url: URL = new URL(location.href),
  ) {
    this.code = normalizeJoinCode(url.searchParams.get('code') ?? '');
    this.audioFromUrl = url.searchParams.get('audio') === 'on';
    this.langFromUrl = url.searchParams.get('lang') ?? undefined;
  }

  /** Resolves a code that came with the URL. */
  async init(): Promise<void> {
    if (!this.code) return;
    await this.submitCode(this.code, true);
  }

  async submitCode(raw: string, fromUrl = false): Promise<void> {
    const code = normalizeJoinCode(raw);
    this.code = code;
    if (!isWellFormedJoinCode(code)) {
      this.error = { key: 'join.malformed', values: { example: 'K7M2QX' } };
      return;
    }
    this.busy = true;
    this.error = undefined;
    try {
      const [description, catalog] = await Promise.all([
        this.api.joinCode(code),
        this.catalog ? Promise.resolve(this.catalog) : this.api.languages().catch(() => undefined),
      ]);
      this.description = description;
      this.catalog = catalog;
      this.setUrlCode(code);
      this.stage = 'language';
      const automatic = this.automaticLanguage(code, fromUrl);
      if (automatic) this.chooseLanguage(automatic);
    } catch (error) {
      this.error = joinErrorText(error, code);
      this.stage = 'code';
    } finally {
      this.busy = false;
    }
  }

  chooseLanguage(language: string): void {
    const description = this.description;
    if (!description) return;
    this.settings.rememberLanguage(language);
    this.uiLanguage = language;
    this.session?.stop();
    this.player.clear();
    const session = new ListenerSession({
      code: this.code,
      sessionId: description.sessionId,
      sourceLanguage: description.sourceLanguage,
      language,
      player: this.player,
      api: this.api,
      onRefused: (code, message) => this.refused(code, message),
    });
    this.session = session;
    this.stage = 'session';
    writeActive({ code: this.code, language });
    if (this.audioFromUrl && !this.player.enabled && describeLanguage(language, this.catalog).spoken) {
      this.player.enable();
    }
    session.start();
  }

  /** Back to the language list (same session). */
  changeLanguage(): void {
    this.closeSession();
    this.stage = this.description ? 'language' : 'code';
  }

  /** Back to the join code. */
  leave(): void {
    this.closeSession();
    this.description = undefined;
    this.error = undefined;
    this.stage = 'code';
    this.setUrlCode(undefined);
  }

  private refused(code: string, message: string): void {
    this.closeSession();
    this.error =
      code === 'language_not_offered' || code === 'unsupported_language'
        ? { key: 'picker.notOffered' }
        : joinErrorText(new ApiError(0, code, message), this.code);
    this.stage = code === 'language_not_offered' && this.description ? 'language' : 'code';
  }

  private closeSession(): void {
    this.session?.stop();
    this.session = undefined;
    this.player.clear();
    writeActive(undefined);
  }

  /** `?lang=` when offered; otherwise the language this tab was listening to before a reload. */
  private automaticLanguage(code: string, fromUrl: boolean): string | undefined {
    if (!fromUrl) return undefined;
    const offered = this.description?.targetLanguages ?? [];
    if (this.langFromUrl && offered.includes(this.langFromUrl)) return this.langFromUrl;
    const active = readActive();
    if (active?.code === code && offered.includes(active.language)) return active.language;
    return undefined;
  }

  private setUrlCode(code: string | undefined): void {
    const url = new URL(location.href);
    if (code) url.searchParams.set('code', code);
    else url.searchParams.delete('code');
    if (url.href !== location.href) history.replaceState(history.state, '', url);
  }
}

/**
 * Display names from the server's catalog, else from the browser's own (Intl.DisplayNames), else the code. A
 * language is spoken unless the catalog says it is captions only (without a catalog, audio is offered).
 */
export function describeLanguage(
  code: string,
  catalog: LanguageOptions | undefined,
  list: 'source' | 'target' = 'target',
): OfferedLanguage {
  const known = catalog?.[list].find((l) => l.code === code);
  return {
    code,
    name: known?.name ?? displayName(code, 'en') ?? code,
    nativeName: known?.nativeName ?? displayName(code, code) ?? known?.name ?? code,
    spoken: known?.spoken ?? true,
  };
}

function displayName(code: string, locale: string): string | undefined {
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language' }).of(code);
    return name && name !== code ? name.charAt(0).toLocaleUpperCase(locale) + name.slice(1) : undefined;
  } catch {
    return undefined;
  }
}

function joinErrorText(error: unknown, code: string): Text {
  const apiCode =
    error instanceof ApiError ? error.code : error instanceof ServerUnreachableError ? 'unreachable' : undefined;
  switch (apiCode) {
    case 'unknown_join_code':
      return { key: 'join.unknownCode', values: { code } };
    case 'session_ended':
      return { key: 'join.ended' };
    case 'unreachable':
      return { key: 'join.unreachable' };
    case 'rate_limited':
      return { key: 'join.rateLimited' };
    default:
      return error instanceof Error && error.message
        ? { key: 'join.failed', values: { detail: error.message } }
        : { key: 'join.failedUnknown' };
  }
}

function readActive(): { code: string; language: string } | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(ACTIVE_KEY) ?? 'null') as unknown;
    if (typeof value === 'object' && value !== null) {
      const { code, language } = value as Record<string, unknown>;
      if (typeof code === 'string' && typeof language === 'string') return { code, language };
    }
  } catch {
    // Unreadable: ask again.
  }
  return undefined;
}

function writeActive(active: { code: string; language: string } | undefined): void {
  try {
    if (active) sessionStorage.setItem(ACTIVE_KEY, JSON.stringify(active));
    else sessionStorage.removeItem(ACTIVE_KEY);
  } catch {
    // Storage unavailable: a reload asks for the language again.
  }
}
