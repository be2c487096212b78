// Glossary terms through the Amazon Translate engine, against a mocked TranslateText: the exact request (each term
// a placeholder in an element marked translate="no", the speaker's words escaped), the target forms put back, and
// what a reply that lost a term gives.
import { TranslateClient, TranslateTextCommand } from '@aws-sdk/client-translate';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { AmazonTranslateEngine, markedTerms, plainText } from '#adapters/aws-translate';
import type { GlossaryTerm } from '#core/terms';

const client = new TranslateClient({ region: 'us-east-1' });
const translate = mockClient(client);
const engine = new AmazonTranslateEngine(client);

const glossary: GlossaryTerm[] = [
  { term: 'Nguyen' },
  { term: 'New Bridge Fund', targets: { es: 'Fondo Nuevo Puente', fr: 'Fonds Nouveau Pont' } },
];

beforeEach(() => {
  translate.reset();
});

/** The Text of the only TranslateText request sent. */
function sentText(): string {
  const calls = translate.commandCalls(TranslateTextCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input.Text as string;
}

describe('AmazonTranslateEngine with a glossary', () => {
  test('sends each term as a placeholder kept by translate="no" and returns the target forms', async () => {
    translate.on(TranslateTextCommand).resolves({
      TranslatedText:
        '<span translate="no">Zqxa</span> y el <span translate="no">Zqxb</span> compraron la casa de <span translate="no">Zqxc</span>.',
    });
    const out = await engine.translate('Nguyen and the New Bridge Fund bought the house of nguyen.', 'en', 'es', {
      glossary,
    });
    expect(translate.commandCalls(TranslateTextCommand)[0]!.args[0].input).toEqual({
      Text: '<span translate="no">Zqxa</span> and the <span translate="no">Zqxb</span> bought the house of <span translate="no">Zqxc</span>.',
      SourceLanguageCode: 'en',
      TargetLanguageCode: 'es',
    });
    expect(out).toBe('Nguyen y el Fondo Nuevo Puente compraron la casa de Nguyen.');
  });

  test('a target form is per language; a language without one keeps the term', async () => {
    translate.on(TranslateTextCommand).resolves({ TranslatedText: 'Le <span translate="no">Zqxa</span> paie.' });
    await expect(engine.translate('The New Bridge Fund pays.', 'en', 'fr', { glossary })).resolves.toBe(
      'Le Fonds Nouveau Pont paie.',
    );
    translate.reset();
    translate.on(TranslateTextCommand).resolves({ TranslatedText: 'Der <span translate="no">Zqxa</span> zahlt.' });
    await expect(engine.translate('The New Bridge Fund pays.', 'en', 'de', { glossary })).resolves.toBe(
      'Der New Bridge Fund zahlt.',
    );
  });

  test("the speaker's angle brackets and ampersands are escaped, and come back as written", async () => {
    translate.on(TranslateTextCommand).resolves({
      TranslatedText: '<span translate="no">Zqxa</span> &amp; yo &lt;3 &quot;esto&quot; &#39;ya&#39;',
    });
    const out = await engine.translate('Nguyen & I <3 "this" \'now\'', 'en', 'es', { glossary });
    expect(sentText()).toBe('<span translate="no">Zqxa</span> &amp; I &lt;3 "this" \'now\'');
    expect(out).toBe('Nguyen & yo <3 "esto" \'ya\'');
  });

  test('a term the service dropped is reported lost and not put back anywhere', async () => {
    translate.on(TranslateTextCommand).resolves({ TranslatedText: 'El informe está listo.' });
    const lost = vi.fn();
    await expect(engine.translate('The report of Nguyen is ready.', 'en', 'es', { glossary, lost })).resolves.toBe(
      'El informe está listo.',
    );
    expect(lost).toHaveBeenCalledWith(['Nguyen']);
  });

  test('a sentence without a term is sent as plain text, exactly as without a glossary', async () => {
    translate.on(TranslateTextCommand).resolves({ TranslatedText: 'Hola & adiós.' });
    const lost = vi.fn();
    await expect(engine.translate('Hello & goodbye.', 'en', 'es', { glossary, lost })).resolves.toBe('Hola & adiós.');
    expect(sentText()).toBe('Hello & goodbye.');
    expect(lost).not.toHaveBeenCalled();
  });

  test('an empty glossary sends plain text', async () => {
    translate.on(TranslateTextCommand).resolves({ TranslatedText: 'Nguyen <b>' });
    await expect(engine.translate('Nguyen <b>', 'en', 'es', { glossary: [] })).resolves.toBe('Nguyen <b>');
    expect(sentText()).toBe('Nguyen <b>');
  });
});

describe('markedTerms and plainText', () => {
  test('only whole placeholders are marked, longest first', () => {
    expect(markedTerms({ text: 'Zqxa met Zqxab at Zqxabc', placeholders: ['Zqxa', 'Zqxab'] })).toBe(
      '<span translate="no">Zqxa</span> met <span translate="no">Zqxab</span> at Zqxabc',
    );
  });

  test('elements go, references are decoded, the spaces an element left are collapsed', () => {
    expect(plainText('a <span translate="no">Zqxa</span>  b &#x263A; &#9731; &nbsp;c &bogus; &amp;lt;')).toBe(
      'a Zqxa b ☺ ☃ c &bogus; &lt;',
    );
  });
});
