// Transcribe configuration, read from the environment once and checked at start-up.
import {
  type AwsEndpoints,
  ConfigError,
  endpointsFromEnv,
  intEnv,
  optionalEnv,
  RESOURCE_ENV,
  requireEnv,
} from '@llt/platform';

export type AsrEngine = 'pocketsphinx' | 'amazon-transcribe';

export interface TranscribeConfig {
  aws: AwsEndpoints;
  eventBus: string;
  transcriptsTable: string;
  engine: AsrEngine;
  /** Recognisers open at once. */
  maxSessions: number;
  /** Silence that ends an utterance, in ms. */
  hangoverMs: number;
  /** Silence after which the recogniser's final pass starts ahead of the endpoint, in ms. */
  speculateAfterMs: number;
  /** PocketSphinx search: 'fast' skips the flat-lexicon and best-path passes at the end of an utterance. */
  search: 'fast' | 'accurate';
  idleMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TranscribeConfig {
  const engine = optionalEnv('LLT_ASR_ENGINE', env) ?? 'pocketsphinx';
  if (engine !== 'pocketsphinx' && engine !== 'amazon-transcribe') {
    throw new ConfigError(`LLT_ASR_ENGINE must be pocketsphinx or amazon-transcribe, got "${engine}"`);
  }
  return {
    aws: endpointsFromEnv(env),
    eventBus: requireEnv(RESOURCE_ENV.eventBus, env),
    transcriptsTable: requireEnv(RESOURCE_ENV.transcriptsTable, env),
    engine,
    maxSessions: intEnv('LLT_ASR_MAX_SESSIONS', 8, env),
    hangoverMs: intEnv('LLT_ASR_HANGOVER_MS', 300, env),
    speculateAfterMs: intEnv('LLT_ASR_SPECULATE_MS', 100, env),
    search: optionalEnv('LLT_ASR_SEARCH', env) === 'fast' ? 'fast' : 'accurate',
    idleMs: intEnv('LLT_ASR_IDLE_MS', 120_000, env),
  };
}
