// Speaker sign-in for the local runtime: which scheme it runs (LLT_SPEAKER_AUTH), and under `cognito` the local
// user pool and the HTTP API's JWT authorizer that stand in for Cognito and API Gateway.
export { httpApiJwtAuthorizer, type JwtAuthorizerConfig, type JwtAuthorizerOutcome } from './jwt-authorizer.ts';
export {
  type IssuedTokens,
  type LocalUser,
  type LocalUserPool,
  type LocalUserPoolOptions,
  startLocalUserPool,
} from './user-pool.ts';

export type SpeakerAuthScheme = 'session-token' | 'cognito';

/** LLT_SPEAKER_AUTH for the local runtime: `session-token` unless `cognito` is asked for. */
export function speakerAuthFromEnv(env: NodeJS.ProcessEnv): SpeakerAuthScheme {
  const value = env.LLT_SPEAKER_AUTH || 'session-token';
  if (value !== 'session-token' && value !== 'cognito') {
    throw new Error(`LLT_SPEAKER_AUTH must be session-token or cognito, got "${value}"`);
  }
  return value;
}

/**
 * LLT_LOCAL_USERS: `name:password` pairs, comma-separated, the local user pool's users. Without it one user,
 * `speaker` with password `speaker`, so a first run can sign in.
 */
export function localUsersFromEnv(env: NodeJS.ProcessEnv): { username: string; password: string }[] {
  const raw = env.LLT_LOCAL_USERS?.trim();
  if (!raw) return [{ username: 'speaker', password: 'speaker' }];
  return raw.split(',').map((pair) => {
    const at = pair.indexOf(':');
    if (at <= 0) throw new Error(`LLT_LOCAL_USERS: expected name:password, got "${pair}"`);
    return { username: pair.slice(0, at).trim(), password: pair.slice(at + 1) };
  });
}
