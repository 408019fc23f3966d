/**
 * Runs a script's `main` and exits with its code; an error escaping it is printed with its stack
 * and exits 1. `process.exit` also ends what the script left open (client sockets, timers), which
 * a benchmark that stopped its brokers no longer needs.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
}
