// Module declarations for the kafkajs 2.2.4 source files the adapter reaches into.
declare module 'kafkajs/src/protocol/error.js' {
  const errors: { errorCodes: { type: string; code: number; retriable: boolean; message: string }[] };
  export default errors;
}

declare module 'kafkajs/src/network/requestQueue/index.js' {
  /** kafkajs's per-connection request queue; only what request-queue-timer.ts reads. */
  class RequestQueue {
    throttledUntil: number;
    throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
    pending: unknown[];
    enforceRequestTimeout: boolean;
    inflight: Map<number, { sentAt: number; requestTimeout: number; timeoutRequest(): void }>;
    isConnected(): boolean;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
    scheduleRequestTimeoutCheck(): void;
    destroy(): void;
  }
  export default RequestQueue;
}

declare module 'kafkajs/src/network/connection.js' {
  /** kafkajs's broker connection; response-reassembly.ts replaces its `processData`. */
  class Connection {
    processData(rawData: Buffer): void;
  }
  export default Connection;
}
