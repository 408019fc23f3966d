/**
 * The SASL side of every test-bed broker: a SASL_PLAINTEXT listener with SCRAM-SHA-256 and
 * SCRAM-SHA-512, and two users created when the storage is formatted (`kafka-storage format
 * --add-scram`, KIP-900), so they exist before the broker takes its first request.
 *
 * `admin` is a super user; `mirror` is not: it can do only what ACLs grant it (the broker runs the
 * StandardAuthorizer with `allow.everyone.if.no.acl.found=false`), as a production mirror user.
 * The passwords are fixed test values: the test bed listens on loopback only.
 */
export interface ScramUser {
  name: string;
  password: string;
}

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];

/**
 * Mechanisms of the SASL_SSL listener (tls.ts): SCRAM as above, PLAIN with the same users, and
 * OAUTHBEARER with JWTs signed by the bed's key (oauth.ts).
 */
export const SASL_SSL_MECHANISMS = [...SCRAM_MECHANISMS, 'PLAIN', 'OAUTHBEARER'] as const;

export const TESTBED_USERS: Readonly<{ admin: ScramUser; mirror: ScramUser }> = {
  admin: { name: 'mm2-admin', password: 'mm2-admin-secret' },
  mirror: { name: 'mm2-mirror', password: 'mm2-mirror-secret' },
};

/**
 * Principals that bypass ACLs: PLAINTEXT clients (ANONYMOUS: tests, inter-broker), the admin user,
 * and the admin's TLS client certificate (tls.ts: `CN=mm2-admin`).
 */
export const SUPER_USERS = [
  'User:ANONYMOUS',
  `User:${TESTBED_USERS.admin.name}`,
  `User:CN=${TESTBED_USERS.admin.name}`,
];

/** PlainLoginModule's broker-side user list (`user_<name>="<password>"`) for every test user. */
export function plainJaasUsers(users: readonly ScramUser[] = Object.values(TESTBED_USERS)): string {
  return users.map((u) => `user_${u.name}="${u.password}"`).join(' ');
}

/** StorageTool `--add-scram` arguments: every user under every mechanism. */
export function addScramArguments(users: readonly ScramUser[] = Object.values(TESTBED_USERS)): string[] {
  return users.flatMap((u) =>
    SCRAM_MECHANISMS.flatMap((m) => ['--add-scram', `${m}=[name=${u.name},password=${u.password}]`]),
  );
}

/** A client's `sasl.jaas.config` line for SCRAM (Java's ScramLoginModule). */
export function scramJaasConfig(user: ScramUser): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user.name}" password="${user.password}";`;
}

/** A client's `sasl.jaas.config` line for PLAIN (Java's PlainLoginModule). */
export function plainJaasConfig(user: ScramUser): string {
  return `org.apache.kafka.common.security.plain.PlainLoginModule required username="${user.name}" password="${user.password}";`;
}
