// The listener's preferences, kept in localStorage: text size, theme, original text under translations,
// finished sentences only (no provisional text), untranslated words after a provisional translation, and the
// last language chosen.

export const TEXT_SCALES = [0.8, 0.9, 1, 1.15, 1.3, 1.5, 1.75, 2] as const;
const DEFAULT_SCALE_INDEX = 2;

export type Theme = 'light' | 'dark';

const KEYS = {
  textScale: 'llt.listener.textScale',
  theme: 'llt.listener.theme',
  showOriginal: 'llt.listener.showOriginal',
  finishedOnly: 'llt.listener.finishedOnly',
  showUntranslated: 'llt.listener.showUntranslated',
  language: 'llt.listener.language',
} as const;

export class Settings {
  textScaleIndex = $state(DEFAULT_SCALE_INDEX);
  /** Chosen explicitly; undefined follows the system (prefers-color-scheme). */
  themeChoice = $state<Theme | undefined>(undefined);
  systemDark = $state(false);
  showOriginal = $state(false);
  /** Show a sentence only once it is finished: no provisional text, source or translated. */
  finishedOnly = $state(false);
  /** Show the source words a provisional translation does not cover yet after it (on unless turned off). */
  showUntranslated = $state(true);
  lastLanguage = $state<string | undefined>(undefined);

  readonly textScale = $derived(TEXT_SCALES[this.textScaleIndex] ?? 1);
  readonly theme: Theme = $derived(this.themeChoice ?? (this.systemDark ? 'dark' : 'light'));
  readonly canGrow = $derived(this.textScaleIndex < TEXT_SCALES.length - 1);
  readonly canShrink = $derived(this.textScaleIndex > 0);

  constructor(private readonly storage: Storage | undefined = safeLocalStorage()) {
    const storedScale = this.read(KEYS.textScale);
    const scale = storedScale === null ? Number.NaN : Number(storedScale);
    if (Number.isInteger(scale) && scale >= 0 && scale < TEXT_SCALES.length) this.textScaleIndex = scale;
    const theme = this.read(KEYS.theme);
    if (theme === 'light' || theme === 'dark') this.themeChoice = theme;
    this.showOriginal = this.read(KEYS.showOriginal) === 'true';
    this.finishedOnly = this.read(KEYS.finishedOnly) === 'true';
    this.showUntranslated = this.read(KEYS.showUntranslated) !== 'false';
    this.lastLanguage = this.read(KEYS.language) ?? undefined;
    if (typeof matchMedia === 'function') {
      const query = matchMedia('(prefers-color-scheme: dark)');
      this.systemDark = query.matches;
      query.addEventListener('change', (event) => {
        this.systemDark = event.matches;
      });
    }
  }

  grow(): void {
    if (this.canGrow) this.setScale(this.textScaleIndex + 1);
  }

  shrink(): void {
    if (this.canShrink) this.setScale(this.textScaleIndex - 1);
  }

  toggleTheme(): void {
    this.themeChoice = this.theme === 'dark' ? 'light' : 'dark';
    this.write(KEYS.theme, this.themeChoice);
  }

  toggleOriginal(): void {
    this.showOriginal = !this.showOriginal;
    this.write(KEYS.showOriginal, String(this.showOriginal));
  }

  toggleFinishedOnly(): void {
    this.finishedOnly = !this.finishedOnly;
    this.write(KEYS.finishedOnly, String(this.finishedOnly));
  }

  toggleUntranslated(): void {
    this.showUntranslated = !this.showUntranslated;
    this.write(KEYS.showUntranslated, String(this.showUntranslated));
  }

  rememberLanguage(code: string): void {
    this.lastLanguage = code;
    this.write(KEYS.language, code);
  }

  private setScale(index: number): void {
    this.textScaleIndex = index;
    this.write(KEYS.textScale, String(index));
  }

  private read(key: string): string | null {
    try {
      return this.storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  private write(key: string, value: string): void {
    try {
      this.storage?.setItem(key, value);
    } catch {
      // Private mode or full storage: the preference lasts until the page closes.
    }
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
