/**
 * kafkajs's request queue re-armed a 1 ms check timer for as long as a connection was open, idle
 * or not (src/kafka/kafkajs/request-queue-timer.ts): an idle queue must schedule nothing, a queue
 * with a pending request must still be checked once its throttle ends. Run in a child process, as
 * only src/kafka/ may import kafkajs and opening a cluster is what installs the change.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('kafkajs request queue timers', () => {
  it('an idle queue schedules no check; a pending request of a throttled queue is checked when the throttle ends', () => {
    const script = `
      const { openKafkaCluster } = await import('./src/kafka/index.ts');
      const cluster = openKafkaCluster({ clientId: 'c', bootstrapServers: ['127.0.0.1:1'], securityProtocol: 'PLAINTEXT' });
      const RequestQueue = (await import('kafkajs/src/network/requestQueue/index.js')).default;
      const logger = { debug() {}, warn() {}, namespace() { return this; } };
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      const idle = new RequestQueue({ logger, clientId: 'c', broker: 'b' });
      let idleChecks = 0;
      const check = idle.checkPendingRequests.bind(idle);
      idle.checkPendingRequests = () => { idleChecks++; check(); };
      idle.checkPendingRequests(); // what every response ends with
      idle.throttledUntil = Date.now() + 50; // throttled, but nothing waits
      idle.checkPendingRequests();
      await sleep(200);
      const throttled = new RequestQueue({ logger, clientId: 'c', broker: 'b' });
      const checkedAt = [];
      throttled.checkPendingRequests = () => checkedAt.push(Date.now());
      const until = (throttled.throttledUntil = Date.now() + 100);
      throttled.pending.push({});
      throttled.scheduleCheckPendingRequests();
      await sleep(300);
      idle.destroy();
      throttled.destroy();
      await cluster.close();
      console.log(JSON.stringify({ idleChecks, throttledChecks: checkedAt.length, afterThrottle: checkedAt[0] >= until - 2 }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../../..', import.meta.url),
      encoding: 'utf8',
      timeout: 30_000,
    });
    // Before the change the idle queue was checked every ~1 ms: some hundred times in 200 ms.
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      idleChecks: 2,
      throttledChecks: 1,
      afterThrottle: true,
    });
  });
});
