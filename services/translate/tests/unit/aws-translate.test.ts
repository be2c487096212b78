// The Amazon Translate engine against a mocked TranslateText: request, declared codes, empty text, error mapping.
import {
  InternalServerException,
  ServiceUnavailableException,
  TextSizeLimitExceededException,
  TooManyRequestsException,
  TranslateClient,
  TranslateTextCommand,
} from '@aws-sdk/client-translate';
import { failureOf } from '@llt/platform/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import {
  AmazonTranslateEngine,
  TRANSLATION_THROTTLED_ERROR,
  TranslationThrottledError,
  translateSourceCode,
} from '#adapters/aws-translate';
import { TranslationEngineError, UnsupportedLanguagePairError } from '#errors';

const client = new TranslateClient({ region: 'us-east-1' });
const translate = mockClient(client);
const engine = new AmazonTranslateEngine(client);

beforeEach(() => {
  translate.reset();
});

describe('AmazonTranslateEngine', () => {
  test('sends the text with the language codes and returns the translation', async () => {
    translate.on(TranslateTextCommand).resolves({
      TranslatedText: 'Bon dia a tothom.',
      SourceLanguageCode: 'en',
      TargetLanguageCode: 'ca',
    });
    await expect(engine.translate('Good morning, everyone.', 'en', 'ca')).resolves.toBe('Bon dia a tothom.');
    const calls = translate.commandCalls(TranslateTextCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Text: 'Good morning, everyone.',
      SourceLanguageCode: 'en',
      TargetLanguageCode: 'ca',
    });
  });

  test('is named amazon-translate whatever the target', () => {
    expect(engine.name()).toBe('amazon-translate');
  });

  test.each(['', '   ', '\n\t '])(
    'empty or whitespace text %j returns "" without calling the service',
    async (text) => {
      await expect(engine.translate(text, 'en', 'es')).resolves.toBe('');
      expect(translate.commandCalls(TranslateTextCommand)).toHaveLength(0);
    },
  );

  test('a target Amazon Translate does not have is refused with a clear message, without a call', async () => {
    const error = await failureOf(engine.translate('Hello.', 'en', 'gl'));
    expect(error).toBeInstanceOf(UnsupportedLanguagePairError);
    expect(error.message).toMatch(/Amazon Translate does not translate into "gl"/);
    await expect(engine.translate('Hello.', 'en', 'eo')).rejects.toThrow(UnsupportedLanguagePairError);
    // A target is one of Translate's own codes, never resolved to another variant.
    await expect(engine.translate('Hello.', 'en', 'es-US')).rejects.toThrow(UnsupportedLanguagePairError);
    expect(translate.commandCalls(TranslateTextCommand)).toHaveLength(0);
  });

  test('a source language Amazon Translate does not have is refused', async () => {
    await expect(engine.translate('Hello.', 'xx', 'es')).rejects.toThrow(/does not translate from "xx"/);
    await expect(engine.translate('Hello.', 'ckb-IQ', 'en')).rejects.toThrow(UnsupportedLanguagePairError);
    expect(translate.commandCalls(TranslateTextCommand)).toHaveLength(0);
  });

  test.each([
    ['es', 'fr', 'es', 'fr'],
    ['es-US', 'fr', 'es', 'fr'],
    ['es-ES', 'en', 'es', 'en'],
    ['es', 'fr-CA', 'es', 'fr-CA'],
    ['es-US', 'pt-PT', 'es', 'pt-PT'],
    ['fr-CA', 'en', 'fr-CA', 'en'],
    ['zh-CN', 'en', 'zh', 'en'],
    ['zh-TW', 'ja', 'zh-TW', 'ja'],
    ['pt-BR', 'es-MX', 'pt', 'es-MX'],
    ['en-GB', 'de', 'en', 'de'],
  ])(
    'a %s session translated into %s reaches Amazon Translate as %s → %s',
    async (sourceLanguage, targetLanguage, source, target) => {
      translate.on(TranslateTextCommand).resolves({ TranslatedText: 'Bonjour.' });
      await expect(engine.translate('Hola.', sourceLanguage, targetLanguage)).resolves.toBe('Bonjour.');
      expect(translate.commandCalls(TranslateTextCommand)[0]!.args[0].input).toEqual({
        Text: 'Hola.',
        SourceLanguageCode: source,
        TargetLanguageCode: target,
      });
    },
  );

  test.each([
    ['es', 'es'],
    ['es-US', 'es'],
    ['es-MX', 'es-MX'],
    ['fa-AF', 'fa-AF'],
    ['fa-IR', 'fa'],
    ['no-NO', 'no'],
    ['he-IL', 'he'],
    ['gl-ES', undefined],
  ])('translateSourceCode(%s) is %s', (language, code) => {
    expect(translateSourceCode(language)).toBe(code);
  });

  test.each([
    ['TooManyRequestsException', () => new TooManyRequestsException({ message: 'slow down', $metadata: {} })],
    ['ServiceUnavailableException', () => new ServiceUnavailableException({ message: 'down', $metadata: {} })],
    ['InternalServerException', () => new InternalServerException({ message: 'oops', $metadata: {} })],
    [
      'an unmodelled ThrottlingException',
      () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }),
    ],
    ['any 5xx', () => Object.assign(new Error('bad gateway'), { name: 'Unknown', $metadata: { httpStatusCode: 502 } })],
    ['a reset connection', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('%s becomes a retryable TranslationThrottledError keeping the cause', async (_label, make) => {
    const cause = make();
    translate.on(TranslateTextCommand).rejects(cause);
    const error = await failureOf(engine.translate('Hello.', 'en', 'es'));
    expect(error).toBeInstanceOf(TranslationThrottledError);
    expect(error).toBeInstanceOf(TranslationEngineError);
    expect(error.name).toBe(TRANSLATION_THROTTLED_ERROR);
    expect(error.name).toBe('TranslationThrottledError');
    expect(error.message).toMatch(/Amazon Translate en→es failed/);
    expect(error.cause).toBe(cause);
  });

  test('other failures become a TranslationEngineError keeping the cause', async () => {
    const cause = new TextSizeLimitExceededException({ message: 'too long', $metadata: { httpStatusCode: 400 } });
    translate.on(TranslateTextCommand).rejects(cause);
    const error = await failureOf(engine.translate('Hello.', 'en', 'es'));
    expect(error).toBeInstanceOf(TranslationEngineError);
    expect(error).not.toBeInstanceOf(TranslationThrottledError);
    expect(error.name).toBe('TranslationEngineError');
    expect(error.message).toMatch(/TextSizeLimitExceededException: too long/);
    expect(error.cause).toBe(cause);
  });

  test('a response without TranslatedText is an engine error', async () => {
    translate.on(TranslateTextCommand).resolves({});
    await expect(engine.translate('Hello.', 'en', 'es')).rejects.toThrow(/returned no TranslatedText/);
  });
});
