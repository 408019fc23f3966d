import { X509Certificate } from 'node:crypto';
import type { KafkaClientSettings } from './port.ts';

/**
 * Who a client is to the broker's authorizer, and the `kafka-acls.sh` line that grants it one
 * ACL: shared by `mm2 acls` / `mm2 config check` (which print them) and the connectors (which
 * name them in the error of a refused operation, src/connect/not-authorized.ts).
 */

/** Kafka's principal for `settings`: the SASL user, or the DN of the client certificate (RFC 2253 order). */
export function principalOf(settings: KafkaClientSettings | undefined): string {
  if (settings?.sasl?.mechanism === 'OAUTHBEARER') return `User:<sub of the tokens of ${settings.sasl.clientId}>`;
  if (settings?.sasl) return `User:${settings.sasl.username}`;
  const cert = settings?.tls?.cert;
  if (cert) {
    try {
      const subject = new X509Certificate(cert).subject.split('\n').reverse().join(',');
      return `User:${subject}`;
    } catch {
      // fall through to the placeholder
    }
  }
  return settings?.securityProtocol === 'PLAINTEXT' || settings === undefined
    ? 'User:ANONYMOUS'
    : 'User:<principal of the client certificate>';
}

/** One ACL to grant, in `kafka-acls.sh` terms. */
export interface AclGrant {
  readonly principal: string;
  readonly resourceType: 'topic' | 'group' | 'cluster';
  readonly patternType: 'literal' | 'prefixed';
  /** Resource name (ignored for the cluster). */
  readonly name: string;
  /** Kafka's operation names as kafka-acls.sh takes them (`Write`, `DescribeConfigs`, …). */
  readonly operations: readonly string[];
}

/** The `kafka-acls.sh --add` command granting `acl` on the cluster at `bootstrap`. */
export function kafkaAclsCommand(acl: AclGrant, bootstrap: string): string {
  const resource =
    acl.resourceType === 'cluster'
      ? '--cluster'
      : `--${acl.resourceType} '${acl.name}'${acl.patternType === 'prefixed' ? ' --resource-pattern-type prefixed' : ''}`;
  const operations = acl.operations.map((o) => `--operation ${o}`).join(' ');
  return `kafka-acls.sh --bootstrap-server ${bootstrap} --command-config admin.properties --add --allow-principal '${acl.principal}' ${operations} ${resource}`;
}
