import { describe, expect, it } from 'vitest';
import { connectorClientConfig } from '../../../src/config/connector-clients.ts';
import { loadMirrorMakerConfigText } from '../../../src/config/load.ts';
import { MirrorMakerConfig, routeName, valuesOf, type SourcedMap } from '../../../src/config/mirror-maker-config.ts';
import { ConfigError } from '../../../src/util/errors.ts';

// Ports, in our own words, of Java's MirrorMakerConfigTest and MirrorConnectorConfigTest.

const model = (props: Record<string, string>) => new MirrorMakerConfig(new Map(Object.entries(props)));
const plain = (m: SourcedMap) => valuesOf(m);
const sourced = (props: Record<string, string>): SourcedMap =>
  new Map(Object.entries(props).map(([k, v]) => [k, { value: v, origin: k }]));
const AB = { source: 'a', target: 'b' };

describe('MirrorMakerConfig: connector configs', () => {
  it('fans cluster bootstrap servers into source/target cluster keys and passes top-level security.protocol', () => {
    const c = plain(
      model({
        clusters: 'a, b',
        'a.bootstrap.servers': 'servers-one',
        'b.bootstrap.servers': 'servers-two',
        'security.protocol': 'SSL',
        'replication.factor': '4',
      }).connectorBaseConfig(AB, 'source'),
    );
    expect(c['source.cluster.bootstrap.servers']).toBe('servers-one');
    expect(c['target.cluster.bootstrap.servers']).toBe('servers-two');
    expect(c['security.protocol']).toBe('SSL');
    expect(c['replication.factor']).toBe('4');
  });

  it('takes route-level keys with the route prefix stripped', () => {
    const c = plain(model({ clusters: 'a, b', 'a->b.tasks.max': '123' }).connectorBaseConfig(AB, 'source'));
    expect(c['tasks.max']).toBe('123');
  });

  it('keeps top-level connector keys and drops unknown ones', () => {
    const c = plain(
      model({
        clusters: 'a, b',
        'tasks.max': '100',
        topics: 'topic-1',
        groups: 'group-2',
        'replication.policy.separator': '__',
        'config.properties.exclude': 'property-3',
        'metric.reporters': 'FakeMetricsReporter',
        'topic.filter.class': 'org.apache.kafka.connect.mirror.DefaultTopicFilter',
        xxx: 'yyy',
      }).connectorBaseConfig({ source: 'source', target: 'target' }, 'source'),
    );
    expect(c).toMatchObject({
      'tasks.max': '100',
      topics: 'topic-1',
      groups: 'group-2',
      'replication.policy.separator': '__',
      'config.properties.exclude': 'property-3',
      'metric.reporters': 'FakeMetricsReporter',
      'topic.filter.class': 'org.apache.kafka.connect.mirror.DefaultTopicFilter',
    });
    expect(c).not.toHaveProperty('xxx');
  });

  it('passes route topics and topics.exclude through', () => {
    const c = plain(
      model({
        clusters: 'a, b',
        'source->target.topics': 'topic1, topic2',
        'source->target.topics.exclude': 'topic3',
      }).connectorBaseConfig({ source: 'source', target: 'target' }, 'source'),
    );
    expect(c['topics']).toBe('topic1, topic2');
    expect(c['topics.exclude']).toBe('topic3');
  });

  it('fills name, class, aliases and enabled=false, and does not resolve placeholders', () => {
    const c = plain(
      model({
        clusters: 'a, b',
        'ssl.key.password': '${fake:secret:password}',
        'b->a.topics': '${fake:secret:password}',
      }).connectorBaseConfig({ source: 'b', target: 'a' }, 'checkpoint'),
    );
    expect(c).toMatchObject({
      name: 'MirrorCheckpointConnector',
      'connector.class': 'org.apache.kafka.connect.mirror.MirrorCheckpointConnector',
      'source.cluster.alias': 'b',
      'target.cluster.alias': 'a',
      enabled: 'false',
      'ssl.key.password': '${fake:secret:password}',
      topics: '${fake:secret:password}',
    });
  });

  it('builds the facts §5.4 example exactly', () => {
    const c = plain(
      model({
        clusters: 'A,B',
        'A.bootstrap.servers': 'a:9092',
        'B.bootstrap.servers': 'b:9092',
        'A->B.enabled': 'true',
        'A->B.topics': 'foo.*',
        'replication.factor': '3',
        'A.consumer.isolation.level': 'read_committed',
        'B.producer.compression.type': 'lz4',
      }).connectorBaseConfig({ source: 'A', target: 'B' }, 'source'),
    );
    expect(c).toEqual({
      'replication.factor': '3',
      'source.cluster.bootstrap.servers': 'a:9092',
      'source.consumer.bootstrap.servers': 'a:9092',
      'source.producer.bootstrap.servers': 'a:9092',
      'source.admin.bootstrap.servers': 'a:9092',
      'source.consumer.isolation.level': 'read_committed',
      'target.cluster.bootstrap.servers': 'b:9092',
      'target.consumer.bootstrap.servers': 'b:9092',
      'target.producer.bootstrap.servers': 'b:9092',
      'target.admin.bootstrap.servers': 'b:9092',
      'target.producer.compression.type': 'lz4',
      name: 'MirrorSourceConnector',
      'connector.class': 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
      'source.cluster.alias': 'A',
      'target.cluster.alias': 'B',
      enabled: 'true',
      topics: 'foo.*',
    });
  });
});

