import { MirrorError } from '../util/errors.ts';

/** Stable codes of {@link MirrorClientError}. */
export type MirrorClientErrorCode =
  /** An operation did not finish within its timeout. `details.partial` says whether a partial result existed. */
  | 'ERR_CLIENT_TIMEOUT'
  /** The topic the operation needs (e.g. `<remote>.checkpoints.internal`) does not exist on the cluster. */
  | 'ERR_UNKNOWN_TOPIC'
  /** The client was used after `close()`. */
  | 'ERR_CLIENT_CLOSED';

/** A MirrorClient / RemoteClusterUtils operation failed in a way the caller may want to react to. */
export class MirrorClientError extends MirrorError {
  declare readonly code: MirrorClientErrorCode;

  constructor(code: MirrorClientErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}
