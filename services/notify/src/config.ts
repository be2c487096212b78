// Notify configuration, read from the environment once.
import { type DeploymentLanguages, parseLanguages } from '@llt/events';
import { type AwsEndpoints, endpointsFromEnv, intEnv, optionalEnv, RESOURCE_ENV, requireEnv } from '@llt/platform';

export interface NotifyConfig {
  aws: AwsEndpoints;
  sessionsTable: string;
  captionsTable: string;
  managementEndpoint: string;
  /** postToConnection calls in flight at once per fan-out. */
  concurrency: number;
  /** What the deployment's engines offer (LLT_LANGUAGES): which targets are spoken, which codes are known. */
  languages: DeploymentLanguages;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  return {
    aws: endpointsFromEnv(env),
    sessionsTable: requireEnv(RESOURCE_ENV.sessionsTable, env),
    captionsTable: requireEnv(RESOURCE_ENV.captionsTable, env),
    managementEndpoint: requireEnv(RESOURCE_ENV.websocketManagementEndpoint, env),
    concurrency: intEnv('LLT_NOTIFY_CONCURRENCY', 64, env),
    languages: parseLanguages(optionalEnv('LLT_LANGUAGES', env)),
  };
}
