// The Amazon Polly engine against a mocked SynthesizeSpeech: request per chosen voice, audio, duration, errors.
import { Readable } from 'node:stream';
import {
  PollyClient,
  ServiceFailureException,
  SynthesizeSpeechCommand,
  type SynthesizeSpeechCommandOutput,
  TextLengthExceededException,
} from '@aws-sdk/client-polly';
import { failureOf } from '@llt/platform/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import {
  PollySpeechEngine,
  SYNTHESIS_THROTTLED_ERROR,
  SynthesisThrottledError,
  UNSUPPORTED_POLLY_LANGUAGE_ERROR,
  UnsupportedPollyLanguageError,
} from '#adapters/aws-polly';
import { encodeMp3 } from '#adapters/mp3';
import { Mp3FormatError } from '#adapters/mp3-frames';
import { SynthesisError } from '#errors';

const client = new PollyClient({ region: 'us-east-1' });
const polly = mockClient(client);
const engine = new PollySpeechEngine(client);

function tone(sampleRate: number, seconds: number): Int16Array {
  const pcm = new Int16Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 180 * i) / sampleRate));
  return pcm;
}

// What Polly sends for a neural voice: MP3 at 24 kHz.
const MP3 = await encodeMp3(tone(24_000, 1.5), { sampleRate: 24_000, bitrateKbps: 48 });

/**
 * The SDK's streaming body: a Node Readable with the sdkStreamMixin methods. @smithy/util-stream (which exports the
 * mixin) does not resolve from this package, so the one method the engine uses is added over a real Readable.
 */
function audioStream(bytes: Uint8Array, fail?: Error): NonNullable<SynthesizeSpeechCommandOutput['AudioStream']> {
  const stream = Readable.from(fail ? [] : [Buffer.from(bytes)]);
  const transformToByteArray = async () => {
    if (fail) throw fail;
    return new Uint8Array(Buffer.concat((await stream.toArray()) as Buffer[]));
  };
  return Object.assign(stream, { transformToByteArray }) as unknown as NonNullable<
    SynthesizeSpeechCommandOutput['AudioStream']
  >;
}

beforeEach(() => {
  polly.reset();
});

