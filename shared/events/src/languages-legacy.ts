// Transitional: the former hand-kept catalog, read by code not yet moved to the engines' own declarations (languages.ts).
export interface SourceLanguage {
  code: string;
  name: string;
  /** PocketSphinx acoustic model folder locally; Amazon Transcribe language code on AWS. */
  engines: { local: { asrModel: string }; aws: { transcribe: string } };
}

export interface TargetLanguage {
  code: string;
  name: string;
  nativeName: string;
  engines: {
    /** Apertium mode (`/usr/share/apertium/modes/<mode>.mode`) and Debian package; espeak-ng voice. */
    local: { apertiumMode: string; apertiumPackage: string; espeakVoice: string };
    /** Amazon Translate target code and Amazon Polly voice; absent where Amazon Translate lacks the language. */
    aws?: { translate: string; pollyVoice: string; pollyEngine: 'neural' | 'standard' };
  };
}

export const SOURCE_LANGUAGES: readonly SourceLanguage[] = [
  { code: 'en', name: 'English', engines: { local: { asrModel: 'en-us' }, aws: { transcribe: 'en-US' } } },
];

export const TARGET_LANGUAGES: readonly TargetLanguage[] = [
  {
    code: 'es',
    name: 'Spanish',
    nativeName: 'Español',
    engines: {
      local: { apertiumMode: 'eng-spa', apertiumPackage: 'apertium-eng-spa', espeakVoice: 'es' },
      aws: { translate: 'es', pollyVoice: 'Lucia', pollyEngine: 'neural' },
    },
  },
  {
    code: 'ca',
    name: 'Catalan',
    nativeName: 'Català',
    engines: {
      local: { apertiumMode: 'eng-cat', apertiumPackage: 'apertium-eng-cat', espeakVoice: 'ca' },
      aws: { translate: 'ca', pollyVoice: 'Arlet', pollyEngine: 'neural' },
    },
  },
  {
    code: 'gl',
    name: 'Galician',
    nativeName: 'Galego',
    engines: {
      // espeak-ng has no Galician voice; Portuguese is the closest it has.
      local: { apertiumMode: 'en-gl', apertiumPackage: 'apertium-en-gl', espeakVoice: 'pt' },
      // Amazon Translate has no Galician.
    },
  },
  {
    code: 'eo',
    name: 'Esperanto',
    nativeName: 'Esperanto',
    engines: {
      local: { apertiumMode: 'en-eo', apertiumPackage: 'apertium-eo-en', espeakVoice: 'eo' },
      // Amazon Translate has no Esperanto.
    },
  },
];

export function findSourceLanguage(code: string): SourceLanguage | undefined {
  return SOURCE_LANGUAGES.find((l) => l.code === code);
}

export function findTargetLanguage(code: string): TargetLanguage | undefined {
  return TARGET_LANGUAGES.find((l) => l.code === code);
}
