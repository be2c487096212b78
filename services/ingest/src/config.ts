// Ingest configuration, read from the environment once and checked at start-up.
import { type AwsEndpoints, endpointsFromEnv, intEnv, listEnv, RESOURCE_ENV, requireEnv } from '@llt/platform';

export interface IngestConfig {
  aws: AwsEndpoints;
  sessionsTable: string;
  connectionsTable: string;
  audioStream: string;
  eventBus: string;
  /** API Gateway Management API endpoint of the WebSocket stage (the local gateway's locally). */
  managementEndpoint: string;
  /** Target languages whose engines are available in this deployment (LLT_TARGET_LANGUAGES, comma-separated). */
  availableTargetLanguages: string[];
  sessionTtlMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return {
    aws: endpointsFromEnv(env),
    sessionsTable: requireEnv(RESOURCE_ENV.sessionsTable, env),
    connectionsTable: requireEnv(RESOURCE_ENV.connectionsTable, env),
    audioStream: requireEnv(RESOURCE_ENV.audioStream, env),
    eventBus: requireEnv(RESOURCE_ENV.eventBus, env),
    managementEndpoint: requireEnv(RESOURCE_ENV.websocketManagementEndpoint, env),
    availableTargetLanguages: listEnv('LLT_TARGET_LANGUAGES', env) ?? [],
    sessionTtlMs: intEnv('LLT_SESSION_TTL_HOURS', 12, env) * 3_600_000,
  };
}
