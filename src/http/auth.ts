import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * HTTP authentication of the operator API: basic auth (RFC 7617) against a set of users, and/or
 * bearer tokens (RFC 6750). Secrets are kept only as SHA-256 digests and compared with
 * `timingSafeEqual` against every entry (no early exit), so neither the answer time nor a heap
 * dump tells how much of a guess was right or which user names exist.
 */

export const AUTH_REALM = 'mirrormaker-ts';

export interface BasicUser {
  readonly name: string;
  readonly password: string;
}

export interface HttpAuthSettings {
  readonly basicUsers?: readonly BasicUser[];
  readonly bearerTokens?: readonly string[];
}

export type AuthResult = { ok: true; user?: string } | { ok: false };

export interface HttpAuthenticator {
  /** Checks an `Authorization` header value (undefined when the request has none). */
  check(authorization: string | undefined): AuthResult;
  /** The `WWW-Authenticate` challenges of a 401, one per accepted scheme. */
  readonly challenges: readonly string[];
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Both digests are 32 bytes, so `timingSafeEqual` never throws on length. */
function anyMatches(candidate: Buffer, known: readonly Buffer[]): boolean {
  let found = false;
  for (const k of known) found = timingSafeEqual(candidate, k) || found;
  return found;
}

/** An authenticator for the settings, or undefined when they configure no scheme. */
export function createAuthenticator(settings: HttpAuthSettings): HttpAuthenticator | undefined {
  const users = settings.basicUsers ?? [];
  const tokens = settings.bearerTokens ?? [];
  if (users.length === 0 && tokens.length === 0) return undefined;
  // `name:password` digests: a name never matches with another user's password.
  const userDigests = users.map((u) => ({ name: u.name, digest: digest(`${u.name}:${u.password}`) }));
  const tokenDigests = tokens.map(digest);
  const challenges = [
    ...(users.length > 0 ? [`Basic realm="${AUTH_REALM}", charset="UTF-8"`] : []),
    ...(tokens.length > 0 ? [`Bearer realm="${AUTH_REALM}"`] : []),
  ];
  return {
    challenges,
    check(authorization) {
      if (authorization === undefined) return { ok: false };
      const space = authorization.indexOf(' ');
      if (space <= 0) return { ok: false };
      const scheme = authorization.slice(0, space).toLowerCase();
      const credentials = authorization.slice(space + 1).trim();
      if (scheme === 'basic' && userDigests.length > 0) {
        const decoded = Buffer.from(credentials, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 0) return { ok: false };
        const name = decoded.slice(0, colon);
        const candidate = digest(decoded);
        let matched: string | undefined;
        for (const u of userDigests) {
          if (timingSafeEqual(candidate, u.digest) && matched === undefined) matched = u.name;
        }
        return matched !== undefined && matched === name ? { ok: true, user: matched } : { ok: false };
      }
      if (scheme === 'bearer' && tokenDigests.length > 0) {
        return anyMatches(digest(credentials), tokenDigests) ? { ok: true } : { ok: false };
      }
      return { ok: false };
    },
  };
}
