// Ingest configuration, read from the environment once and checked at start-up.
import { type DeploymentLanguages, parseLanguages } from '@llt/events';
import {
  type AwsEndpoints,
  ConfigError,
  endpointsFromEnv,
  intEnv,
  listEnv,
  optionalEnv,
  positiveNumberEnv,
  RESOURCE_ENV,
  requireEnv,
} from '@llt/platform';
import type { AdmissionSettings } from '#core/admission';

export interface IngestConfig {
  aws: AwsEndpoints;
  sessionsTable: string;
  connectionsTable: string;
  audioStream: string;
  eventBus: string;
  /** API Gateway Management API endpoint of the WebSocket stage (the local gateway's locally). */
  managementEndpoint: string;
  /** What this deployment's engines offer (LLT_LANGUAGES, derived from the engines by the deployment). */
  languages: DeploymentLanguages;
  sessionTtlMs: number;
  /** LLT_JOIN_ATTEMPTS_PER_MINUTE: failed join attempts per client IP and minute before further ones are refused. */
  joinAttemptsPerMinute: number;
  /** LLT_MESSAGES_PER_SECOND: average WebSocket messages a second per connection (a burst of twice that). */
  messagesPerSecond: number;
  /** LLT_SPEAKER_AUTH (default `cognito`). */
  speakerAuth: SpeakerAuthScheme;
  admission: AdmissionSettings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return {
    aws: endpointsFromEnv(env),
    sessionsTable: requireEnv(RESOURCE_ENV.sessionsTable, env),
    connectionsTable: requireEnv(RESOURCE_ENV.connectionsTable, env),
    audioStream: requireEnv(RESOURCE_ENV.audioStream, env),
    eventBus: requireEnv(RESOURCE_ENV.eventBus, env),
    managementEndpoint: requireEnv(RESOURCE_ENV.websocketManagementEndpoint, env),
    languages: parseLanguages(optionalEnv('LLT_LANGUAGES', env)),
    sessionTtlMs: Math.round(positiveNumberEnv('LLT_SESSION_TTL_HOURS', 12, env) * 3_600_000),
    joinAttemptsPerMinute: intEnv('LLT_JOIN_ATTEMPTS_PER_MINUTE', 20, env),
    messagesPerSecond: intEnv('LLT_MESSAGES_PER_SECOND', 100, env),
    speakerAuth: loadSpeakerAuthScheme(env),
    admission: loadAdmission(env),
  };
}

/**
 * LLT_ADMISSION: `measured` (default) admits a live session only while the recognition workers' capacity reports
 * have room; `off` admits every session. LLT_ADMISSION_HOLD_MS: how long a place is held without the speaker's
 * hellos (a created session's speaker has that long to connect); LLT_ADMISSION_UNREPORTED_SESSIONS: places while
 * no worker has reported.
 */
function loadAdmission(env: NodeJS.ProcessEnv): AdmissionSettings {
  const mode = optionalEnv('LLT_ADMISSION', env) ?? 'measured';
  if (mode !== 'measured' && mode !== 'off') {
    throw new ConfigError(`LLT_ADMISSION must be measured or off, got "${mode}"`);
  }
  return {
    mode,
    holdMs: intEnv('LLT_ADMISSION_HOLD_MS', 60_000, env),
    reconnectGraceMs: intEnv('LLT_ADMISSION_RECONNECT_GRACE_MS', 30_000, env),
    unreportedSessions: intEnv('LLT_ADMISSION_UNREPORTED_SESSIONS', 4, env),
  };
}

/** Environment of the WebSocket $connect authorizer (it needs no table, stream or bus). */
export const AUTHORIZER_ENV = {
  /** `cognito` (what the CDK app deploys) or `session-token` (the local default: no user pool). */
  speakerAuth: 'LLT_SPEAKER_AUTH',
  userPoolId: 'LLT_COGNITO_USER_POOL_ID',
  clientId: 'LLT_COGNITO_CLIENT_ID',
  /** `id`, `access`, or unset/`any` to accept either. */
  tokenUse: 'LLT_COGNITO_TOKEN_USE',
  /** The pool's issuer when it is not Cognito's own address for the pool (the local runtime's user pool). */
  issuer: 'LLT_COGNITO_ISSUER',
} as const;

/**
 * How the authorizer treats speakers. `cognito`: a speaker presents a Cognito token of the speakers' user pool.
 * `session-token`: a speaker passes the authorizer and is checked by $connect against the session's speaker
 * token alone (which $connect checks in both schemes).
 */
export const SPEAKER_AUTH_SCHEMES = ['cognito', 'session-token'] as const;
export type SpeakerAuthScheme = (typeof SPEAKER_AUTH_SCHEMES)[number];

/** LLT_SPEAKER_AUTH; unset means `cognito`: a deployment that forgets to choose gets the stronger scheme. */
export function loadSpeakerAuthScheme(env: NodeJS.ProcessEnv = process.env): SpeakerAuthScheme {
  const scheme = optionalEnv(AUTHORIZER_ENV.speakerAuth, env) ?? 'cognito';
  if (!(SPEAKER_AUTH_SCHEMES as readonly string[]).includes(scheme)) {
    throw new ConfigError(
      `environment variable ${AUTHORIZER_ENV.speakerAuth} must be ${SPEAKER_AUTH_SCHEMES.join(' or ')}, got "${scheme}"`,
    );
  }
  return scheme as SpeakerAuthScheme;
}

/** The speakers' user pool, for the `cognito` scheme. */
export interface AuthorizerConfig {
  userPoolId: string;
  /** The app client(s) whose tokens speakers present (comma-separated in the environment). */
  clientId: string | string[];
  /** Which Cognito token speakers present; null accepts ID and access tokens. */
  tokenUse: 'id' | 'access' | null;
  /** Absent: `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
  issuer?: string;
}

export function loadAuthorizerConfig(env: NodeJS.ProcessEnv = process.env): AuthorizerConfig {
  const userPoolId = requireEnv(AUTHORIZER_ENV.userPoolId, env);
  const clientIds = listEnv(AUTHORIZER_ENV.clientId, env) ?? [];
  if (clientIds.length === 0) throw new ConfigError(`environment variable ${AUTHORIZER_ENV.clientId} is required`);
  const tokenUse = optionalEnv(AUTHORIZER_ENV.tokenUse, env) ?? 'any';
  if (tokenUse !== 'id' && tokenUse !== 'access' && tokenUse !== 'any') {
    throw new ConfigError(
      `environment variable ${AUTHORIZER_ENV.tokenUse} must be id, access or any, got "${tokenUse}"`,
    );
  }
  const issuer = optionalEnv(AUTHORIZER_ENV.issuer, env);
  return {
    userPoolId,
    clientId: clientIds.length === 1 ? clientIds[0]! : clientIds,
    tokenUse: tokenUse === 'any' ? null : tokenUse,
    ...(issuer ? { issuer: issuer.replace(/\/+$/, '') } : {}),
  };
}
