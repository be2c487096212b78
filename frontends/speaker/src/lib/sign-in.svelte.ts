// The speaker's sign-in where the server asks for one (/config.json: a Cognito user pool): authorization code with
// PKCE through the pool's managed login (oidc-client-ts), the user kept in sessionStorage, tokens renewed with the
// refresh token before they expire, so a long session reconnects with a valid one.
import type { SpeakerAuthConfig } from '@llt/client';
import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';

type CognitoAuth = Extract<SpeakerAuthConfig, { type: 'cognito' }>;

export class SpeakerSignIn {
  /** The signed-in user, while its tokens are valid. */
  user: User | undefined = $state();
  /** `checking` until the stored user or the redirect back from sign-in has been read. */
  status: 'checking' | 'signed-out' | 'signed-in' = $state('checking');
  error: string | undefined = $state();
  readonly name = $derived(
    (this.user?.profile['cognito:username'] as string | undefined) ?? this.user?.profile.sub ?? '',
  );
  private readonly manager: UserManager;

  constructor(config: CognitoAuth, page: Location, storage: Storage | undefined) {
    // Back to this very app (…/speaker/), which reads the code on load.
    const redirectUri = `${page.origin}${page.pathname.replace(/[^/]*$/, '')}`;
    this.manager = new UserManager({
      authority: config.authority,
      client_id: config.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: config.scope ?? 'openid',
      // With a refresh token this renews without a frame: Cognito's managed login refuses to be framed.
      automaticSilentRenew: true,
      ...(storage ? { userStore: new WebStorageStateStore({ store: storage }) } : {}),
    });
    this.manager.events.addUserLoaded((user) => this.signedIn(user));
    this.manager.events.addUserUnloaded(() => this.signedOut());
    this.manager.events.addSilentRenewError((error) => {
      this.error = `Your sign-in could not be renewed: ${error.message}`;
    });
    this.manager.events.addAccessTokenExpired(() => {
      // Renewal failed for good (or the page slept through it): try once more, else ask to sign in again.
      void this.manager.signinSilent().catch(() => this.signedOut());
    });
  }

  /** Completes a redirect back from sign-in, or restores the stored user. */
  async start(page: Location, history: History): Promise<void> {
    try {
      const params = new URLSearchParams(page.search);
      if (params.has('code') && params.has('state')) {
        const user = await this.manager.signinRedirectCallback(page.href);
        // The code is single use: keep it out of the address bar and the history.
        history.replaceState(history.state, '', page.pathname);
        this.signedIn(user);
        return;
      }
      if (params.has('error')) {
        this.error = params.get('error_description') ?? params.get('error') ?? 'Sign-in failed';
        history.replaceState(history.state, '', page.pathname);
      }
      const stored = await this.manager.getUser();
      if (stored && !stored.expired) this.signedIn(stored);
      else if (stored?.refresh_token) this.signedIn(await this.manager.signinSilent());
      else this.signedOut();
    } catch (error) {
      this.error = (error as Error).message;
      this.signedOut();
    }
  }

  signIn(): Promise<void> {
    this.error = undefined;
    return this.manager.signinRedirect();
  }

  async signOut(): Promise<void> {
    await this.manager.removeUser();
  }

  /** The access token to send, or undefined when signed out or expired. */
  accessToken(): string | undefined {
    return this.user && !this.user.expired ? this.user.access_token : undefined;
  }

  private signedIn(user: User | null): void {
    if (!user) {
      this.signedOut();
      return;
    }
    this.user = user;
    this.status = 'signed-in';
  }

  private signedOut(): void {
    this.user = undefined;
    this.status = 'signed-out';
  }
}
