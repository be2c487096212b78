// Translate configuration, read from the environment once.
import {
  type AwsEndpoints,
  ConfigError,
  endpointsFromEnv,
  listEnv,
  optionalEnv,
  RESOURCE_ENV,
  requireEnv,
} from '@llt/platform';

export type TranslationEngineName = 'apertium' | 'amazon-translate';

export interface TranslateConfig {
  aws: AwsEndpoints;
  eventBus: string;
  engine: TranslationEngineName;
  /** Languages this deployment offers; their engines are warmed at start. */
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
    engine,
    targetLanguages: listEnv('LLT_TARGET_LANGUAGES', env) ?? [],
  };
}
