import { KafkaPortError, MirrorError } from '../../util/errors.ts';
import { contextText, kafkaErrorInfo } from './protocol-errors.ts';
import { authorizationHint, securityFaultIn } from './security-faults.ts';

/**
 * Where a port call failed: `op` names the port method (`describeTopics`, `fetch`, …); other keys
 * (topic, group, …) locate the failure. All of it goes into the error's message and details.
 */
export type PortErrorContext = { op: string } & Record<string, unknown>;

/**
 * Which cluster a port call went to: the MM2 alias when the client has one, always the bootstrap
 * servers (named in the error only when neither the alias nor the broker says where).
 */
export interface PortOrigin {
  cluster?: string;
  bootstrap: readonly string[];
}

/**
 * The only shape of error a port method lets escape: a {@link KafkaPortError} (or another
 * MirrorError we raised on purpose), never a kafkajs error. Every KafkaPortError names the cluster
 * alias (`details.cluster`), the broker address when known (`details.broker`, host:port), the
 * operation (`details.op`) and the cause. Rules, in order:
 *
 * - A MirrorError passes through; a KafkaPortError that does not name its cluster yet gets `origin`.
 * - A security fault anywhere in the error ({@link securityFaultIn}: TLS trust, certificate rejected,
 *   bad key passphrase, unreadable PEM, SASL authentication failed): `ERR_KAFKA_TLS` or
 *   `ERR_KAFKA_AUTHENTICATION`, not retriable, with the config keys to check and never Node's or
 *   OpenSSL's own text. kafkajs wraps TLS failures in retriable connection errors; retrying a
 *   configuration mistake only hides it.
 * - A Kafka protocol error anywhere in the error (kafkajs's KafkaJSProtocolError and subclasses,
 *   also inside KafkaJSNumberOfRetriesExceeded / KafkaJSNonRetriableError `cause`s, the `errors` of
 *   a KafkaJSAggregateError, the `partitions[].error` / `groups[].error` of the delete errors):
 *   code `KAFKA_<Kafka's name>` (of the first one found), `details.kafkaErrorCode`, and
 *   `details.retriable` as Kafka defines it (true only if every protocol error found is retriable);
 *   `*_AUTHORIZATION_FAILED` says which principal lacks an ACL.
 * - Otherwise the first client-level error found (see {@link CLIENT_ERRORS}): a connection error or
 *   a Node socket error (`ECONNREFUSED`, …) is `ERR_KAFKA_CONNECTION`, a request or wait timeout
 *   `ERR_KAFKA_TIMEOUT`, missing metadata (no broker, no leader, no coordinator) `ERR_KAFKA_METADATA`,
 *   all retriable; an API the broker lacks `KAFKA_UNSUPPORTED_VERSION`, not retriable.
 * - Otherwise retries kafkajs gave up on (`ERR_KAFKA_RETRIES_EXCEEDED`) are retriable; any other
 *   kafkajs error is `ERR_KAFKA_CLIENT` with kafkajs's own `retriable` flag; anything else (a bug)
 *   is `ERR_KAFKA_UNEXPECTED`, not retriable.
 *
 * The original error is the `cause`.
 */
