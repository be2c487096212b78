// Glossary terms through the Amazon Polly engine, against a mocked SynthesizeSpeech: the exact SSML request (each
// term as `<sub alias>` in `<lang>` of the spoken form's language, everything else escaped), and plain text where
// there is no term to say another way.
import { Readable } from 'node:stream';
import { PollyClient, SynthesizeSpeechCommand, type SynthesizeSpeechCommandOutput } from '@aws-sdk/client-polly';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { PollySpeechEngine, pollySsml, pollyVoiceFor } from '#adapters/aws-polly';
import { encodeMp3 } from '#adapters/mp3';
import type { Pronunciation } from '#core/ports';

const client = new PollyClient({ region: 'us-east-1' });
const polly = mockClient(client);
const engine = new PollySpeechEngine(client);
const MP3 = await encodeMp3(new Int16Array(24_000).fill(1000), { sampleRate: 24_000, bitrateKbps: 48 });

function audioStream(bytes: Uint8Array): NonNullable<SynthesizeSpeechCommandOutput['AudioStream']> {
  const stream = Readable.from([Buffer.from(bytes)]);
  const transformToByteArray = async () => new Uint8Array(bytes);
  return Object.assign(stream, { transformToByteArray }) as unknown as NonNullable<
    SynthesizeSpeechCommandOutput['AudioStream']
  >;
}

/** The pronunciation of the first `term` in `text`. */
function at(text: string, term: string, spoken: string, language = 'en'): Pronunciation {
  const start = text.indexOf(term);
  return { start, end: start + term.length, spoken, language };
}

beforeEach(() => {
  polly.reset();
  polly.on(SynthesizeSpeechCommand).callsFake(async () => ({ AudioStream: audioStream(MP3) }));
});

function request() {
  const calls = polly.commandCalls(SynthesizeSpeechCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input;
}

describe('PollySpeechEngine with glossary terms', () => {
  test('sends SSML with each term as <sub alias> inside <lang> of the source language', async () => {
    const text = 'El informe de Nguyen sobre Kubernetes.';
    await engine.synthesize(text, 'es', [
      at(text, 'Nguyen', 'win'),
      at(text, 'Kubernetes', 'koo ber net eez', 'en-US'),
    ]);
    expect(request()).toEqual({
      Text:
        '<speak>El informe de <lang xml:lang="en-US"><sub alias="win">Nguyen</sub></lang> sobre ' +
        '<lang xml:lang="en-US"><sub alias="koo ber net eez">Kubernetes</sub></lang>.</speak>',
      TextType: 'ssml',
      OutputFormat: 'mp3',
      SampleRate: '24000',
      VoiceId: 'Lucia',
      LanguageCode: 'es-ES',
      Engine: 'neural',
    });
  });

  test('escapes the caption and the spoken form: nothing of theirs is markup', async () => {
    const text = 'Nguyen <break time="9s"/> & "yo"';
    await engine.synthesize(text, 'fr', [at(text, 'Nguyen', 'w"i<n')]);
    expect(request()).toMatchObject({
      Text: '<speak><lang xml:lang="en-US"><sub alias="w&quot;i&lt;n">Nguyen</sub></lang> &lt;break time=&quot;9s&quot;/&gt; &amp; &quot;yo&quot;</speak>',
      TextType: 'ssml',
      VoiceId: 'Lea',
    });
  });

  test("a spoken form in the voice's own language, or one Polly has no voice for, is a bare <sub>", () => {
    const text = 'Hello Nguyen.';
    const joanna = pollyVoiceFor('en')!;
    expect(pollySsml(text, [at(text, 'Nguyen', 'win', 'en-US')], joanna)).toBe(
      '<speak>Hello <sub alias="win">Nguyen</sub>.</speak>',
    );
    expect(pollySsml(text, [at(text, 'Nguyen', 'win', 'gl')], pollyVoiceFor('es')!)).toBe(
      '<speak>Hello <sub alias="win">Nguyen</sub>.</speak>',
    );
  });

  test('a standard voice gets the same SSML, at its own sample rate', async () => {
    const text = 'Raportul lui Nguyen.';
    await engine.synthesize(text, 'ro', [at(text, 'Nguyen', 'win')]);
    expect(request()).toMatchObject({
      Text: '<speak>Raportul lui <lang xml:lang="en-US"><sub alias="win">Nguyen</sub></lang>.</speak>',
      TextType: 'ssml',
      VoiceId: 'Carmen',
      Engine: 'standard',
      SampleRate: '22050',
    });
  });

  test('without pronunciations the request is plain text, as before', async () => {
    await engine.synthesize('El informe de Nguyen & <b>.', 'es', []);
    expect(request()).toMatchObject({ Text: 'El informe de Nguyen & <b>.', TextType: 'text' });
  });

  test('markup past the 6000-character limit: the sentence is said plain rather than refused', async () => {
    const text = `${'Nguyen '.repeat(400)}fin.`;
    const pronunciations = [...text.matchAll(/Nguyen/g)].map((m) => ({
      start: m.index,
      end: m.index + 6,
      spoken: 'win',
      language: 'en',
    }));
    await engine.synthesize(text, 'es', pronunciations);
    expect(request()).toMatchObject({ Text: text, TextType: 'text' });
  });
});
