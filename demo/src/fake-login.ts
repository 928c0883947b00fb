/**
 * A stand-in for the host app's own login: an identity provider living in
 * the page that issues short-lived access tokens after a sign-in. The
 * Sign-in tab hands its tokens to the runtime through an external auth
 * resolver, the way a real app would hand over its OAuth access token.
 */

/** How long an issued token is valid. */
export const TOKEN_LIFETIME_MS = 60_000;

export interface AccessToken {
  accessToken: string;
  accountId: string;
  /** ISO-8601, as many identity providers report it. */
  expiresAt: string;
}

export class FakeIdentityProvider {
  private account: string | undefined;
  /** Tokens issued so far (the page shows the count). */
  issued = 0;

  get signedInAs(): string | undefined {
    return this.account;
  }

  /** Any non-empty name with the password "demo" signs in. */
  signIn(user: string, password: string): void {
    const name = user.trim();
    if (!name) throw new Error("enter a user name");
    if (password !== "demo") throw new Error('wrong password (the demo password is "demo")');
    this.account = name;
  }

  signOut(): void {
    this.account = undefined;
  }

  /** A fresh token for the signed-in account; throws when nobody is signed in. */
  freshAccessToken(): AccessToken {
    if (!this.account) throw new Error("not signed in: sign in on the Sign-in tab first");
    this.issued += 1;
    const random = crypto.getRandomValues(new Uint8Array(12));
    const hex = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
    return {
      accessToken: `demo-token-${hex}`,
      accountId: `acct-${this.account}`,
      expiresAt: new Date(Date.now() + TOKEN_LIFETIME_MS).toISOString(),
    };
  }
}
