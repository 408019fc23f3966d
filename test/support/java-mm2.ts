import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnJavaMirrorMaker, type JavaMirrorMakerOptions } from '../../scripts/java-mm2.ts';

/** A running Java MM2 dedicated driver, with its output kept for failure messages. */
export interface JavaMirrorMaker {
  output(): string;
  stop(): Promise<number | null>;
}

export function startJavaMirrorMaker(options: JavaMirrorMakerOptions): JavaMirrorMaker {
  const child: ChildProcess = spawnJavaMirrorMaker({ heapMb: 512, logLevel: 'WARN', ...options });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.pid) {
        process.kill(-child.pid, 'SIGTERM');
        const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
        if (code !== 'timeout') return code;
        process.kill(-child.pid, 'SIGKILL');
      }
      return exited;
    },
  };
}
