// Languages. Each engine declares what it supports (recognition: source languages; translation: directed pairs;
// speech: voices per language); a deployment's offer is derived from the engines it runs — never kept by hand.
// The composition layers (the local runtime, the CDK app) derive it and hand it to the services as LLT_LANGUAGES.
import { z } from 'zod';

/**
 * A language as the product names it: a BCP 47 tag, the language subtag alone unless the region matters to an
 * engine ("es", "ca", "pt-PT", "es-US", "zh-TW").
 */
export type Language = string;

/** What a recognition engine recognises: each language with the engine's own code for it. */
export interface RecognitionCapabilities {
  engine: string;
  /** In order of preference: a bare language ("es") resolves to the first entry of that language. */
  languages: readonly { code: Language; engineCode: string }[];
}

/** What a translation engine translates: directed pairs, each with the pivot languages it goes through, if any. */
export interface TranslationCapabilities {
  engine: string;
  pairs: readonly { source: Language; target: Language; via?: readonly Language[] }[];
}

/**
 * How a voice is made, best first: neural and HMM/HTS voices are natural; unit-selection and diphone voices
 * intelligible; formant voices (espeak-ng) robotic and the fallback.
 */
export const VOICE_KINDS = ['neural', 'hts', 'standard', 'diphone', 'formant'] as const;
export type VoiceKind = (typeof VOICE_KINDS)[number];

/** What a speech engine speaks: voices per language (the target codes translation produces). */
export interface SpeechCapabilities {
  engine: string;
  voices: readonly { language: Language; voice: string; kind: VoiceKind }[];
}

/**
 * What a deployment offers, derived from its engines: the source languages speakers may choose, the targets
 * listeners may pick, which targets have a voice (the others are captions only), and, where not every source
 * reaches every target, which targets each source reaches. Serialised compactly into LLT_LANGUAGES (Lambda allows
 * 4 KB of environment per function).
 */
export const DeploymentLanguages = z.object({
  sources: z.array(z.string().min(2)),
  targets: z.array(z.string().min(2)),
  spoken: z.array(z.string().min(2)),
  /** Present when some source does not reach every target: the targets of each source. */
  pairs: z.record(z.string(), z.array(z.string())).optional(),
});
export type DeploymentLanguages = z.infer<typeof DeploymentLanguages>;

/** The bare language of a tag: "es-US" → "es". */
export function baseLanguage(code: Language): Language {
  return code.split('-')[0] as Language;
}

/** The entry for `code` in `codes`: exact, else the first of the same base language ("es" → "es-US"). */
export function matchLanguage(codes: readonly Language[], code: Language): Language | undefined {
  if (codes.includes(code)) return code;
  const base = baseLanguage(code);
  return codes.find((c) => c === base) ?? codes.find((c) => baseLanguage(c) === base);
}

/** Which source a translation engine would translate a recognised language from: exact, else its base language. */
function translationSource(translation: TranslationCapabilities, source: Language): Language | undefined {
  const sources = [...new Set(translation.pairs.map((p) => p.source))];
  if (sources.includes(source)) return source;
  const base = baseLanguage(source);
  return sources.includes(base) ? base : undefined;
}

/**
 * The deployment's languages: every recognisable source the translation engine can translate from, every target
 * one of those sources reaches (never the source itself), spoken where the speech engine has a voice for it (exact,
 * else for its base language: a "fr-CA" caption may be spoken by a "fr" voice).
 */
export function deriveLanguages(
  recognition: RecognitionCapabilities,
  translation: TranslationCapabilities,
  speech: SpeechCapabilities,
): DeploymentLanguages {
  const pairs: Record<string, string[]> = {};
  for (const { code } of recognition.languages) {
    const from = translationSource(translation, code);
    if (!from) continue;
    const reached = translation.pairs
      .filter((p) => p.source === from && baseLanguage(p.target) !== baseLanguage(code))
      .map((p) => p.target);
    if (reached.length > 0) pairs[code] = [...new Set(reached)];
  }
  const sources = Object.keys(pairs);
  const targets = [...new Set(Object.values(pairs).flat())];
  const voiced = speech.voices.map((v) => v.language);
  const spoken = targets.filter((t) => voiced.includes(t) || voiced.includes(baseLanguage(t)));
  const languages: DeploymentLanguages = { sources, targets, spoken };
  // Only where some source misses a target it would otherwise reach are the pairs spelled out.
  const everywhere = sources.every((s) => sameSet(pairs[s] ?? [], targetsOf(languages, s)));
  return everywhere ? languages : { ...languages, pairs };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** The targets a source reaches in this deployment: never one of the source's own language. */
export function targetsOf(languages: DeploymentLanguages, source: Language): Language[] {
  if (!languages.sources.includes(source)) return [];
  return languages.pairs?.[source] ?? languages.targets.filter((t) => baseLanguage(t) !== baseLanguage(source));
}

/** LLT_LANGUAGES: the compact JSON the composition layers pass to every service. */
export function serializeLanguages(languages: DeploymentLanguages): string {
  return JSON.stringify(languages);
}

/** Reads LLT_LANGUAGES; a missing or malformed value is a configuration error, said plainly. */
export function parseLanguages(raw: string | undefined): DeploymentLanguages {
  if (!raw) {
    throw new Error('LLT_LANGUAGES is not set: the deployment must say which languages its engines offer');
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (cause) {
    throw new Error('LLT_LANGUAGES is not JSON', { cause });
  }
  const parsed = DeploymentLanguages.safeParse(json);
  if (!parsed.success) throw new Error(`LLT_LANGUAGES is malformed: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const displayNames = new Map<string, Intl.DisplayNames | undefined>();

function namesIn(locale: string): Intl.DisplayNames | undefined {
  if (!displayNames.has(locale)) {
    let names: Intl.DisplayNames | undefined;
    try {
      names = new Intl.DisplayNames([locale], { type: 'language', fallback: 'none' });
    } catch {
      names = undefined;
    }
    displayNames.set(locale, names);
  }
  return displayNames.get(locale);
}

/** The language's name in `inLanguage` (default English) from the runtime's CLDR data; the code if it has none. */
export function languageName(code: Language, inLanguage = 'en'): string {
  const name = namesIn(inLanguage)?.of(code);
  return name ? name.charAt(0).toLocaleUpperCase(inLanguage) + name.slice(1) : code;
}

/** The language's name in itself ("Català"), or its English name where the runtime has no data for it. */
export function nativeLanguageName(code: Language): string {
  const name = namesIn(code)?.of(code);
  if (!name || name === code) return languageName(code);
  return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
}
