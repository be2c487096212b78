// Notify configuration, read from the environment once.
import { type AwsEndpoints, endpointsFromEnv, intEnv, RESOURCE_ENV, requireEnv } from '@llt/platform';

export interface NotifyConfig {
  aws: AwsEndpoints;
  sessionsTable: string;
  captionsTable: string;
  managementEndpoint: string;
  /** postToConnection calls in flight at once per fan-out. */
  concurrency: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  return {
    aws: endpointsFromEnv(env),
    sessionsTable: requireEnv(RESOURCE_ENV.sessionsTable, env),
    captionsTable: requireEnv(RESOURCE_ENV.captionsTable, env),
    managementEndpoint: requireEnv(RESOURCE_ENV.websocketManagementEndpoint, env),
    concurrency: intEnv('LLT_NOTIFY_CONCURRENCY', 64, env),
  };
}
