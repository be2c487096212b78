// What Amazon Polly speaks: one chosen voice for each Amazon Translate target language Polly has, neural where
// Polly has a neural voice for the language, standard otherwise. Targets without a voice are captions only.
// Source: "Available voices", Amazon Polly Developer Guide,
// https://docs.aws.amazon.com/polly/latest/dg/available-voices.html (retrieved 2026-12-06).
// Imports types only: the CDK app reads this module to derive the deployment's languages.
import type { SpeechCapabilities } from '@llt/events';

export interface PollyVoice {
  /** The product's target code (Amazon Translate's): "pt" is Brazilian Portuguese, "zh" Mandarin. */
  language: string;
  voice: string;
  kind: 'neural' | 'standard';
  /** Polly's code for the language the voice speaks here; a bilingual voice (Kajal) needs it to speak Hindi. */
  pollyLanguage: string;
}

export const AMAZON_POLLY_VOICES: readonly PollyVoice[] = [
  // Hala is Gulf Arabic; Polly's only Modern Standard Arabic voice (Zeina) is standard.
  { language: 'ar', voice: 'Hala', kind: 'neural', pollyLanguage: 'ar-AE' },
  { language: 'ca', voice: 'Arlet', kind: 'neural', pollyLanguage: 'ca-ES' },
  { language: 'cs', voice: 'Jitka', kind: 'neural', pollyLanguage: 'cs-CZ' },
  { language: 'cy', voice: 'Gwyneth', kind: 'standard', pollyLanguage: 'cy-GB' },
  { language: 'da', voice: 'Sofie', kind: 'neural', pollyLanguage: 'da-DK' },
  { language: 'de', voice: 'Vicki', kind: 'neural', pollyLanguage: 'de-DE' },
  { language: 'en', voice: 'Joanna', kind: 'neural', pollyLanguage: 'en-US' },
  { language: 'es', voice: 'Lucia', kind: 'neural', pollyLanguage: 'es-ES' },
  { language: 'es-MX', voice: 'Mia', kind: 'neural', pollyLanguage: 'es-MX' },
  { language: 'fi', voice: 'Suvi', kind: 'neural', pollyLanguage: 'fi-FI' },
  { language: 'fr', voice: 'Lea', kind: 'neural', pollyLanguage: 'fr-FR' },
  { language: 'fr-CA', voice: 'Gabrielle', kind: 'neural', pollyLanguage: 'fr-CA' },
  { language: 'hi', voice: 'Kajal', kind: 'neural', pollyLanguage: 'hi-IN' },
  { language: 'is', voice: 'Dora', kind: 'standard', pollyLanguage: 'is-IS' },
  { language: 'it', voice: 'Bianca', kind: 'neural', pollyLanguage: 'it-IT' },
  { language: 'ja', voice: 'Takumi', kind: 'neural', pollyLanguage: 'ja-JP' },
  { language: 'ko', voice: 'Seoyeon', kind: 'neural', pollyLanguage: 'ko-KR' },
  { language: 'nl', voice: 'Laura', kind: 'neural', pollyLanguage: 'nl-NL' },
  { language: 'no', voice: 'Ida', kind: 'neural', pollyLanguage: 'nb-NO' },
  { language: 'pl', voice: 'Ola', kind: 'neural', pollyLanguage: 'pl-PL' },
  { language: 'pt', voice: 'Camila', kind: 'neural', pollyLanguage: 'pt-BR' },
  { language: 'pt-PT', voice: 'Ines', kind: 'neural', pollyLanguage: 'pt-PT' },
  { language: 'ro', voice: 'Carmen', kind: 'standard', pollyLanguage: 'ro-RO' },
  { language: 'ru', voice: 'Tatyana', kind: 'standard', pollyLanguage: 'ru-RU' },
  { language: 'sv', voice: 'Elin', kind: 'neural', pollyLanguage: 'sv-SE' },
  { language: 'tr', voice: 'Burcu', kind: 'neural', pollyLanguage: 'tr-TR' },
  // Mandarin; Translate's traditional-character "zh-TW" falls back to this voice too.
  { language: 'zh', voice: 'Zhiyu', kind: 'neural', pollyLanguage: 'cmn-CN' },
];

export const AMAZON_POLLY_CAPABILITIES: SpeechCapabilities = {
  engine: 'amazon-polly',
  voices: AMAZON_POLLY_VOICES.map(({ language, voice, kind }) => ({ language, voice, kind })),
};
