// `llt login`: signs a speaker in where the server asks for it (/config.json's speakerAuth: a Cognito user pool),
// in the browser, with the authorization code + PKCE flow and a loopback redirect, and keeps the tokens in the
// user's configuration folder. `llt speak` then uses (and renews) them.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ApiClient, type SpeakerAuthConfig } from '@llt/client';
import { UsageError } from './errors.ts';

/** The redirect URI the app client lists for the command line (Cognito allows plain http only on localhost). */
export const DEFAULT_LOGIN_PORT = 8765;
export const callbackUrl = (port: number) => `http://localhost:${port}/callback`;

type CognitoAuth = Extract<SpeakerAuthConfig, { type: 'cognito' }>;

export interface StoredTokens {
  authority: string;
  clientId: string;
  tokenEndpoint: string;
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt: number;
}

export class LoginError extends Error {
  override name = 'LoginError';
}

/** Where tokens are kept: $LLT_CONFIG_DIR, else $XDG_CONFIG_HOME/llt, else ~/.config/llt. */
export function tokenFile(env: Record<string, string | undefined>): string {
  const dir = env.LLT_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'llt');
  return join(dir, 'tokens.json');
}

function readStore(file: string): Record<string, StoredTokens> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, StoredTokens>;
  } catch {
    return {};
  }
}