export function toPortError(err: unknown, context: PortErrorContext, origin?: PortOrigin): MirrorError {
  if (err instanceof MirrorError) return withOrigin(err, origin);
  const nodes = errorGraph(err);
  const original = messageOf(err);
  const broker = brokerOf(nodes);
  const at = located(context, origin, broker);

  const fault = securityFaultIn(nodes);
  if (fault) {
    // The broker's address or, before any broker answered (SASL runs on the bootstrap connection), the bootstrap list.
    const where = broker !== undefined || origin === undefined ? at : located(context, origin, undefined, true);
    const reason = fault.reason !== undefined ? ` (${fault.reason})` : '';
    const said = fault.said !== undefined ? ` [${fault.said}]` : '';
    return new KafkaPortError(
      fault.code,
      `${fault.cause}: ${fault.explanation}${reason}${said}; check ${fault.keys.join(', ')} (${contextText(where)})`,
      { ...where, ...(fault.reason !== undefined ? { reason: fault.reason } : {}), retriable: false },
      { cause: err },
    );
  }

  const protocol = nodes.filter(isProtocolError).map(protocolInfo);
  const first = protocol[0];
  if (first) {
    const text = first.message === original || first.message === '' ? original : `${original}: ${first.message}`;
    const hint = authorizationHint(first.name);
    return new KafkaPortError(
      `KAFKA_${first.name}`,
      `${first.name}: ${text}${hint !== undefined ? `; ${hint}` : ''} (${contextText(at)})`,
      { ...at, kafkaErrorCode: first.code, retriable: protocol.every((p) => p.retriable) },
      { cause: err },
    );
  }

  for (const node of nodes) {
    const kind = clientErrorKind(node);
    if (!kind) continue;
    const kafkaErrorCode = kind.kafkaErrorCode !== undefined ? { kafkaErrorCode: kind.kafkaErrorCode } : {};
    const where =
      kind === CONNECTION && broker === undefined && origin !== undefined
        ? located(context, origin, undefined, true)
        : at;
    const cause = kind === CONNECTION ? connectionCause(nodes) : undefined;
    return new KafkaPortError(
      kind.code,
      `${cause !== undefined ? `${cause}: ` : ''}${original} (${contextText(where)})`,
      { ...where, ...kafkaErrorCode, retriable: kind.retriable },
      { cause: err },
    );
  }

  if (nodes.some((n) => n.name === 'KafkaJSNumberOfRetriesExceeded')) {
    return new KafkaPortError(
      'ERR_KAFKA_RETRIES_EXCEEDED',
      `${original} (${contextText(at)})`,
      { ...at, retriable: true },
      { cause: err },
    );
  }
  const top = nodes[0];
  if (top && typeof top.name === 'string' && top.name.startsWith('KafkaJS')) {
    return new KafkaPortError(
      'ERR_KAFKA_CLIENT',
      `${original} (${contextText(at)})`,
      { ...at, retriable: top.retriable === true },
      { cause: err },
    );
  }
  return new KafkaPortError(
    'ERR_KAFKA_UNEXPECTED',
    `${original} (${contextText(at)})`,
    { ...at, retriable: false },
    { cause: err },
  );
}

/** Runs one port call, turning whatever it throws into a port error ({@link toPortError}). */
export async function withPortErrors<T>(
  context: PortErrorContext,
  call: () => Promise<T>,
  origin?: PortOrigin,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toPortError(err, context, origin);
  }
}

/**
 * The details of a failure, in the order messages list them: cluster, broker (or, when asked, the
 * bootstrap servers), operation, the rest. Without an alias the bootstrap servers say which cluster.
 */
function located(
  context: PortErrorContext,
  origin: PortOrigin | undefined,
  broker: string | undefined,
  withBootstrap = false,
): Record<string, unknown> {
  const bootstrap = origin !== undefined ? { bootstrap: origin.bootstrap.join(',') } : {};
  const cluster = origin?.cluster !== undefined ? { cluster: origin.cluster } : bootstrap;
  const address = broker !== undefined ? { broker } : withBootstrap ? bootstrap : {};
  return { ...cluster, ...address, ...context };
}

/**
 * A KafkaPortError raised inside a port call (a Kafka error code in a response we decoded) knows
 * the operation but not the cluster: add it, to the details and to the `(…)` of the message.
 */
function withOrigin(err: MirrorError, origin: PortOrigin | undefined): MirrorError {
  if (!(err instanceof KafkaPortError) || origin === undefined) return err;
  if (err.details['cluster'] !== undefined || err.details['bootstrap'] !== undefined) return err;
  const where = origin.cluster !== undefined ? { cluster: origin.cluster } : { bootstrap: origin.bootstrap.join(',') };
  const text = contextText(where);
  const open = err.message.lastIndexOf(' (');
  const message =
    open >= 0 && err.message.endsWith(')')
      ? `${err.message.slice(0, open + 2)}${text} ${err.message.slice(open + 2)}`
      : `${err.message} (${text})`;
  return new KafkaPortError(err.code, message, { ...where, ...err.details }, { cause: err.cause ?? err });
}

/** The first broker address (host:port) any error in the graph names. */
function brokerOf(nodes: ErrorNode[]): string | undefined {
  for (const node of nodes) if (typeof node.broker === 'string' && node.broker !== '') return node.broker;
  return undefined;
}

interface ClientErrorKind {
  code: string;
  retriable: boolean;
  kafkaErrorCode?: number;
}

const CONNECTION: ClientErrorKind = { code: 'ERR_KAFKA_CONNECTION', retriable: true };
const TIMEOUT: ClientErrorKind = { code: 'ERR_KAFKA_TIMEOUT', retriable: true };
const METADATA: ClientErrorKind = { code: 'ERR_KAFKA_METADATA', retriable: true };

