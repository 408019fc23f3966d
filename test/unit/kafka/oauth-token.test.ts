import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toKafkaClientSettings } from '../../../src/config/client-settings.ts';
import { OAuthTokenSource, jwtClaims } from '../../../src/kafka/oauth-token.ts';
import type { OAuthBearerSettings } from '../../../src/kafka/port.ts';

const SECRET = 'client-Secret-77';

/** An unsigned JWT (the client never verifies signatures; the broker does). */
function jwt(claims: Record<string, unknown>): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.`;
}

let server: Server;
let url: string;
const requests: { authorization?: string; body: string }[] = [];
let status = 200;
let lifetimeSeconds = 100;
let nowMs = 1_000_000_000_000;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push({ ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body });
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      const iat = Math.floor(nowMs / 1000);
      res.end(
        JSON.stringify({
          access_token: jwt({ sub: 'mirror', iat, exp: iat + lifetimeSeconds }),
          expires_in: lifetimeSeconds,
        }),
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const settings = (over: Partial<OAuthBearerSettings> = {}): OAuthBearerSettings => ({
  mechanism: 'OAUTHBEARER',
  tokenEndpointUrl: url,
  clientId: 'mm2',
  clientSecret: SECRET,
  scope: 'kafka',
  headerUrlencode: false,
  refreshWindowFactor: 0.8,
  refreshWindowJitter: 0,
  refreshMinPeriodSeconds: 0,
  refreshBufferSeconds: 0,
  requestTimeoutMs: 5_000,
  ...over,
});

describe('OAUTHBEARER tokens by client credentials (KIP-768)', () => {
  it('posts grant_type=client_credentials with the scope and a Basic header, and keeps the token until its refresh time', async () => {
    requests.length = 0;
    const source = new OAuthTokenSource(settings(), () => nowMs);
    const token = await source.token();
    expect(jwtClaims(token.value).sub).toBe('mirror');
    expect(token.principal).toBe('mirror');
    expect(requests).toEqual([
      {
        authorization: `Basic ${Buffer.from(`mm2:${SECRET}`).toString('base64')}`,
        body: 'grant_type=client_credentials&scope=kafka',
      },
    ]);
    nowMs += 79_000;
    expect((await source.token()).value).toBe(token.value);
    expect(source.fetches).toBe(1);
    // Past 80 % of the lifetime: the current token still serves while a new one is fetched.
    nowMs += 2_000;
    expect((await source.token()).value).toBe(token.value);
    await expect.poll(() => source.fetches, { timeout: 5_000 }).toBe(2);
    source.close();
  });

  it('honours the minimum refresh period and the buffer before expiry', async () => {
    const source = new OAuthTokenSource(
      settings({ refreshMinPeriodSeconds: 60, refreshBufferSeconds: 300, refreshWindowFactor: 0.95 }),
      () => nowMs,
    );
    lifetimeSeconds = 1_000;
    await source.token();
    // factor says 950 s; the buffer says no later than 700 s.
    nowMs += 699_000;
    await source.token();
    expect(source.fetches).toBe(1);
    nowMs += 2_000;
    await source.token();
    await expect.poll(() => source.fetches, { timeout: 5_000 }).toBe(2);
    source.close();
    lifetimeSeconds = 100;
  });

  it('names the endpoint and the keys on a refusal, never the secret', async () => {
    status = 401;
    try {
      const source = new OAuthTokenSource(settings(), () => nowMs);
      const error = await source.token().then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(error?.message).toMatch(
        /token endpoint http:\/\/127\.0\.0\.1:\d+\/token answered HTTP 401: check the client id and secret/,
      );
      expect(error?.code).toBe('ERR_KAFKA_AUTHENTICATION');
      expect(error?.message).not.toContain(SECRET);
    } finally {
      status = 200;
    }
  });

  it('reads the token from a file: URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-'));
    try {
      const file = join(dir, 'token.jwt');
      writeFileSync(file, `${jwt({ sub: 'from-file', exp: Math.floor(nowMs / 1000) + 100 })}\n`);
      const source = new OAuthTokenSource(settings({ tokenEndpointUrl: pathToFileURL(file).href }), () => nowMs);
      expect((await source.token()).principal).toBe('from-file');
      source.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads Java OIDC client settings: JAAS options or the KIP-1139 keys, the login handler, the refresh keys', () => {
    const base = {
      'bootstrap.servers': 'k:9093',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'OAUTHBEARER',
      'sasl.login.callback.handler.class':
        'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler',
      'sasl.oauthbearer.token.endpoint.url': 'https://idp.example/token',
      'sasl.jaas.config': `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId="mm2" clientSecret="${SECRET}" scope="kafka";`,
      'sasl.login.refresh.buffer.seconds': '120',
    };
    const read = (props: Record<string, string>) => toKafkaClientSettings(new Map(Object.entries(props)));
    const r = read(base);
    expect(r.problems).toEqual([]);
    expect(r.settings.sasl).toMatchObject({
      mechanism: 'OAUTHBEARER',
      tokenEndpointUrl: 'https://idp.example/token',
      clientId: 'mm2',
      clientSecret: SECRET,
      scope: 'kafka',
      refreshBufferSeconds: 120,
      refreshWindowFactor: 0.8,
    });
    expect(
      read({ ...base, 'sasl.oauthbearer.client.credentials.client.id': 'other', 'sasl.oauthbearer.scope': 's2' })
        .settings.sasl,
    ).toMatchObject({ clientId: 'other', scope: 's2' });
    expect(read({ ...base, 'sasl.oauthbearer.token.endpoint.url': '' }).problems).toEqual([
      expect.objectContaining({ severity: 'error', key: 'sasl.oauthbearer.token.endpoint.url' }),
    ]);
    expect(read({ ...base, 'sasl.login.callback.handler.class': 'com.example.Custom' }).problems).toEqual([
      expect.objectContaining({ severity: 'error', key: 'sasl.login.callback.handler.class' }),
    ]);
    expect(
      read({
        ...base,
        'sasl.jaas.config': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
      }).problems,
    ).toEqual([expect.objectContaining({ severity: 'error', key: 'sasl.jaas.config' })]);
  });
});