describe('MirrorMakerConfig: worker and client configs', () => {
  const props = {
    clusters: 'a, b',
    'config.providers': 'fake',
    'config.providers.fake.class': 'Fake',
    'replication.policy.separator': '__',
    'offset.storage.replication.factor': '123',
    'b.status.storage.replication.factor': '456',
    'b.producer.client.id': 'client-one',
    'b.security.protocol': 'PLAINTEXT',
    'b.producer.security.protocol': 'SASL',
    'ssl.truststore.password': 'secret1',
    'ssl.key.password': '${fake:secret:password}',
    'b.xxx': 'yyy',
  };
  const fakeResolve = (m: SourcedMap): SourcedMap =>
    new Map([...m].map(([k, v]) => [k, { ...v, value: v.value.replace('${fake:secret:password}', 'secret2') }]));

  it('derives worker configs from the target cluster, top-level worker prefixes and defaults, resolved', () => {
    const m = model(props);
    const ba = plain(m.workerConfig({ source: 'b', target: 'a' }, fakeResolve));
    expect(ba).toMatchObject({
      'client.id': 'b->a',
      'offset.storage.replication.factor': '123',
      'replication.policy.separator': '__',
      'config.providers': 'fake',
    });
    const ab = plain(m.workerConfig(AB, fakeResolve));
    expect(ab).toMatchObject({
      'client.id': 'a->b',
      'group.id': 'a-mm2',
      'offset.storage.topic': 'mm2-offsets.a.internal',
      'status.storage.topic': 'mm2-status.a.internal',
      'config.storage.topic': 'mm2-configs.a.internal',
      'key.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
      'status.storage.replication.factor': '456',
      'producer.client.id': 'client-one',
      'producer.security.protocol': 'SASL',
      'consumer.security.protocol': 'PLAINTEXT',
      'ssl.truststore.password': 'secret1',
      'producer.ssl.truststore.password': 'secret1',
      'ssl.key.password': 'secret2',
      'producer.ssl.key.password': 'secret2',
      xxx: 'yyy',
    });
  });

  it('QUIRK kept: a top-level storage key overrides the target cluster one', () => {
    const w = plain(
      model({
        clusters: 'a, b',
        'offset.storage.replication.factor': '1',
        'b.offset.storage.replication.factor': '2',
      }).workerConfig(AB),
    );
    expect(w['offset.storage.replication.factor']).toBe('1');
  });

  it('client config = top level + cluster props; cluster security keys beat top-level ones', () => {
    const c = plain(
      model({
        clusters: 'a, b',
        'security.protocol': 'SSL',
        'a.security.protocol': 'PLAINTEXT',
        'a.producer.security.protocol': 'SSL',
        'a.bootstrap.servers': '127.0.0.1:9092, 127.0.0.2:9092',
        'a.xxx': 'yyy',
        xxx: 'zzz',
      }).clientConfig('a'),
    );
    expect(c).toMatchObject({
      'security.protocol': 'PLAINTEXT',
      'admin.security.protocol': 'PLAINTEXT',
      'producer.security.protocol': 'SSL',
      'bootstrap.servers': '127.0.0.1:9092, 127.0.0.2:9092',
      xxx: 'yyy',
    });
  });
});

