import { MirrorError } from '../../util/errors.ts';

/**
 * A record batch that cannot be decoded: bad CRC, impossible lengths, unsupported magic. The
 * details carry the batch's base offset (as a string) and what was wrong. The fetch path must fail
 * the partition on this, never skip past the batch.
 */
export class RecordBatchError extends MirrorError {
  constructor(
    code: 'ERR_KAFKA_CORRUPT_BATCH' | 'ERR_KAFKA_UNSUPPORTED_MAGIC',
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details);
  }
}
