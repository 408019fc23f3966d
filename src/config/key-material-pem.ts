/**
 * PEM text as Kafka's `DefaultSslEngineFactory.PemParser` reads it (KIP-651): blocks found by their
 * `-----BEGIN X-----` / `-----END X-----` markers, the base64 between them read with every blank
 * and line break ignored. A value written over several lines with trailing backslashes in a
 * `.properties` file arrives here as one line (Java's `Properties.load` joins the lines and drops
 * the leading blanks of each continuation), and one written with `\n` escapes arrives with real
 * line breaks: both read the same. Blocks are given back re-wrapped as standard PEM, which is what
 * OpenSSL (and so Node's TLS) insists on.
 */

export interface PemBlock {
  /** The label between BEGIN and the dashes: `CERTIFICATE`, `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, … */
  readonly label: string;
  /** The block's DER bytes. */
  readonly der: Buffer;
  /** The block as standard PEM (64-column base64, newline-terminated). */
  readonly pem: string;
}

export interface PemParse {
  readonly blocks: readonly PemBlock[];
  /** What is wrong with the text, in a sentence naming the block (never its content). */
  readonly fault?: string;
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;

/** Standard PEM of `der` under `label`. */
export function toPem(label: string, der: Buffer): string {
  const base64 = der.toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The PEM blocks of `text`. A block without its END marker (a value cut short, a file copied
 * partly) or with a body that is not base64 is a fault; so is a key in OpenSSL's legacy encrypted
 * form (`Proc-Type: 4,ENCRYPTED` headers), which Kafka does not read either: PKCS#8 is the format.
 */
export function parsePem(text: string): PemParse {
  const blocks: PemBlock[] = [];
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m !== null; m = BEGIN.exec(text)) {
    const label = m[1] ?? '';
    const bodyStart = m.index + m[0].length;
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, bodyStart);
    const nextBegin = text.indexOf('-----BEGIN ', bodyStart);
    if (end < 0 || (nextBegin >= 0 && nextBegin < end)) {
      return { blocks, fault: `the '${label}' PEM block has no '${endMarker}' line: the text is truncated` };
    }
    const body = text.slice(bodyStart, end);
    if (/Proc-Type:|DEK-Info:/.test(body)) {
      return {
        blocks,
        fault: `the '${label}' PEM block is in OpenSSL's legacy encrypted form; convert it to PKCS#8 (openssl pkcs8 -topk8)`,
      };
    }
    // Literal `\n` / `\r` pairs: a value that reached us without Java's unescaping (a config provider).
    const base64 = body.replace(/\\[nr]/g, '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0 || base64.length === 0) {
      return { blocks, fault: `the '${label}' PEM block's body is not base64: the text is damaged or truncated` };
    }
    const der = Buffer.from(base64, 'base64');
    blocks.push({ label, der, pem: toPem(label, der) });
    BEGIN.lastIndex = end + endMarker.length;
  }
  return { blocks };
}
