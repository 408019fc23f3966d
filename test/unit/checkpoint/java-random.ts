/**
 * java.util.Random (48-bit LCG), enough of it to replay the random streams Kafka's
 * OffsetSyncStoreTest draws from `new Random(0L)`: nextLong, bounded longs, nextDouble.
 */
export class JavaRandom {
  private seed: bigint;

  constructor(seed: bigint) {
    this.seed = (seed ^ 0x5deece66dn) & ((1n << 48n) - 1n);
  }

  private next(bits: number): number {
    this.seed = (this.seed * 0x5deece66dn + 0xbn) & ((1n << 48n) - 1n);
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }

  nextLong(): bigint {
    return BigInt.asIntN(64, (BigInt(this.next(32)) << 32n) + BigInt(this.next(32)));
  }

  nextDouble(): number {
    return (this.next(26) * 2 ** 27 + this.next(27)) * 2 ** -53;
  }

  /** Java's `RandomSupport.boundedNextLong(origin, bound)`, used by `Random.longs(n, origin, bound)`. */
  nextLongBetween(origin: bigint, bound: bigint): bigint {
    let r = this.nextLong();
    const n = BigInt.asIntN(64, bound - origin);
    const m = BigInt.asIntN(64, n - 1n);
    if ((n & m) === 0n) return BigInt.asIntN(64, (r & m) + origin);
    if (n > 0n) {
      for (let u = BigInt.asUintN(64, r) >> 1n; ; u = BigInt.asUintN(64, this.nextLong()) >> 1n) {
        r = u % n;
        if (BigInt.asIntN(64, u + m - r) >= 0n) break;
      }
      return r + origin;
    }
    while (r < origin || r >= bound) r = this.nextLong();
    return r;
  }
}
