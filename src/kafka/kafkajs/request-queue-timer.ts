import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

/**
 * kafkajs 2.2.4's request queue (src/network/requestQueue/index.js, `scheduleCheckPendingRequests`)
 * schedules `setTimeout(check, throttledUntil - now)` whenever it is idle and not throttled, a
 * negative delay: Node clamps it to 1 ms, as intended, and prints a TimeoutNegativeWarning. This
 * schedules the same check at 1 ms itself in exactly that case, so no warning arises; throttled or
 * busy queues keep kafkajs's own code.
 *
 * It changes kafkajs's class, so it runs only when a cluster is first opened (never on import),
 * and once: importing the library leaves the process and kafkajs untouched.
 */
let applied = false;

export function scheduleIdleChecksWithoutNegativeTimeouts(): void {
  if (applied) return;
  applied = true;
  const proto = RequestQueue.prototype;
  const original = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueue): void {
    const idle = !this.throttleCheckTimeoutId && this.pending.length === 0;
    if (!idle || this.throttledUntil - Date.now() > 1) {
      original.call(this);
      return;
    }
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, 1);
  };
}
