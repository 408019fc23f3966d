import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { watchConfigFile } from '../../../src/runtime/reload-watch.ts';

describe('watchConfigFile', () => {
  it('calls back once per burst of writes, after the file settled; also for a file replaced by a rename', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm2ts-watch-'));
    const file = join(dir, 'mm2.properties');
    writeFileSync(file, 'clusters = A, B\n');
    let changes = 0;
    const stop = watchConfigFile(file, 100, () => changes++);
    try {
      await sleep(250);
      expect(changes).toBe(0);
      // Three writes in quick succession: one change once they stop.
      for (let i = 0; i < 3; i++) {
        writeFileSync(file, `clusters = A, B\n# edit ${i}${'.'.repeat(i)}\n`);
        await sleep(20);
      }
      await sleep(1_000);
      expect(changes).toBe(1);
      // An atomic replace (write elsewhere, rename over it), as editors and ConfigMaps do.
      writeFileSync(join(dir, 'next'), 'clusters = A, B, C\n');
      renameSync(join(dir, 'next'), file);
      await sleep(1_000);
      expect(changes).toBe(2);
    } finally {
      stop();
    }
    writeFileSync(file, 'clusters = A\n');
    await sleep(400);
    expect(changes).toBe(2);
  });
});