describe('MirrorMakerConfig: cluster pairs', () => {
  const names = (p: Record<string, string>) => model(p).clusterPairs().map(routeName);

  it('creates every ordered pair while heartbeats are on by default', () => {
    expect(names({ clusters: 'a, b, c' })).toHaveLength(6);
  });
  it('creates none when heartbeats are off globally and no route is enabled', () => {
    expect(names({ clusters: 'a, b, c', 'emit.heartbeats.enabled': 'false' })).toEqual([]);
  });
  it('drops pairs whose heartbeats are off', () => {
    expect(
      names({ clusters: 'a, b, c', 'a->b.emit.heartbeats.enabled': 'false', 'a->c.emit.heartbeats.enabled': 'false' }),
    ).toHaveLength(4);
  });
  it('keeps enabled routes with heartbeats off globally', () => {
    const pairs = names({
      clusters: 'a, b, c, d, e, f',
      'emit.heartbeats.enabled': 'false',
      'a->b.enabled': 'true',
      'a->c.enabled': 'true',
      'a->d.enabled': 'true',
      'a->e.enabled': 'false',
      'a->f.enabled': 'false',
    });
    expect(pairs).toEqual(['a->b', 'a->c', 'a->d']);
  });
  it('keeps heartbeat-only pairs switched on per pair', () => {
    expect(
      names({
        clusters: 'central, local_one, local_two, beats_emitter',
        'emit.heartbeats.enabled': 'false',
        'central->local_one.enabled': 'true',
        'central->local_two.enabled': 'true',
        'beats_emitter->central.emit.heartbeats.enabled': 'true',
      }),
    ).toHaveLength(3);
  });
  it('QUIRK kept: enabled = yes is false', () => {
    const m = model({ clusters: 'a, b', 'a->b.enabled': 'yes' });
    expect(m.routeEnabled(AB)).toBe(false);
    expect(m.routeEnabled({ source: 'a', target: 'b' })).toBe(false);
  });
});

