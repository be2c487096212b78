// Synthesize configuration, read from the environment once.
import { type AwsEndpoints, endpointsFromEnv, RESOURCE_ENV, requireEnv } from '@llt/platform';

export interface SynthesizeConfig {
  aws: AwsEndpoints;
  eventBus: string;
  audioBucket: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SynthesizeConfig {
  return {
    aws: endpointsFromEnv(env),
    eventBus: requireEnv(RESOURCE_ENV.eventBus, env),
    audioBucket: requireEnv(RESOURCE_ENV.audioBucket, env),
  };
}
