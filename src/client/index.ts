/** The client library: Java's MirrorClient and RemoteClusterUtils. */
export * from './client-config.ts';
export * from './errors.ts';
export * from './checkpoint-exactness.ts';
export * from './translated-offsets.ts';
export * from './mirror-client.ts';
export * from './remote-cluster-utils.ts';
export * from './mm2-properties.ts';