describe('MirrorMakerConfig: validation', () => {
  it('rejects an invalid security.protocol, accepts any case', () => {
    expect(() => loadMirrorMakerConfigText('clusters=a,b\nsecurity.protocol=abc')).toThrow(/security.protocol/);
    expect(() =>
      loadMirrorMakerConfigText(
        'clusters=a,b\na.bootstrap.servers=a:1\nb.bootstrap.servers=b:1\nsecurity.protocol=sasl_ssl\nsasl.mechanism=PLAIN\nsasl.jaas.config=x required username="u" password="p";',
      ),
    ).not.toThrow();
  });
  it('requires clusters, non-empty', () => {
    expect(() => loadMirrorMakerConfigText('a=b')).toThrow(/Missing required configuration "clusters"/);
    expect(() => loadMirrorMakerConfigText('clusters = ')).toThrow(/clusters \(line 1\) is empty/);
  });
  it('names key, line, value and what is valid for a wrongly typed key', () => {
    const base = 'clusters = a, b\na.bootstrap.servers=a:1\nb.bootstrap.servers=b:1\n';
    let err: unknown;
    try {
      loadMirrorMakerConfigText(`${base}a->b.enabled = true\nsync.group.offsets.enabled = maybe`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      "Invalid value 'maybe' for sync.group.offsets.enabled (line 5): expected true or false",
    );
    expect(() => loadMirrorMakerConfigText(`${base}a->b.offset.lag.max = ten`)).toThrow(
      /a->b.offset.lag.max \(line 4\).*whole number/,
    );
  });
  it('reads the connections per target broker, 2 by default, and names the valid range of a wrong one', () => {
    const base = 'clusters = a, b\na.bootstrap.servers=a:1\nb.bootstrap.servers=b:1\na->b.enabled = true\n';
    const settingOf = (text: string): number =>
      loadMirrorMakerConfigText(text).routes.find((r) => r.name === 'a->b')!.settings.produceConnectionsPerBroker;
    expect(settingOf(base)).toBe(2);
    expect(settingOf(`${base}a->b.mm2ts.produce.connections.per.broker = 1`)).toBe(1);
    expect(settingOf(`${base}mm2ts.produce.connections.per.broker = 4`)).toBe(4);
    expect(() => loadMirrorMakerConfigText(`${base}a->b.mm2ts.produce.connections.per.broker = 0`)).toThrow(
      /a->b.mm2ts.produce.connections.per.broker \(line 5\).*a value from 1 to 16/,
    );
    expect(() => loadMirrorMakerConfigText(`${base}mm2ts.produce.connections.per.broker = 17`)).toThrow(
      /mm2ts.produce.connections.per.broker \(line 5\).*a value from 1 to 16/,
    );
  });
  it("rejects --clusters naming an undeclared alias, and reports Java's message when no route remains", () => {
    const text =
      'clusters = a, b\na.bootstrap.servers=a:1\nb.bootstrap.servers=b:1\nemit.heartbeats.enabled=false\na->b.enabled=true';
    expect(() => loadMirrorMakerConfigText(text, { clusters: ['x'] })).toThrow(/--clusters x: unknown cluster alias/);
    expect(() => loadMirrorMakerConfigText(text, { clusters: ['a'] })).toThrow('No source->target replication flows.');
    expect(loadMirrorMakerConfigText(text, { clusters: ['b'] }).routes.map((r) => r.name)).toEqual(['a->b']);
  });
  it('rejects an invalid regex naming key, line and the problem', () => {
    expect(() =>
      loadMirrorMakerConfigText(
        'clusters = a, b\na.bootstrap.servers=a:1\nb.bootstrap.servers=b:1\na->b.enabled=true\na->b.topics = foo(, [a-z&&[^e]]',
      ),
    ).toThrow(/Invalid regular expression for a->b.topics \(line 5\)/);
  });
});

describe('MirrorConnectorConfig: client configs', () => {
  const base = { name: 'ConnectorName', 'source.cluster.alias': 'source1', 'target.cluster.alias': 'target2' };
  const client = (props: Record<string, string>, side: 'source' | 'target', kind: 'consumer' | 'producer' | 'admin') =>
    plain(connectorClientConfig(sourced({ ...base, ...props }), side, kind, 'test'));

  it('source consumer: cluster security keys, consumer.*, forced auto commit off, earliest by default', () => {
    expect(
      client(
        { 'consumer.max.poll.interval.ms': '120000', 'source.cluster.bootstrap.servers': 'localhost:2345' },
        'source',
        'consumer',
      ),
    ).toEqual({
      'enable.auto.commit': 'false',
      'auto.offset.reset': 'earliest',
      'max.poll.interval.ms': '120000',
      'client.id': 'source1->target2|ConnectorName|test',
      'bootstrap.servers': 'localhost:2345',
    });
    expect(client({ 'consumer.auto.offset.reset': 'latest' }, 'source', 'consumer')['auto.offset.reset']).toBe(
      'latest',
    );
  });
  it('source consumer with the source.consumer. prefix', () => {
    expect(
      client(
        { 'source.consumer.auto.offset.reset': 'latest', 'source.consumer.max.poll.interval.ms': '100' },
        'source',
        'consumer',
      ),
    ).toEqual({
      'enable.auto.commit': 'false',
      'auto.offset.reset': 'latest',
      'max.poll.interval.ms': '100',
      'client.id': 'source1->target2|ConnectorName|test',
    });
  });
  it('producers and admins, with and without the side prefix', () => {
    const id = 'source1->target2|ConnectorName|test';
    expect(client({ 'producer.acks': '1' }, 'source', 'producer')).toEqual({ acks: '1', 'client.id': id });
    expect(client({ 'source.producer.acks': '1' }, 'source', 'producer')).toEqual({ acks: '1', 'client.id': id });
    expect(client({ 'admin.connections.max.idle.ms': '10000' }, 'source', 'admin')).toEqual({
      'connections.max.idle.ms': '10000',
      'client.id': id,
    });
    expect(client({ 'source.admin.connections.max.idle.ms': '10000' }, 'source', 'admin')).toEqual({
      'connections.max.idle.ms': '10000',
      'client.id': id,
    });
    expect(client({ 'admin.connections.max.idle.ms': '10000' }, 'target', 'admin')).toEqual({
      'connections.max.idle.ms': '10000',
      'client.id': id,
    });
    expect(client({ 'target.admin.connections.max.idle.ms': '10000' }, 'target', 'admin')).toEqual({
      'connections.max.idle.ms': '10000',
      'client.id': id,
    });
  });
  it('keeps only security keys from the cluster prefix and prepends a user client.id', () => {
    const c = client(
      { 'source.cluster.bootstrap.servers': 'x:1', 'source.cluster.linger.ms': '5', 'producer.client.id': 'me' },
      'source',
      'producer',
    );
    expect(c).toEqual({ 'bootstrap.servers': 'x:1', 'client.id': 'me|source1->target2|ConnectorName|test' });
  });
});
