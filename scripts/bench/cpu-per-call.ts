/**
 * CPU microseconds per call of `call`, run back to back for `seconds` after `warmUp` calls: user +
 * system time of the whole process, so work a call hands to libuv's pool counts too. CPU time
 * rather than wall time, so other load on a shared machine distorts the figures less.
 */
export async function cpuMicrosPerCall(call: () => unknown, seconds: number, warmUp = 20): Promise<number> {
  for (let i = 0; i < warmUp; i++) await call();
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < limit) {
    await call();
    n++;
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}
