// Translate configuration, read from the environment once.
import { parseLanguages } from '@llt/events';
import { type AwsEndpoints, ConfigError, endpointsFromEnv, optionalEnv, RESOURCE_ENV, requireEnv } from '@llt/platform';

export type TranslationEngineName = 'apertium' | 'amazon-translate';

export interface TranslateConfig {
  aws: AwsEndpoints;
  eventBus: string;
  /** The memo of pieces translated for utterances in progress (TRANSLATION_MEMO_TABLE). */
  translationMemoTable: string;
  /** The sessions table, where the session glossaries are (LLT_SESSIONS_TABLE). */
  sessionsTable: string;
  engine: TranslationEngineName;
  /** Targets this deployment offers (LLT_LANGUAGES); their pipelines are warmed at start. */
  targetLanguages: string[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TranslateConfig {
  const engine = optionalEnv('LLT_TRANSLATE_ENGINE', env) ?? 'apertium';
  if (engine !== 'apertium' && engine !== 'amazon-translate') {
    throw new ConfigError(`LLT_TRANSLATE_ENGINE must be apertium or amazon-translate, got "${engine}"`);
  }
  return {
    aws: endpointsFromEnv(env),
    eventBus: requireEnv(RESOURCE_ENV.eventBus, env),
    translationMemoTable: requireEnv(RESOURCE_ENV.translationMemoTable, env),
    sessionsTable: requireEnv(RESOURCE_ENV.sessionsTable, env),
    engine,
    targetLanguages: parseLanguages(optionalEnv('LLT_LANGUAGES', env)).targets,
  };
}
