// Synthesize configuration, read from the environment once.

import { availableParallelism } from 'node:os';
import { parseLanguages } from '@llt/events';
import {
  type AwsEndpoints,
  ConfigError,
  endpointsFromEnv,
  intEnv,
  optionalEnv,
  RESOURCE_ENV,
  requireEnv,
} from '@llt/platform';

/** local: the best installed voice per language (Pico, festival, espeak-ng); espeak: espeak-ng only; polly: AWS. */
export type SpeechEngineName = 'local' | 'espeak' | 'polly';

export interface SynthesizeConfig {
  aws: AwsEndpoints;
  eventBus: string;
  audioBucket: string;
  /** The sessions table, where the session glossaries are (LLT_SESSIONS_TABLE). */
  sessionsTable: string;
  engine: SpeechEngineName;
  /** Lifetime of the presigned audio URLs, in seconds. */
  urlTtlSeconds: number;
  /**
   * Origin (and path) listeners reach the audio bucket at, when it is not the endpoint this service writes to:
   * locally, the system's public port proxies the S3 emulator under /s3.
   */
  audioPublicEndpoint: string | undefined;
  /** Worker threads running the local engine; 0 runs it on the event loop (which then stalls while it encodes). */
  speechWorkers: number;
  /**
   * CPU priority of those threads (Linux nice, 0–19): above 0 they yield the cores to speech recognition on a busy
   * machine (LLT_TTS_NICE).
   */
  speechNice: number;
  /** The targets the deployment speaks (LLT_LANGUAGES): only their voices are loaded at start; all when unset. */
  spokenLanguages: string[] | undefined;
}

/** Worker threads by default: one per core, at most this many (each loads its own voices, ~100 MB). */
const MAX_DEFAULT_SPEECH_WORKERS = 4;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SynthesizeConfig {
  const engine = optionalEnv('LLT_TTS_ENGINE', env) ?? 'local';
  if (engine !== 'local' && engine !== 'espeak' && engine !== 'polly') {
    throw new ConfigError(`LLT_TTS_ENGINE must be local, espeak or polly, got "${engine}"`);
  }
  const urlTtlSeconds = intEnv('LLT_AUDIO_URL_TTL_S', 300, env);
  if (urlTtlSeconds < 1 || urlTtlSeconds > 604_800) {
    throw new ConfigError(`LLT_AUDIO_URL_TTL_S must be between 1 and 604800 (7 days), got ${urlTtlSeconds}`);
  }
  return {
    aws: endpointsFromEnv(env),
    eventBus: requireEnv(RESOURCE_ENV.eventBus, env),
    audioBucket: requireEnv(RESOURCE_ENV.audioBucket, env),
    sessionsTable: requireEnv(RESOURCE_ENV.sessionsTable, env),
    engine,
    urlTtlSeconds,
    // A sentence's languages are spoken at once, one per core: with one worker the fourth language's speech
    // waited for the other three's.
    speechWorkers: intEnv('LLT_TTS_WORKERS', Math.min(MAX_DEFAULT_SPEECH_WORKERS, availableParallelism()), env),
    speechNice: niceOf(env),
    audioPublicEndpoint: optionalEnv('LLT_AUDIO_PUBLIC_ENDPOINT', env),
    spokenLanguages: env.LLT_LANGUAGES ? parseLanguages(env.LLT_LANGUAGES).spoken : undefined,
  };
}

function niceOf(env: NodeJS.ProcessEnv): number {
  const nice = intEnv('LLT_TTS_NICE', 10, env);
  if (nice < 0 || nice > 19) throw new ConfigError(`LLT_TTS_NICE must be 0–19, got ${nice}`);
  return nice;
}