describe('PollySpeechEngine', () => {
  test("asks Polly for MP3 in the language's voice as plain text and returns the bytes with their duration", async () => {
    polly.on(SynthesizeSpeechCommand).resolves({ AudioStream: audioStream(MP3), ContentType: 'audio/mpeg' });
    const text = 'Buenos días & <bienvenidos> a "la" charla.';
    const result = await engine.synthesize(text, 'es');

    expect(result.contentType).toBe('audio/mpeg');
    expect(result.engine).toBe('polly:Lucia');
    expect(result.audio).toEqual(MP3);
    // 1.5 s of PCM plus LAME's ~46 ms priming, rounded up to whole 24 ms frames.
    expect(result.durationMs).toBeGreaterThanOrEqual(1546);
    expect(result.durationMs).toBeLessThan(1546 + 24);
    const calls = polly.commandCalls(SynthesizeSpeechCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Text: text,
      TextType: 'text',
      OutputFormat: 'mp3',
      SampleRate: '24000',
      VoiceId: 'Lucia',
      LanguageCode: 'es-ES',
      Engine: 'neural',
    });
  });

  test.each([
    ['fr', 'Lea', 'neural', 'fr-FR'],
    ['fr-CA', 'Gabrielle', 'neural', 'fr-CA'],
    ['de', 'Vicki', 'neural', 'de-DE'],
    ['es-MX', 'Mia', 'neural', 'es-MX'],
    ['es-US', 'Lucia', 'neural', 'es-ES'],
    ['pt', 'Camila', 'neural', 'pt-BR'],
    ['pt-PT', 'Ines', 'neural', 'pt-PT'],
    ['zh', 'Zhiyu', 'neural', 'cmn-CN'],
    ['hi', 'Kajal', 'neural', 'hi-IN'],
    ['ru', 'Tatyana', 'standard', 'ru-RU'],
    ['is', 'Dora', 'standard', 'is-IS'],
  ])('a %s caption is spoken by %s (%s) in %s', async (language, voice, kind, languageCode) => {
    polly.on(SynthesizeSpeechCommand).resolves({ AudioStream: audioStream(MP3) });
    await expect(engine.synthesize('Bonjour.', language)).resolves.toMatchObject({ engine: `polly:${voice}` });
    expect(polly.commandCalls(SynthesizeSpeechCommand)[0]!.args[0].input).toMatchObject({
      VoiceId: voice,
      Engine: kind,
      LanguageCode: languageCode,
      SampleRate: kind === 'neural' ? '24000' : '22050',
    });
  });

  test('uses each language’s own voice', async () => {
    polly.on(SynthesizeSpeechCommand).resolves({ AudioStream: audioStream(MP3) });
    await expect(engine.synthesize('Bon dia.', 'ca')).resolves.toMatchObject({ engine: 'polly:Arlet' });
    expect(polly.commandCalls(SynthesizeSpeechCommand)[0]!.args[0].input).toMatchObject({
      VoiceId: 'Arlet',
      Engine: 'neural',
      SampleRate: '24000',
    });
  });

  test.each(['gl', 'eo', 'uk', 'sw', 'xx'])(
    'a language Polly has no voice for (%s) is captions only: refused without a call',
    async (language) => {
      const error = await failureOf(engine.synthesize('Hello.', language));
      expect(error).toBeInstanceOf(UnsupportedPollyLanguageError);
      expect(error).toBeInstanceOf(SynthesisError);
      expect(error.name).toBe(UNSUPPORTED_POLLY_LANGUAGE_ERROR);
      expect(error.message).toContain(`no Amazon Polly voice for language "${language}"`);
      expect(error.message).toContain('es, es-MX');
      expect(polly.commandCalls(SynthesizeSpeechCommand)).toHaveLength(0);
    },
  );

  test('empty or overlong text is refused without a call', async () => {
    await expect(engine.synthesize('  \n ', 'es')).rejects.toThrow(/empty text/);
    const short = new PollySpeechEngine(client, { maxChars: 10 });
    await expect(short.synthesize('Una frase bastante larga.', 'es')).rejects.toThrow(/limit is 10/);
    expect(polly.commandCalls(SynthesizeSpeechCommand)).toHaveLength(0);
  });

  test.each([
    ['ServiceFailureException', () => new ServiceFailureException({ message: 'failed', $metadata: {} })],
    [
      'ThrottlingException',
      () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }),
    ],
    ['any 5xx', () => Object.assign(new Error('unavailable'), { name: 'Unknown', $metadata: { httpStatusCode: 503 } })],
  ])('%s becomes a retryable SynthesisThrottledError keeping the cause', async (_label, make) => {
    const cause = make();
    polly.on(SynthesizeSpeechCommand).rejects(cause);
    const error = await failureOf(engine.synthesize('Hola.', 'es'));
    expect(error).toBeInstanceOf(SynthesisThrottledError);
    expect(error.name).toBe(SYNTHESIS_THROTTLED_ERROR);
    expect(error.name).toBe('SynthesisThrottledError');
    expect(error.message).toMatch(/Amazon Polly Lucia \(neural\) failed/);
    expect(error.cause).toBe(cause);
  });

  test('a connection reset while reading the audio is retryable too', async () => {
    const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    polly.on(SynthesizeSpeechCommand).resolves({ AudioStream: audioStream(MP3, reset) });
    const error = await failureOf(engine.synthesize('Hola.', 'es'));
    expect(error).toBeInstanceOf(SynthesisThrottledError);
    expect(error.cause).toBe(reset);
  });

  test('other failures become a SynthesisError keeping the cause', async () => {
    const cause = new TextLengthExceededException({ message: 'too long', $metadata: { httpStatusCode: 400 } });
    polly.on(SynthesizeSpeechCommand).rejects(cause);
    const error = await failureOf(engine.synthesize('Hola.', 'es'));
    expect(error).toBeInstanceOf(SynthesisError);
    expect(error).not.toBeInstanceOf(SynthesisThrottledError);
    expect(error.name).toBe('SynthesisError');
    expect(error.message).toMatch(/TextLengthExceededException: too long/);
    expect(error.cause).toBe(cause);
  });

  test('a response without audio, or with bytes that are not MP3, is an error', async () => {
    polly
      .on(SynthesizeSpeechCommand)
      .resolvesOnce({})
      .resolvesOnce({ AudioStream: audioStream(new Uint8Array(0)) });
    await expect(engine.synthesize('Hola.', 'es')).rejects.toThrow(/returned no AudioStream/);
    await expect(engine.synthesize('Hola.', 'es')).rejects.toThrow(/returned no audio/);
    polly.on(SynthesizeSpeechCommand).resolves({ AudioStream: audioStream(new TextEncoder().encode('x'.repeat(500))) });
    await expect(engine.synthesize('Hola.', 'es')).rejects.toBeInstanceOf(Mp3FormatError);
  });
});