/**
 * kafkajs's errors below the Kafka protocol, by class name (kafkajs names every class). kafkajs
 * marks its timeouts and a missing group coordinator non-retriable; to the caller they are
 * transient like a broken connection.
 */
const CLIENT_ERRORS = new Map<string, ClientErrorKind>([
  ['KafkaJSConnectionError', CONNECTION],
  ['KafkaJSConnectionClosedError', CONNECTION],
  ['KafkaJSRequestTimeoutError', TIMEOUT],
  ['KafkaJSTimeout', TIMEOUT],
  ['KafkaJSLockTimeout', TIMEOUT],
  ['KafkaJSBrokerNotFound', METADATA],
  ['KafkaJSMetadataNotLoaded', METADATA],
  ['KafkaJSTopicMetadataNotLoaded', METADATA],
  ['KafkaJSStaleTopicMetadataAssignment', METADATA],
  ['KafkaJSNoBrokerAvailableError', METADATA],
  ['KafkaJSGroupCoordinatorNotFound', METADATA],
  // The client-side form of Kafka's UNSUPPORTED_VERSION (Java: UnsupportedVersionException).
  ['KafkaJSServerDoesNotSupportApiKey', { code: 'KAFKA_UNSUPPORTED_VERSION', retriable: false, kafkaErrorCode: 35 }],
]);

/** Node socket and DNS errors (`err.code`) that mean the network failed, not the request. */
const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Why a connection failed, in words (as Java's NetworkClient logs it), from the socket's errno. */
const CONNECTION_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the broker',
  EPIPE: 'connection closed by the broker',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
};

function connectionCause(nodes: ErrorNode[]): string {
  for (const node of nodes) {
    const cause = typeof node.code === 'string' ? CONNECTION_CAUSES[node.code] : undefined;
    if (cause !== undefined) return cause;
    if (node.message === 'Connection timeout') return 'connection timed out';
  }
  return 'connection failed';
}

function clientErrorKind(node: ErrorNode): ClientErrorKind | undefined {
  const byName = typeof node.name === 'string' ? CLIENT_ERRORS.get(node.name) : undefined;
  if (byName) return byName;
  if (typeof node.code === 'string' && NETWORK_ERRNOS.has(node.code)) return CONNECTION;
  return undefined;
}

/** The fields of kafkajs's error classes this module reads. */
interface ErrorNode {
  name?: unknown;
  message?: unknown;
  type?: unknown;
  code?: unknown;
  retriable?: unknown;
  broker?: unknown;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
  partitions?: unknown;
  groups?: unknown;
}

const KAFKA_ERROR_NAME = /^[A-Z][A-Z0-9_]+$/;

function isProtocolError(node: ErrorNode): boolean {
  return typeof node.type === 'string' && KAFKA_ERROR_NAME.test(node.type);
}

function protocolInfo(node: ErrorNode): {
  name: string;
  code: number | undefined;
  retriable: boolean;
  message: string;
} {
  const code = typeof node.code === 'number' ? node.code : undefined;
  const info = code !== undefined ? kafkaErrorInfo(code) : undefined;
  const type = node.type as string;
  // kafkajs still calls code 6 by its pre-2.x name; kafkaErrorInfo renames it.
  const name = info?.name ?? (type === 'NOT_LEADER_FOR_PARTITION' ? 'NOT_LEADER_OR_FOLLOWER' : type);
  const retriable = typeof node.retriable === 'boolean' ? node.retriable : (info?.retriable ?? false);
  return { name, code, retriable, message: typeof node.message === 'string' ? node.message : '' };
}

/** The error and everything it wraps, outermost first (breadth first, bounded, without cycles). */
function errorGraph(err: unknown): ErrorNode[] {
  const nodes: ErrorNode[] = [];
  const seen = new Set<object>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && nodes.length < 32) {
    const next = queue.shift();
    if (next === null || typeof next !== 'object' || seen.has(next)) continue;
    seen.add(next);
    const node = next as ErrorNode;
    nodes.push(node);
    queue.push(node.cause, node.originalError);
    if (Array.isArray(node.errors)) queue.push(...(node.errors as unknown[]));
    for (const list of [node.partitions, node.groups]) {
      if (!Array.isArray(list)) continue;
      for (const item of list as unknown[]) {
        if (item !== null && typeof item === 'object') queue.push((item as { error?: unknown }).error);
      }
    }
  }
  return nodes;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err !== null && typeof err === 'object' && typeof (err as ErrorNode).message === 'string') {
    return (err as { message: string }).message;
  }
  return String(err);
}
