// Transcribe configuration, read from the environment once.
import { type AwsEndpoints, endpointsFromEnv, RESOURCE_ENV, requireEnv } from '@llt/platform';

export interface TranscribeConfig {
  aws: AwsEndpoints;
  eventBus: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TranscribeConfig {
  return { aws: endpointsFromEnv(env), eventBus: requireEnv(RESOURCE_ENV.eventBus, env) };
}
