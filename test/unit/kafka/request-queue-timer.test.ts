/**
 * kafkajs's request queue re-armed a 1 ms check timer for as long as a connection was open, idle
 * or not (src/kafka/kafkajs/request-queue-timer.ts): an idle queue must schedule nothing, a queue
 * with a pending request must still be checked once its throttle ends. Run in a child process, as
 * only src/kafka/ may import kafkajs and opening a cluster is what installs the change.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs `script` (an ES module) in a child node at the repository root; its last stdout line, parsed. */
function lastJsonLineOf(script: string): unknown {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('../../..', import.meta.url),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

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
    // Before the change the idle queue was checked every ~1 ms: some hundred times in 200 ms.
    expect(lastJsonLineOf(script)).toEqual({
      idleChecks: 2,
      throttledChecks: 1,
      afterThrottle: true,
    });
  });

  it('one timer times out the in-flight requests of every connected queue, and stops with the last queue', () => {
    const script = `
      const { openKafkaCluster } = await import('./src/kafka/index.ts');
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const before = timers();
      const cluster = openKafkaCluster({ clientId: 'c', bootstrapServers: ['127.0.0.1:1'], securityProtocol: 'PLAINTEXT' });
      const RequestQueue = (await import('kafkajs/src/network/requestQueue/index.js')).default;
      const logger = { debug() {}, warn() {}, namespace() { return this; } };
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      let connected = true;
      const queues = [0, 1, 2].map(() => new RequestQueue({
        logger, clientId: 'c', broker: 'b', requestTimeout: 30000, enforceRequestTimeout: true,
        isConnected: () => connected,
      }));
      for (const q of queues) q.scheduleRequestTimeoutCheck();
      const started = timers() - before;
      const timedOut = [];
      // A timed-out request leaves the queue (kafkajs rejects it and deletes it from inflight).
      const inflight = (q, id, name, ageMs, timeoutMs) => q.inflight.set(id, {
        sentAt: Date.now() - ageMs, requestTimeout: timeoutMs,
        timeoutRequest: () => { timedOut.push(name); q.inflight.delete(id); },
      });
      inflight(queues[0], 1, 'q0-late', 500, 100);
      inflight(queues[0], 2, 'q0-fresh', 0, 30000);
      inflight(queues[2], 1, 'q2-late', 1000, 200);
      await sleep(250);
      queues[1].destroy();
      const afterDestroy = timers() - before;
      connected = false; // the sockets went away: the next check lets the queues go
      await sleep(250);
      const afterDisconnect = timers() - before;
      await cluster.close();
      console.log(JSON.stringify({ started, timedOut: timedOut.sort(), afterDestroy, afterDisconnect }));
    `;
    // kafkajs ran one 100 ms interval per connected queue: 3, then 2, then none.
    expect(lastJsonLineOf(script)).toEqual({
      started: 1,
      timedOut: ['q0-late', 'q2-late'],
      afterDestroy: 1,
      afterDisconnect: 0,
    });
  });
});
