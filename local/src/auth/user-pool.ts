// A local stand-in for a Cognito user pool and its managed login, so the `cognito` speaker scheme runs without
// AWS: the issuer's discovery document and JWKS, a sign-in form at /oauth2/authorize, and /oauth2/token
// (authorization code with PKCE, refresh token), issuing ID and access tokens shaped as Cognito's are. Wiring,
// like the emulators: the product only sees an OIDC issuer and its tokens.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { signInPage } from './sign-in-page.ts';

export interface LocalUser {
  username: string;
  password: string;
}

export interface LocalUserPoolOptions {
  /** Cognito's form, `<region>_<id>`; the issuer's path. */
  userPoolId?: string;
  /** The app client speakers sign in with (a public client: no secret). */
  clientId?: string;
  users: readonly LocalUser[];
  /**
   * Redirect URIs the app client accepts, compared exactly as Cognito compares them; a function lets the
   * runtime give them once its port is known.
   */
  callbackUrls: () => readonly string[];
  /** Loopback interface to listen on. */
  host?: string;
  port?: number;
  /** Lifetime of ID and access tokens (Cognito: 1 hour by default, 5 minutes at least). */
  tokenTtlS?: number;
  /** Lifetime of refresh tokens (Cognito: 30 days by default). */
  refreshTtlS?: number;
  now?: () => number;
}

export interface LocalUserPool {
  /** `http://127.0.0.1:<port>/<userPoolId>`: the `iss` of every token, and the OIDC authority. */
  issuer: string;
  /** The managed login's base URL (Cognito's user pool domain): `/oauth2/authorize`, `/oauth2/token`. */
  domain: string;
  userPoolId: string;
  clientId: string;
  /** Tokens for a user without the browser flow (tests, scripts); `claims` override the issued ones. */
  issueTokens(username: string, options?: { claims?: Record<string, unknown>; ttlS?: number }): Promise<IssuedTokens>;
  /** The user id (`sub`) a username has; stable across restarts. */
  subOf(username: string): string;
  stop(): Promise<void>;
}

export interface IssuedTokens {
  id_token: string;
  access_token: string;
  refresh_token?: string;
  token_type: 'Bearer';
  expires_in: number;
}

interface PendingCode {
  username: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | undefined;
  scope: string;
  nonce: string | undefined;
  authTime: number;
  expiresAt: number;
}

interface RefreshGrant {
  username: string;
  clientId: string;
  scope: string;
  authTime: number;
  originJti: string;
  expiresAt: number;
}

/** Cognito's authorization codes are single use and short-lived. */
const CODE_TTL_MS = 5 * 60_000;
const DEFAULT_SCOPE = 'openid';
const SUPPORTED_SCOPES = ['openid', 'email', 'profile', 'phone', 'aws.cognito.signin.user.admin'];

