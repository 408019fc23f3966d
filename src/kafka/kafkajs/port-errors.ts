import { KafkaPortError, MirrorError } from '../../util/errors.ts';
import { contextText, kafkaErrorInfo } from './protocol-errors.ts';

/**
 * Where a port call failed: `op` names the port method (`describeTopics`, `fetch`, …); other keys
 * (topic, group, …) locate the failure. All of it goes into the error's message and details.
 */
export type PortErrorContext = { op: string } & Record<string, unknown>;

/**
 * The only shape of error a port method lets escape: a {@link KafkaPortError} (or another
 * MirrorError we raised on purpose, unchanged), never a kafkajs error. Rules, in order:
 *
 * - A MirrorError (our own KafkaPortError, a compression or record-format error) passes through.
 * - A Kafka protocol error anywhere in the error (kafkajs's KafkaJSProtocolError and subclasses,
 *   also inside KafkaJSNumberOfRetriesExceeded / KafkaJSNonRetriableError `cause`s, the `errors` of
 *   a KafkaJSAggregateError, the `partitions[].error` / `groups[].error` of the delete errors):
 *   code `KAFKA_<Kafka's name>` (of the first one found), `details.kafkaErrorCode`, and
 *   `details.retriable` as Kafka defines it (true only if every protocol error found is retriable).
 * - Otherwise the first client-level error found (see {@link CLIENT_ERRORS}): a connection error or
 *   a Node socket error (`ECONNREFUSED`, …) is `ERR_KAFKA_CONNECTION`, a request or wait timeout
 *   `ERR_KAFKA_TIMEOUT`, missing metadata (no broker, no leader, no coordinator) `ERR_KAFKA_METADATA`,
 *   all retriable; a SASL failure `ERR_KAFKA_AUTHENTICATION` and an API the broker lacks
 *   `KAFKA_UNSUPPORTED_VERSION`, not retriable.
 * - Otherwise retries kafkajs gave up on (`ERR_KAFKA_RETRIES_EXCEEDED`) are retriable; any other
 *   kafkajs error is `ERR_KAFKA_CLIENT` with kafkajs's own `retriable` flag; anything else (a bug)
 *   is `ERR_KAFKA_UNEXPECTED`, not retriable.
 *
 * The original error is the `cause`; the message keeps its text and adds the context.
 */
export function toPortError(err: unknown, context: PortErrorContext): MirrorError {
  if (err instanceof MirrorError) return err;
  const nodes = errorGraph(err);
  const where = contextText(context);
  const original = messageOf(err);

  const protocol = nodes.filter(isProtocolError).map(protocolInfo);
  const first = protocol[0];
  if (first) {
    const text = first.message === original || first.message === '' ? original : `${original}: ${first.message}`;
    return new KafkaPortError(
      `KAFKA_${first.name}`,
      `${first.name}: ${text} (${where})`,
      { ...context, kafkaErrorCode: first.code, retriable: protocol.every((p) => p.retriable) },
      { cause: err },
    );
  }

  for (const node of nodes) {
    const kind = clientErrorKind(node);
    if (!kind) continue;
    const broker = typeof node.broker === 'string' ? { broker: node.broker } : {};
    const kafkaErrorCode = kind.kafkaErrorCode !== undefined ? { kafkaErrorCode: kind.kafkaErrorCode } : {};
    return new KafkaPortError(
      kind.code,
      `${original} (${where})`,
      { ...context, ...broker, ...kafkaErrorCode, retriable: kind.retriable },
      { cause: err },
    );
  }

  if (nodes.some((n) => n.name === 'KafkaJSNumberOfRetriesExceeded')) {
    return new KafkaPortError(
      'ERR_KAFKA_RETRIES_EXCEEDED',
      `${original} (${where})`,
      { ...context, retriable: true },
      { cause: err },
    );
  }
  const top = nodes[0];
  if (top && typeof top.name === 'string' && top.name.startsWith('KafkaJS')) {
    return new KafkaPortError(
      'ERR_KAFKA_CLIENT',
      `${original} (${where})`,
      { ...context, retriable: top.retriable === true },
      { cause: err },
    );
  }
  return new KafkaPortError(
    'ERR_KAFKA_UNEXPECTED',
    `${original} (${where})`,
    { ...context, retriable: false },
    { cause: err },
  );
}

/** Runs one port call, turning whatever it throws into a port error ({@link toPortError}). */
export async function withPortErrors<T>(context: PortErrorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toPortError(err, context);
  }
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
  ['KafkaJSSASLAuthenticationError', { code: 'ERR_KAFKA_AUTHENTICATION', retriable: false }],
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
