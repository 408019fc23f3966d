import { createSign, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The OAUTHBEARER side of the test bed's SASL_SSL listener: brokers validate JWTs with Kafka's
 * `OAuthBearerValidatorCallbackHandler` (KIP-768) against a JWKS file made when the bed starts
 * (a `file:` JWKS URL: no server has to outlive `kafka:up`). Tests sign tokens with the matching
 * private key and serve them from a token endpoint of their own; the token's `sub` is the
 * principal (`mm2-admin`: a super user, see sasl.ts).
 */
export interface TestBedOAuth {
  /** PKCS#8 PEM of the RS256 signing key. */
  signingKeyFile: string;
  /** `file:` URL of the JWKS the brokers read. */
  jwksUrl: string;
  /** `kid` of the signing key. */
  keyId: string;
  /** `aud` the brokers expect. */
  audience: string;
}

export const OAUTH_KEY_ID = 'mm2-testbed';
export const OAUTH_AUDIENCE = 'kafka-testbed';

export function generateTestBedOAuth(dir: string): TestBedOAuth {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKeyFile = join(dir, 'oauth-signing.key');
  writeFileSync(signingKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: OAUTH_KEY_ID, alg: 'RS256', use: 'sig' };
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
  return { signingKeyFile, jwksUrl: pathToFileURL(jwksFile).href, keyId: OAUTH_KEY_ID, audience: OAUTH_AUDIENCE };
}

/** Broker properties: OAUTHBEARER with JWT validation on the SASL_SSL listener. */
export function oauthBrokerProperties(oauth: TestBedOAuth): Record<string, string> {
  return {
    'listener.name.sasl_ssl.oauthbearer.sasl.jaas.config':
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
    'listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class':
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
    'sasl.oauthbearer.jwks.endpoint.url': oauth.jwksUrl,
    'sasl.oauthbearer.expected.audience': oauth.audience,
  };
}

/** The JVM flag Kafka (3.9.1+, 4.x) needs before it reads a JWKS URL. */
export function oauthJvmFlags(oauth: TestBedOAuth): string[] {
  return [`-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${oauth.jwksUrl}`];
}

/** A signed RS256 JWT for `subject`, valid for `lifetimeSeconds`. */
export function signTestToken(
  oauth: TestBedOAuth,
  signingKeyPem: string,
  subject: string,
  lifetimeSeconds: number,
  nowMs = Date.now(),
): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const iat = Math.floor(nowMs / 1000);
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid: oauth.keyId })}.${part({
    sub: subject,
    aud: oauth.audience,
    iat,
    exp: iat + lifetimeSeconds,
    scope: 'kafka',
  })}`;
  const signature = createSign('RSA-SHA256').update(input).sign(signingKeyPem).toString('base64url');
  return `${input}.${signature}`;
}