export async function startLocalUserPool(options: LocalUserPoolOptions): Promise<LocalUserPool> {
  const userPoolId = options.userPoolId ?? 'us-east-1_LocalPool';
  const clientId = options.clientId ?? 'llt-local-speaker-app';
  const tokenTtlS = options.tokenTtlS ?? 3600;
  const refreshTtlS = options.refreshTtlS ?? 30 * 86_400;
  const now = options.now ?? Date.now;
  // Cognito signs ID and access tokens with different keys; so does this pool.
  const keys = {
    id: { kid: randomUUID(), ...(await generateKeyPair('RS256', { extractable: true })) },
    access: { kid: randomUUID(), ...(await generateKeyPair('RS256', { extractable: true })) },
  };
  const jwks = {
    keys: await Promise.all(
      Object.values(keys).map(
        async (k): Promise<JWK> => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: 'RS256', use: 'sig' }),
      ),
    ),
  };
  const users = new Map(options.users.map((u) => [u.username, u]));
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, RefreshGrant>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'server_error', error_description: (error as Error).message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const domain = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const issuer = `${domain}/${userPoolId}`;

  const subOf = (username: string): string => {
    // A UUID derived from the pool and the username: the same user keeps the same id across restarts.
    const hex = createHash('sha256').update(`${userPoolId}/${username}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };

  async function tokens(grant: {
    username: string;
    clientId: string;
    scope: string;
    authTime: number;
    nonce?: string | undefined;
    originJti: string;
    claims?: Record<string, unknown>;
    ttlS?: number;
  }): Promise<{ id_token: string; access_token: string }> {
    const iat = Math.floor(now() / 1000);
    const exp = iat + (grant.ttlS ?? tokenTtlS);
    const sub = subOf(grant.username);
    const eventId = randomUUID();
    const idClaims = {
      sub,
      aud: grant.clientId,
      'cognito:username': grant.username,
      origin_jti: grant.originJti,
      event_id: eventId,
      token_use: 'id',
      auth_time: grant.authTime,
      iss: issuer,
      iat,
      exp,
      jti: randomUUID(),
      ...(grant.nonce ? { nonce: grant.nonce } : {}),
      ...grant.claims,
    };
    const accessClaims = {
      sub,
      iss: issuer,
      client_id: grant.clientId,
      origin_jti: grant.originJti,
      event_id: eventId,
      token_use: 'access',
      scope: grant.scope,
      auth_time: grant.authTime,
      iat,
      exp,
      jti: randomUUID(),
      username: grant.username,
      version: 2,
      ...grant.claims,
    };
    return {
      id_token: await sign(idClaims, keys.id),
      access_token: await sign(accessClaims, keys.access),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', domain);
    const cors = corsHeaders(req);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET, POST', 'access-control-max-age': '600' });
      res.end();
      return;
    }
    if (req.method === 'GET' && url.pathname === `/${userPoolId}/.well-known/openid-configuration`) {
      json(res, 200, discovery(issuer, domain), cors);
      return;
    }
    if (req.method === 'GET' && url.pathname === `/${userPoolId}/.well-known/jwks.json`) {
      json(res, 200, jwks, cors);
      return;
    }
    if (url.pathname === '/oauth2/authorize' && req.method === 'GET') {
      authorizeForm(res, url.searchParams);
      return;
    }
    if (url.pathname === '/oauth2/authorize' && req.method === 'POST') {
      await signIn(res, new URLSearchParams(await readText(req)));
      return;
    }
    if (url.pathname === '/oauth2/token' && req.method === 'POST') {
      await token(res, new URLSearchParams(await readText(req)), cors);
      return;
    }
    json(res, 404, { error: 'not_found', error_description: `Nothing at ${req.method} ${url.pathname}` }, cors);
  }

  /** What is wrong with an authorization request before any user is asked, or undefined. */
  function checkAuthorizeRequest(params: URLSearchParams): string | undefined {
    if (params.get('client_id') !== clientId) return 'unknown client_id';
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!options.callbackUrls().includes(redirectUri))
      return 'redirect_uri is not one of the app client’s callback URLs';
    if (params.get('response_type') !== 'code') return 'response_type must be code';
    const method = params.get('code_challenge_method');
    if (params.get('code_challenge') && method !== 'S256') return 'code_challenge_method must be S256';
    const unknown = (params.get('scope') ?? DEFAULT_SCOPE).split(' ').filter((s) => !SUPPORTED_SCOPES.includes(s));
    if (unknown.length > 0) return `invalid scope: ${unknown.join(' ')}`;
    return undefined;
  }

  function authorizeForm(res: ServerResponse, params: URLSearchParams): void {
    const problem = checkAuthorizeRequest(params);
    if (problem) {
      // Cognito shows an error page rather than redirecting to an unverified redirect_uri.
      html(res, 400, signInPage({ fatal: problem }));
      return;
    }
    html(res, 200, signInPage({ params }));
  }

  async function signIn(res: ServerResponse, form: URLSearchParams): Promise<void> {
    const problem = checkAuthorizeRequest(form);
    if (problem) {
      html(res, 400, signInPage({ fatal: problem }));
      return;
    }
    const username = form.get('username') ?? '';
    const user = users.get(username);
    if (!user || !sameText(user.password, form.get('password') ?? '')) {
      html(res, 200, signInPage({ params: form, error: 'Incorrect username or password.' }));
      return;
    }
    const code = randomUUID();
    codes.set(code, {
      username,
      clientId,
      redirectUri: form.get('redirect_uri') ?? '',
      codeChallenge: form.get('code_challenge') ?? undefined,
      scope: form.get('scope') ?? DEFAULT_SCOPE,
      nonce: form.get('nonce') ?? undefined,
      authTime: Math.floor(now() / 1000),
      expiresAt: now() + CODE_TTL_MS,
    });
    const target = new URL(form.get('redirect_uri') ?? '');
    target.searchParams.set('code', code);
    const state = form.get('state');
    if (state) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' });
    res.end();
  }

  async function token(res: ServerResponse, form: URLSearchParams, cors: Record<string, string>): Promise<void> {
    const fail = (error: string, description: string) =>
      json(res, 400, { error, error_description: description }, cors);
    if (form.get('client_id') !== clientId) return fail('invalid_client', 'unknown client_id');
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const pending = codes.get(code);
      // A code works once, whatever happens next.
      codes.delete(code);
      if (!pending || pending.expiresAt <= now()) return fail('invalid_grant', 'unknown or expired code');
      if (pending.redirectUri !== form.get('redirect_uri')) return fail('invalid_grant', 'redirect_uri mismatch');
      if (pending.codeChallenge) {
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (!verifier || challenge !== pending.codeChallenge) {
          return fail('invalid_grant', 'code_verifier does not match the code_challenge');
        }
      }
      const originJti = randomUUID();
      const issued = await tokens({ ...pending, originJti });
      const refreshToken = randomBytes(48).toString('base64url');
      refreshTokens.set(refreshToken, {
        username: pending.username,
        clientId,
        scope: pending.scope,
        authTime: pending.authTime,
        originJti,
        expiresAt: now() + refreshTtlS * 1000,
      });
      json(
        res,
        200,
        { ...issued, refresh_token: refreshToken, token_type: 'Bearer', expires_in: tokenTtlS },
        { ...cors, 'cache-control': 'no-store' },
      );
      return;
    }
    if (grantType === 'refresh_token') {
      const grant = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!grant || grant.expiresAt <= now() || grant.clientId !== clientId) {
        return fail('invalid_grant', 'Invalid Refresh Token');
      }
      // As Cognito (without refresh-token rotation): new ID and access tokens, the same refresh token.
      const issued = await tokens(grant);
      json(
        res,
        200,
        { ...issued, token_type: 'Bearer', expires_in: tokenTtlS },
        { ...cors, 'cache-control': 'no-store' },
      );
      return;
    }
    fail('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  }

  return {
    issuer,
    domain,
    userPoolId,
    clientId,
    subOf,
    async issueTokens(username, extra = {}) {
      const issued = await tokens({
        username,
        clientId,
        scope: DEFAULT_SCOPE,
        authTime: Math.floor(now() / 1000),
        originJti: randomUUID(),
        ...(extra.claims ? { claims: extra.claims } : {}),
        ...(extra.ttlS !== undefined ? { ttlS: extra.ttlS } : {}),
      });
      return { ...issued, token_type: 'Bearer', expires_in: extra.ttlS ?? tokenTtlS };
    },
    stop: () => closeServer(server),
  };
}

/** The parts of Cognito's discovery document a client of this pool uses. */
function discovery(issuer: string, domain: string) {
  return {
    issuer,
    authorization_endpoint: `${domain}/oauth2/authorize`,
    token_endpoint: `${domain}/oauth2/token`,
    userinfo_endpoint: `${domain}/oauth2/userInfo`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['code', 'token'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: SUPPORTED_SCOPES,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  };
}

function sign(
  claims: Record<string, unknown>,
  key: { kid: string; privateKey: Parameters<SignJWT['sign']>[0] },
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid }).sign(key.privateKey);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token endpoint, discovery and keys are read by the apps' own pages, from another origin. */
function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return origin
    ? {
        'access-control-allow-origin': origin,
        'access-control-allow-headers': 'content-type, authorization',
        vary: 'origin',
      }
    : {};
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

async function readText(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length > 16 * 1024) throw new Error('request body too large');
  }
  return text;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
