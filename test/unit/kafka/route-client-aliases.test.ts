/**
 * Each client a route opens carries the alias of the cluster it talks to, so its log lines
 * (`cluster`) and errors name that cluster, never a client id or the other side of the route.
 * Offset-syncs clients follow `offset-syncs.topic.location` (Java MirrorSourceConfig, KIP-716).
 */
import { describe, expect, it } from 'vitest';
import { loadMirrorMakerConfigText } from '../../../src/config/load.ts';
import {
  clientSettings,
  replicationConsumer,
  replicationProducer,
  workerClientSettings,
} from '../../../src/runtime/route-clients.ts';

function route(extra = '') {
  const config = loadMirrorMakerConfigText(
    [
      'clusters = eu, us',
      'eu.bootstrap.servers = eu-1:9092',
      'us.bootstrap.servers = us-1:9092',
      'eu->us.enabled = true',
      'us->eu.enabled = false',
      extra,
    ].join('\n'),
  );
  const found = config.routes.find((r) => r.name === 'eu->us');
  if (!found) throw new Error('no route eu->us');
  return found;
}

describe('the cluster alias of every route client', () => {
  it('source-side clients name the source, target-side and worker clients the target', () => {
    const r = route();
    expect(replicationConsumer(r).settings).toMatchObject({ clusterAlias: 'eu', bootstrapServers: ['eu-1:9092'] });
    expect(clientSettings(r, 'source.replication-source-admin')).toMatchObject({ clusterAlias: 'eu' });
    expect(clientSettings(r, 'checkpoint.checkpoint-source-admin')).toMatchObject({ clusterAlias: 'eu' });
    expect(clientSettings(r, 'source.replication-target-admin')).toMatchObject({
      clusterAlias: 'us',
      bootstrapServers: ['us-1:9092'],
    });
    expect(clientSettings(r, 'checkpoint.checkpoints-target-consumer')).toMatchObject({ clusterAlias: 'us' });
    expect(clientSettings(r, 'heartbeat.heartbeats-target-admin')).toMatchObject({ clusterAlias: 'us' });
    expect(replicationProducer(r, 0).settings).toMatchObject({ clusterAlias: 'us', bootstrapServers: ['us-1:9092'] });
    expect(workerClientSettings(r, 'offsets')).toMatchObject({ clusterAlias: 'us', bootstrapServers: ['us-1:9092'] });
  });

  it('offset-syncs clients follow offset-syncs.topic.location', () => {
    const onSource = route();
    expect(clientSettings(onSource, 'source.offset-syncs-producer')).toMatchObject({ clusterAlias: 'eu' });
    expect(clientSettings(onSource, 'checkpoint.offset-syncs-consumer')).toMatchObject({ clusterAlias: 'eu' });
    const onTarget = route('offset-syncs.topic.location = target');
    expect(clientSettings(onTarget, 'source.offset-syncs-producer')).toMatchObject({
      clusterAlias: 'us',
      bootstrapServers: ['us-1:9092'],
    });
    expect(clientSettings(onTarget, 'source.offset-syncs-admin')).toMatchObject({ clusterAlias: 'us' });
    expect(clientSettings(onTarget, 'checkpoint.offset-syncs-consumer')).toMatchObject({ clusterAlias: 'us' });
  });
});
