// Module declarations for the kafkajs 2.2.4 source files the adapter reaches into.
declare module 'kafkajs/src/protocol/error.js' {
  const errors: { errorCodes: { type: string; code: number; retriable: boolean; message: string }[] };
  export default errors;
}
