// Errors of the translate service.
export class UnsupportedLanguagePairError extends Error {
  override name = 'UnsupportedLanguagePairError';
}
export class TranslationEngineError extends Error {
  override name = 'TranslationEngineError';
}
