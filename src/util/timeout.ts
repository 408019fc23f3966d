/**
 * Resolves or rejects like `work`, but rejects with "timed out after N ms" if `work` takes longer
 * (Java's blocking admin steps bounded by `admin.timeout.ms`). `work` itself is not cancelled.
 */
export async function withTimeout<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
