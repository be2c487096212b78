// Translate configuration, read from the environment once.
import { type AwsEndpoints, endpointsFromEnv, RESOURCE_ENV, requireEnv } from '@llt/platform';

export interface TranslateConfig {
  aws: AwsEndpoints;
  eventBus: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TranslateConfig {
  return { aws: endpointsFromEnv(env), eventBus: requireEnv(RESOURCE_ENV.eventBus, env) };
}
