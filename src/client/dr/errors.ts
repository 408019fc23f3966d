import { MirrorError } from '../../util/errors.ts';

/** Stable codes of {@link DrError}. */
export type DrErrorCode =
  /** `--from`/`--to` name no cluster of the file, or no route joins them. */
  | 'ERR_DR_ROUTE'
  /** A preflight check failed: nothing was changed. `details.checks` lists the failed ones. */
  | 'ERR_DR_REFUSED'
  /** The audit or journal file could not be written or read. */
  | 'ERR_DR_STATE';

/** A disaster-recovery command could not go on; the message says why and what would be valid. */
export class DrError extends MirrorError {
  declare readonly code: DrErrorCode;

  constructor(code: DrErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}
