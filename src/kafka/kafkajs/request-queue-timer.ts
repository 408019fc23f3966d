import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

/**
 * Two changes to kafkajs 2.2.4's request queue (src/network/requestQueue/index.js), each a timer
 * that woke an idle mirror for nothing.
 *
 * 1. Idle checks. kafkajs's request queue ends every
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
 * 2. Request timeouts. Each connected queue ran its own 100 ms interval (`scheduleRequestTimeoutCheck`)
 * to time its in-flight requests out: with the 14 connections of an idle 8,000-partition mirror,
 * 140 of its ~265 event-loop wake-ups a second (with prom-client's 10 ms event-loop sampling,
 * src/metrics/registry.ts, the other 100; both gone, the idle main thread's CPU halved:
 * docs/benchmarks/2026-12-01-idle-wakeups.md). One interval at the same 100 ms now checks
 * every connected queue, the same test kafkajs's made per request (sent longer ago than its
 * timeout) and the same clean-up of a queue whose connection is gone; it runs while a queue is
 * registered and stops when the last one is destroyed.
 *
 * It changes kafkajs's class, so it runs only when a cluster is first opened (never on import),
 * and once: importing the library leaves the process and kafkajs untouched.
 */
let applied = false;

/** kafkajs's own period of the request-timeout check (`Math.min(requestTimeout, 100)`). */
const REQUEST_TIMEOUT_CHECK_MS = 100;

/** Connected queues whose in-flight requests the shared check times out. */
const timedQueues = new Set<RequestQueue>();
let timeoutCheck: ReturnType<typeof setInterval> | undefined;

function checkRequestTimeouts(): void {
  const now = Date.now();
  for (const queue of timedQueues) {
    for (const request of queue.inflight.values())
      if (now - request.sentAt > request.requestTimeout) request.timeoutRequest();
    // kafkajs's check ends the same way: a queue whose socket went away stops being checked.
    if (!queue.isConnected()) queue.destroy();
  }
}

export function quietRequestQueueTimers(): void {
  if (applied) return;
  applied = true;
  const proto = RequestQueue.prototype;
  const scheduleCheck = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueue): void {
    const idle = !this.throttleCheckTimeoutId && this.pending.length === 0;
    if (!idle) scheduleCheck.call(this);
  };
  // Called when the connection is up; kafkajs's version also starts by destroying the queue's timers.
  proto.scheduleRequestTimeoutCheck = function (this: RequestQueue): void {
    if (!this.enforceRequestTimeout) return;
    this.destroy();
    timedQueues.add(this);
    timeoutCheck ??= setInterval(checkRequestTimeouts, REQUEST_TIMEOUT_CHECK_MS);
  };
  const destroyTimers = proto.destroy;
  proto.destroy = function (this: RequestQueue): void {
    destroyTimers.call(this);
    timedQueues.delete(this);
    if (timedQueues.size === 0 && timeoutCheck !== undefined) {
      clearInterval(timeoutCheck);
      timeoutCheck = undefined;
    }
  };
}