function saveTokens(file: string, server: string, tokens: StoredTokens): void {
  const store = readStore(file);
  store[new URL(server).origin] = tokens;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The server's sign-in scheme, or undefined when speakers do not sign in there. */
export async function speakerSignIn(server: string): Promise<CognitoAuth | undefined> {
  const config = await new ApiClient({ base: server }).config();
  return config.speakerAuth?.type === 'cognito' ? config.speakerAuth : undefined;
}

async function discover(authority: string): Promise<{ authorizationEndpoint: string; tokenEndpoint: string }> {
  const response = await fetch(`${authority.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new LoginError(`The sign-in service at ${authority} answered HTTP ${response.status}`);
  const doc = (await response.json()) as Record<string, unknown>;
  if (typeof doc.authorization_endpoint !== 'string' || typeof doc.token_endpoint !== 'string') {
    throw new LoginError(`The sign-in service at ${authority} names no authorization or token endpoint`);
  }
  return { authorizationEndpoint: doc.authorization_endpoint, tokenEndpoint: doc.token_endpoint };
}

export interface LoginOptions {
  server: string;
  env: Record<string, string | undefined>;
  port?: number;
  /** Opens the sign-in page; default: the desktop's browser (xdg-open / open / start). */
  openBrowser?: (url: string) => void | Promise<void>;
  /** Told the URL to open, in case no browser opens. */
  onUrl?: (url: string) => void;
  timeoutMs?: number;
}

/** Signs in through the browser and stores the tokens; resolves with the signed-in username. */
export async function login(options: LoginOptions): Promise<{ username: string; file: string }> {
  const auth = await speakerSignIn(options.server);
  if (!auth) throw new UsageError(`${options.server} does not sign speakers in: llt speak needs no login there`);
  const { authorizationEndpoint, tokenEndpoint } = await discover(auth.authority);
  const port = options.port ?? DEFAULT_LOGIN_PORT;
  const redirectUri = callbackUrl(port);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(authorizationEndpoint);
  for (const [key, value] of Object.entries({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: redirectUri,
    scope: auth.scope ?? 'openid',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })) {
    url.searchParams.set(key, value);
  }

  const code = await new Promise<string>((resolve, reject) => {
    const server = createServer((req, res) => {
      const got = new URL(req.url ?? '/', redirectUri);
      if (got.pathname !== '/callback') {
        res.writeHead(404).end();
        return;
      }
      const done = (status: number, text: string) => {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(text);
        clearTimeout(timer);
        server.close();
      };
      if (got.searchParams.get('state') !== state) {
        done(400, 'This sign-in answer is not the one llt asked for. Run llt login again.');
        reject(new LoginError('The sign-in answer did not carry the expected state'));
        return;
      }
      const error = got.searchParams.get('error');
      const received = got.searchParams.get('code');
      if (error || !received) {
        done(400, `Sign-in failed: ${got.searchParams.get('error_description') ?? error ?? 'no code'}`);
        reject(new LoginError(`Sign-in failed: ${got.searchParams.get('error_description') ?? error ?? 'no code'}`));
        return;
      }
      done(200, 'Signed in. You can close this page and return to the terminal.');
      resolve(received);
    });
    const timer = setTimeout(
      () => {
        server.close();
        reject(new LoginError('Nobody signed in within the time allowed'));
      },
      options.timeoutMs ?? 5 * 60_000,
    );
    server.once('error', (error) => {
      clearTimeout(timer);
      reject(new LoginError(`Cannot listen on ${redirectUri}: ${error.message} (try --port)`));
    });
    server.listen(port, '127.0.0.1', () => {
      options.onUrl?.(url.toString());
      Promise.resolve((options.openBrowser ?? openInBrowser)(url.toString())).catch(() => undefined);
    });
  });

  const tokens = await tokenRequest(tokenEndpoint, {
    grant_type: 'authorization_code',
    client_id: auth.clientId,
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
  const stored: StoredTokens = { authority: auth.authority, clientId: auth.clientId, tokenEndpoint, ...tokens };
  const file = tokenFile(options.env);
  saveTokens(file, options.server, stored);
  return { username: usernameOf(stored.idToken), file };
}

/**
 * The signed-in speaker's current access token for `server`, renewed with the refresh token when it has less
 * than two minutes left; undefined where speakers do not sign in.
 */
export async function speakerTokens(
  server: string,
  env: Record<string, string | undefined>,
): Promise<(() => string) | undefined> {
  const auth = await speakerSignIn(server);
  if (!auth) return undefined;
  const file = tokenFile(env);
  let current = readStore(file)[new URL(server).origin];
  if (!current || current.authority !== auth.authority || current.clientId !== auth.clientId) {
    throw new UsageError(`${server} signs speakers in: run llt login --server ${server} first`);
  }
  const renew = async (tokens: StoredTokens): Promise<StoredTokens> => {
    if (!tokens.refreshToken) throw new UsageError('Your sign-in has expired: run llt login again');
    const renewed = await tokenRequest(tokens.tokenEndpoint, {
      grant_type: 'refresh_token',
      client_id: tokens.clientId,
      refresh_token: tokens.refreshToken,
    }).catch((cause: Error) => {
      throw new UsageError(`Your sign-in could not be renewed (${cause.message}): run llt login again`, { cause });
    });
    const next = { ...tokens, ...renewed, refreshToken: renewed.refreshToken ?? tokens.refreshToken };
    saveTokens(file, server, next);
    return next;
  };
  if (current.expiresAt - Date.now() < 120_000) current = await renew(current);
  // A long session reconnects with a token that is still valid: renew ahead of expiry while it runs.
  const schedule = () => {
    const tokens = current as StoredTokens;
    setTimeout(
      () => {
        renew(tokens).then((next) => {
          current = next;
          schedule();
        }, schedule);
      },
      Math.max(10_000, tokens.expiresAt - Date.now() - 120_000),
    ).unref();
  };
  schedule();
  return () => (current as StoredTokens).accessToken;
}

async function tokenRequest(
  endpoint: string,
  form: Record<string, string>,
): Promise<Pick<StoredTokens, 'idToken' | 'accessToken' | 'refreshToken' | 'expiresAt'>> {
  const response = await fetch(endpoint, { method: 'POST', body: new URLSearchParams(form) });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string' || typeof body.id_token !== 'string') {
    throw new LoginError(
      `The token endpoint refused: ${String(body.error_description ?? body.error ?? response.status)}`,
    );
  }
  return {
    idToken: body.id_token,
    accessToken: body.access_token,
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
    expiresAt: Date.now() + Number(body.expires_in ?? 3600) * 1000,
  };
}

function usernameOf(idToken: string): string {
  try {
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return String(claims['cognito:username'] ?? claims.email ?? claims.sub ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

function openInBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
