/**
 * kafkajs 2.2.4's request queue schedules `setTimeout(fn, throttledUntil - now)` with a negative
 * delay whenever it is not throttled; Node >= 22 clamps it to 1 ms (the intended behaviour) and
 * prints a TimeoutNegativeWarning each time. Drop exactly that warning type, nothing else.
 */
const originalEmitWarning = process.emitWarning.bind(process);

function isNegativeTimeoutWarning(warning: string | Error, typeOrOptions: unknown): boolean {
  if (warning instanceof Error) return warning.name === 'TimeoutNegativeWarning';
  if (typeof typeOrOptions === 'string') return typeOrOptions === 'TimeoutNegativeWarning';
  if (typeOrOptions && typeof typeOrOptions === 'object') {
    return (typeOrOptions as { type?: string }).type === 'TimeoutNegativeWarning';
  }
  return false;
}

process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (isNegativeTimeoutWarning(warning, rest[0])) return;
  (originalEmitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
