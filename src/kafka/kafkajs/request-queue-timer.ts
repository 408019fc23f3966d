import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

/**
 * kafkajs 2.2.4's request queue (src/network/requestQueue/index.js) ends every
 * `checkPendingRequests` with `scheduleCheckPendingRequests`, which, when the queue is idle and
 * not throttled, schedules `setTimeout(check, throttledUntil - now)`: a negative delay, which Node
 * clamps to 1 ms (printing a TimeoutNegativeWarning), and the check then schedules itself again.
 * Every broker connection thus ran a 1 ms timer for as long as it was open: about a thousand
 * wake-ups a second per connection of an idle mirror, most of its idle CPU
 * (docs/benchmarks/2026-11-30-scale-2.md).
 *
 * An idle queue has nothing to check: a request is only ever made pending by `push`, which
 * schedules the check itself (after the throttle, or at kafkajs's 10 ms interval), and a response
 * checks the queue as it arrives. So an idle queue schedules nothing here; a queue with pending
 * requests, or a check already scheduled, keeps kafkajs's own code.
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
    if (!idle) original.call(this);
  };
}
