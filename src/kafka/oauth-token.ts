import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { OAuthBearerSettings } from './port.ts';

/**
 * OAUTHBEARER tokens as Java's `OAuthBearerLoginCallbackHandler` gets them (KIP-768): a POST of
 * `grant_type=client_credentials` (and `scope`) to `sasl.oauthbearer.token.endpoint.url` with the
 * client id and secret in a Basic header, the JWT of `access_token` kept until its refresh time;
 * or, for a `file:` URL, the JWT in that file, read again at each refresh.
 *
 * Refresh follows Java's `ExpiringCredentialRefreshingLogin`: at `refresh.window.factor` (plus up
 * to `refresh.window.jitter`) of the token's lifetime, but not later than `refresh.buffer.seconds`
 * before expiry and not sooner than `refresh.min.period.seconds` after it was obtained (the buffer
 * gives way when both cannot hold). A token is fetched again in the background at that time, so
 * new connections never wait for the endpoint once the first token is there. Connections already
 * authenticated keep theirs: kafkajs does not re-authenticate (KIP-368), so a broker with
 * `connections.max.reauth.ms` closes them at expiry and they reconnect with the new token.
 *
 * Errors name the endpoint and the HTTP status, never the secret or the token.
 */

export interface OAuthToken {
  /** The compact JWT. */
  readonly value: string;
  /** `exp`, in ms since epoch. */
  readonly expiresAtMs: number;
  /** `sub`: the principal the broker will see. */
  readonly principal?: string;
}

/** A fault of the token endpoint or of the token it returned. */
export class OAuthTokenError extends Error {
  override readonly name = 'OAuthTokenError';
  readonly code = 'ERR_KAFKA_AUTHENTICATION';
}

interface JwtClaims {
  exp?: unknown;
  iat?: unknown;
  sub?: unknown;
}

/** The claims of a compact JWT (not verified: the broker verifies; the client needs `exp`). */
export function jwtClaims(jwt: string): JwtClaims {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new OAuthTokenError('the access token is not a JWT (three base64url parts)');
  try {
    return JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as JwtClaims;
  } catch {
    throw new OAuthTokenError("the access token's payload is not JSON");
  }
}

type Clock = () => number;

export class OAuthTokenSource {
  readonly #settings: OAuthBearerSettings;
  readonly #now: Clock;
  readonly #random: () => number;
  #current: OAuthToken | undefined;
  #refreshAtMs = 0;
  #inFlight: Promise<OAuthToken> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** How many tokens were obtained (for tests and metrics). */
  fetches = 0;

  constructor(settings: OAuthBearerSettings, now: Clock = Date.now, random: () => number = Math.random) {
    this.#settings = settings;
    this.#now = now;
    this.#random = random;
  }

  /** A valid token: the current one until its refresh time, else a new one. */
  async token(): Promise<OAuthToken> {
    const current = this.#current;
    if (current && this.#now() < this.#refreshAtMs) return current;
    // Past the refresh time but not expired (the endpoint may be slow or down): use it meanwhile.
    if (current && this.#now() < current.expiresAtMs - 1_000) {
      this.#refresh().catch(() => {});
      return current;
    }
    return this.#refresh();
  }

  /** Stops the background refresh. */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #refresh(): Promise<OAuthToken> {
    this.#inFlight ??= this.#obtain().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #obtain(): Promise<OAuthToken> {
    const startMs = this.#now();
    const jwt = await this.#fetchJwt();
    const claims = jwtClaims(jwt);
    if (typeof claims.exp !== 'number') throw new OAuthTokenError('the access token has no numeric exp claim');
    const expiresAtMs = claims.exp * 1000;
    if (expiresAtMs <= startMs) throw new OAuthTokenError('the access token has already expired (check the clocks)');
    const token: OAuthToken = {
      value: jwt,
      expiresAtMs,
      ...(typeof claims.sub === 'string' ? { principal: claims.sub } : {}),
    };
    this.fetches++;
    this.#current = token;
    this.#refreshAtMs = this.#refreshTime(startMs, expiresAtMs);
    this.#schedule();
    return token;
  }

  #refreshTime(startMs: number, expiresAtMs: number): number {
    const s = this.#settings;
    const lifetime = expiresAtMs - startMs;
    let at = startMs + lifetime * (s.refreshWindowFactor + this.#random() * s.refreshWindowJitter);
    const latest = expiresAtMs - s.refreshBufferSeconds * 1000;
    const earliest = startMs + s.refreshMinPeriodSeconds * 1000;
    if (latest >= earliest) at = Math.min(at, latest);
    at = Math.max(at, earliest);
    // Never after expiry, whatever the minimum period says.
    return Math.min(at, startMs + lifetime * s.refreshWindowFactor, expiresAtMs - 1);
  }

  #schedule(): void {
    this.close();
    const delay = Math.max(0, this.#refreshAtMs - this.#now());
    this.#timer = setTimeout(() => {
      this.#refresh().catch(() => {});
    }, delay);
    this.#timer.unref();
  }

  async #fetchJwt(): Promise<string> {
    const s = this.#settings;
    const url = s.tokenEndpointUrl;
    if (url.startsWith('file:')) {
      try {
        return (await readFile(fileURLToPath(url), 'utf8')).trim();
      } catch (err) {
        throw new OAuthTokenError(
          `sasl.oauthbearer.token.endpoint.url: cannot read ${url} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    }
    const encode = (v: string): string => (s.headerUrlencode ? encodeURIComponent(v) : v);
    const basic = Buffer.from(`${encode(s.clientId)}:${encode(s.clientSecret)}`).toString('base64');
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (s.scope !== undefined) body.set('scope', s.scope);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(s.requestTimeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new OAuthTokenError(`token endpoint ${url} (sasl.oauthbearer.token.endpoint.url) unreachable: ${cause}`);
    }
    if (!response.ok) {
      throw new OAuthTokenError(
        `token endpoint ${url} answered HTTP ${response.status}${response.status === 401 || response.status === 400 ? ': check the client id and secret (sasl.jaas.config clientId/clientSecret or sasl.oauthbearer.client.credentials.*) and the scope' : ''}`,
      );
    }
    const json = (await response.json().catch(() => undefined)) as { access_token?: unknown } | undefined;
    if (typeof json?.access_token !== 'string') {
      throw new OAuthTokenError(`token endpoint ${url} answered without an access_token`);
    }
    return json.access_token;
  }
}

/**
 * One token source per identity and endpoint, shared by every client of the process: a mirror
 * opens a dozen clients per cluster and should not ask the endpoint a dozen times.
 */
const sources = new Map<string, OAuthTokenSource>();

export function sharedTokenSource(settings: OAuthBearerSettings): OAuthTokenSource {
  const id = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
  let source = sources.get(id);
  if (!source) {
    source = new OAuthTokenSource(settings);
    sources.set(id, source);
  }
  return source;
}
