// Where should consumer group <group> of cluster <remote> resume on the cluster at <bootstrap>?
//   node examples/translate-offsets.ts <bootstrap> <remote-alias> <group> [separator]
// e.g. after a failover from A to B: node examples/translate-offsets.ts localhost:9093 A orders-app
// (In an application: import { MirrorClient } from 'mirrormaker-ts'.)
import { MirrorClient } from '../src/index.ts';

const [bootstrap, remote, group, separator] = process.argv.slice(2);
if (bootstrap === undefined || remote === undefined || group === undefined) {
  console.error('usage: node examples/translate-offsets.ts <bootstrap> <remote-alias> <group> [separator]');
  process.exit(255);
}

// Java-style properties work as they are (a RemoteClusterUtils caller's map); so does
// { bootstrapServers: bootstrap, separator } as typed options.
await using client = new MirrorClient({
  'bootstrap.servers': bootstrap,
  ...(separator === undefined ? {} : { 'replication.policy.separator': separator }),
});

const hops = await client.replicationHops(remote);
console.log(`${remote} is ${hops === -1 ? 'not upstream of' : `${hops} hop(s) upstream of`} ${bootstrap}`);

// Reads <remote>.checkpoints.internal to its end; throws instead of answering partially.
const offsets = await client.remoteConsumerOffsets(group, remote, { timeoutMs: 30_000, requireComplete: true });
if (offsets.size === 0) console.log(`no checkpoints for group ${group} from ${remote}`);
for (const o of offsets.values()) {
  // Commit o.downstreamOffset for (o.topic, o.partition) on this cluster, e.g. with your Kafka
  // client's admin "alter consumer group offsets" while the group has no members.
  console.log(
    `${o.topic}[${o.partition}]: resume at ${o.downstreamOffset} (upstream ${o.upstreamOffset}, ` +
      `${o.exact ? 'exact' : 'may re-read a few records'})`,
  );
}
