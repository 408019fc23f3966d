import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpsRequestRaw } from 'node:https';
import { join } from 'node:path';

/** PEM files of a throw-away CA, a server certificate for 127.0.0.1/localhost and client certificates. */
export interface TestCerts {
  readonly dir: string;
  /** CA certificate (PEM) that signed the server and `client` certificates. */
  readonly caCert: string;
  readonly caFile: string;
  /** Server chain + key in one PEM file (a PEM key store). */
  readonly serverStoreFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate signed by the CA. */
  readonly client: { cert: string; key: string };
  /** A client certificate signed by another CA (untrusted). */
  readonly stranger: { cert: string; key: string };
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Generates the certificates with the `openssl` command into a fresh temp directory (about a second). */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'mm2ts-certs-'));
  const ca = (name: string): void =>
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    ]);
  const signed = (name: string, caName: string, ext: string): void => {
    openssl(dir, [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    ]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${caName}.crt`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ]);
  };
  ca('test-ca');
  ca('other-ca');
  signed('server', 'test-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed('client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
  signed('stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  const serverStoreFile = join(dir, 'server-store.pem');
  writeFileSync(serverStoreFile, read('server.crt') + read('server.key'));
  return {
    dir,
    caCert: read('test-ca.crt'),
    caFile: join(dir, 'test-ca.crt'),
    serverStoreFile,
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    client: { cert: read('client.crt'), key: read('client.key') },
    stranger: { cert: read('stranger.crt'), key: read('stranger.key') },
  };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request with node's https (trusting `ca`, optionally with a client certificate). */
export function httpsRequest(
  url: string,
  options: {
    ca: string;
    method?: string;
    headers?: Record<string, string>;
    cert?: { cert: string; key: string };
    body?: string;
  },
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequestRaw(
      url,
      {
        method: options.method ?? 'GET',
        ca: options.ca,
        headers: options.headers ?? {},
        ...(options.cert ? { cert: options.cert.cert, key: options.cert.key } : {}),
        timeout: 10_000,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
