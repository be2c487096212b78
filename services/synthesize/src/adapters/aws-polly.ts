// Amazon Polly speech engine: one SynthesizeSpeech call per sentence, MP3 straight from Polly, in the voice chosen
// for the language (aws-polly-voices.ts).
//
// Glossary terms are said as their spoken form with SSML, in the request of the sentence that holds them:
// `<lang xml:lang="en-US"><sub alias="win">Nguyen</sub></lang>` (the source language's Polly code). `<sub>` makes
// the voice say the alias for the written term; `<lang>` makes it read the alias, a respelling in the source
// language's letters, with that language's rules. Both are available for standard, neural, long-form and generative
// voices ("Supported SSML tags", https://docs.aws.amazon.com/polly/latest/dg/supportedtags.html; generative voices
// take `<lang>` around whole sentences only, and this engine uses neural and standard voices). Not chosen:
//   - `<phoneme>` needs the term in IPA or X-SAMPA, which a glossary does not hold (its spoken form is a
//     respelling), and generative voices have it partly only;
//   - lexicons (PutLexicon) are account resources: a lexicon per session and glossary version would be created,
//     swapped and deleted through lexicon operations limited to 2 per second per account, all of them together
//     ("Quotas in Amazon Polly", https://docs.aws.amazon.com/polly/latest/dg/limits.html), and would apply to every
//     occurrence of a word, also where a target form made it a word of the target language.
// A sentence without a term is sent as plain text, as before.
import { type LanguageCode, type PollyClient, SynthesizeSpeechCommand, type VoiceId } from '@aws-sdk/client-polly';
import { baseLanguage } from '@llt/events';
import { describeAwsError, isTransientAwsError } from '@llt/platform';
import type { Pronunciation, SpeechEngine, SynthesizedSpeech } from '#core/ports';
import { SynthesisError } from '#errors';
import { AMAZON_POLLY_VOICES, type PollyVoice } from './aws-polly-voices.ts';
import { mp3Info } from './mp3-frames.ts';
import { languageAttribute, speechPieces } from './pronunciations.ts';

/** Error names the workflow matches on; keep them stable (they are part of the state machine definition). */
export const SYNTHESIS_THROTTLED_ERROR = 'SynthesisThrottledError';
export const UNSUPPORTED_POLLY_LANGUAGE_ERROR = 'UnsupportedPollyLanguageError';

/** Polly refused for load or failed on its side: the same request may succeed later. */
export class SynthesisThrottledError extends SynthesisError {
  override name = SYNTHESIS_THROTTLED_ERROR;
}

/** Polly has no voice for the language: retrying cannot help; the language is captions only on AWS. */
export class UnsupportedPollyLanguageError extends SynthesisError {
  override name = UNSUPPORTED_POLLY_LANGUAGE_ERROR;
}

export interface PollySpeechEngineOptions {
  /** Longest accepted text; default 3000 characters, Polly's billed-character limit per request. */
  maxChars?: number;
}

/** Polly's limit on a request's whole text, SSML tags included (billed characters are limited to 3000 apart). */
const MAX_SSML_CHARS = 6000;

// Polly's defaults per engine, stated so the rate (and so the MP3 frame size) does not change under us.
const SAMPLE_RATES: Record<'neural' | 'standard', string> = { neural: '24000', standard: '22050' };

export class PollySpeechEngine implements SpeechEngine {
  readonly #maxChars: number;

  constructor(
    private readonly client: PollyClient,
    options: PollySpeechEngineOptions = {},
  ) {
    this.#maxChars = options.maxChars ?? 3000;
  }

  async synthesize(
    text: string,
    language: string,
    pronunciations: readonly Pronunciation[] = [],
  ): Promise<SynthesizedSpeech> {
    const voice = pollyVoiceFor(language);
    if (!voice) {
      throw new UnsupportedPollyLanguageError(
        `no Amazon Polly voice for language "${language}" (Polly voices exist for: ${AMAZON_POLLY_VOICES.map((v) => v.language).join(', ')}); its captions are not spoken`,
      );
    }
    if (text.trim() === '') throw new SynthesisError('cannot synthesize empty text');
    if (text.length > this.#maxChars) {
      throw new SynthesisError(`text is ${text.length} characters; the limit is ${this.#maxChars}`);
    }

    const what = `Amazon Polly ${voice.voice} (${voice.kind})`;
    const ssml = pronunciations.length > 0 ? pollySsml(text, pronunciations, voice) : undefined;
    // Markup that would pass Polly's whole-text limit: the sentence is said plain rather than not at all.
    const marked = ssml !== undefined && ssml.length <= MAX_SSML_CHARS ? ssml : undefined;
    let audio: Uint8Array;
    try {
      const out = await this.client.send(
        new SynthesizeSpeechCommand({
          Text: marked ?? text,
          // Plain text: Polly reads "<", "&" and the like as written; nothing in the caption can act as markup. SSML
          // (for glossary terms) is ours, with every character of the caption and the glossary escaped.
          TextType: marked ? 'ssml' : 'text',
          OutputFormat: 'mp3',
          SampleRate: SAMPLE_RATES[voice.kind],
          VoiceId: voice.voice as VoiceId,
          // The voice's own language, which a bilingual voice (Kajal: Indian English and Hindi) needs to be told.
          LanguageCode: voice.pollyLanguage as LanguageCode,
          Engine: voice.kind,
        }),
      );
      if (!out.AudioStream) throw new SynthesisError(`${what} returned no AudioStream`);
      // Read inside the try: the body streams after the headers, so a connection reset surfaces here.
      audio = await out.AudioStream.transformToByteArray();
    } catch (cause) {
      if (cause instanceof SynthesisError) throw cause;
      const message = `${what} failed (${describeAwsError(cause)})`;
      if (isTransientAwsError(cause)) throw new SynthesisThrottledError(message, { cause });
      throw new SynthesisError(message, { cause });
    }
    if (audio.length === 0) throw new SynthesisError(`${what} returned no audio`);
    // The response carries no duration; the frame headers give it exactly (Mp3FormatError if Polly sent no MP3).
    const { durationMs } = mp3Info(audio);
    return { audio, contentType: 'audio/mpeg', durationMs, engine: `polly:${voice.voice}` };
  }
}

/** The voice for a target language: its own ("fr-CA"), else its base language's ("es-US" → the "es" voice). */
export function pollyVoiceFor(language: string): PollyVoice | undefined {
  return (
    AMAZON_POLLY_VOICES.find((v) => v.language === language) ??
    AMAZON_POLLY_VOICES.find((v) => v.language === baseLanguage(language))
  );
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string);
}

/**
 * The sentence as Polly SSML: the text escaped, each glossary term as `<sub alias="spoken form">`, inside `<lang>`
 * with the spoken form's language where Polly has a voice for it and it is not the voice's own.
 */
export function pollySsml(text: string, pronunciations: readonly Pronunciation[], voice: PollyVoice): string {
  const body = speechPieces(text, pronunciations)
    .map((piece) => {
      if (!piece.say) return escapeXml(piece.text);
      const sub = `<sub alias="${escapeXml(piece.say.spoken)}">${escapeXml(piece.text)}</sub>`;
      const spokenLanguage = pollyVoiceFor(piece.say.language)?.pollyLanguage;
      if (!spokenLanguage || spokenLanguage === voice.pollyLanguage) return sub;
      return `<lang xml:lang="${languageAttribute(spokenLanguage)}">${sub}</lang>`;
    })
    .join('');
  return `<speak>${body}</speak>`;
}
