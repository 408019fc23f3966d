/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) of our mirror: where its CPU time went, by area of
 * the code (our record codec, compression, the client's network layer, node's own I/O, GC) and by
 * function. This is the "profile summary" of the benchmark report: it says what the next change to
 * the data path could gain.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../kafka/paths.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) time, in percent. */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Whether only the samples of the copy phase were counted (else the whole process life). */
  copyPhaseOnly: boolean;
  wallMs: number;
  busyMs: number;
  idleMs: number;
  areas: ProfileShare[];
  functions: ProfileShare[];
  /**
   * Time in node core and native built-ins (copies, socket writes, Buffer allocation), charged to
   * the nearest caller in our code or a dependency: who asks for the copies.
   */
  runtimeByCaller: ProfileShare[];
}

/** Areas in match order: the first rule whose test holds names the area of a function's self time. */
const AREAS: [string, (f: CallFrame) => boolean][] = [
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['native / unattributed (program)', (f) => f.functionName === '(program)'],
  ['CRC-32C', (f) => f.url.includes('/src/kafka/protocol/crc32c')],
  ['record batch decode (ours)', (f) => f.url.includes('/src/kafka/protocol/decode')],
  ['record batch encode (ours)', (f) => f.url.includes('/src/kafka/protocol/encode')],
  ['varints, record framing (ours)', (f) => f.url.includes('/src/kafka/protocol/')],
  ['compression (zlib, lz4, snappy, zstd)', (f) => /\/src\/kafka\/compression\/|lz4|snappy|node:zlib/.test(f.url)],
  ['Fetch/Produce framing (ours)', (f) => f.url.includes('/src/kafka/wire/')],
  ['port adapter (ours, kafkajs side)', (f) => f.url.includes('/src/kafka/kafkajs/')],
  ['kafkajs (connections, request queue)', (f) => f.url.includes('/node_modules/kafkajs/')],
  ['source task, offset syncs, metrics (ours)', (f) => /\/src\/(connectors|runtime|metrics)\//.test(f.url)],
  ['prom-client', (f) => f.url.includes('/node_modules/prom-client/')],
  ['pino (logging)', (f) => /\/node_modules\/(pino|sonic-boom|thread-stream)/.test(f.url)],
  ['other ours', (f) => f.url.includes('/src/')],
  ['module loading, compilation (start-up)', (f) => f.url.startsWith('node:internal/modules')],
  ['node core (net, streams, buffers, timers)', (f) => f.url.startsWith('node:')],
  ['native built-ins (Buffer, Map, BigInt, …)', (f) => f.url === ''],
];

function areaOf(f: CallFrame): string {
  for (const [name, test] of AREAS) if (test(f)) return name;
  return 'other dependencies';
}

function describeFrame(f: CallFrame): string {
  const name = f.functionName || '(anonymous)';
  if (!f.url) return name;
  const path = f.url.startsWith('file://') ? relative(REPO_ROOT, decodeURIComponent(f.url.slice(7))) : f.url;
  return `${name} (${path.replace(/^node_modules\//, '')}:${f.lineNumber + 1})`;
}

/**
 * Self time per function and area. With `windowUs` (CLOCK_MONOTONIC µs, the clock V8's profile
 * timestamps use on Linux) only the samples inside that window count, e.g. the copy phase without
 * start-up and module compilation.
 */
export function summarizeCpuProfile(file: string, windowUs?: [number, number], top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; the sample's node had the CPU for the next delta.
  let at = profile.startTime;
  let inWindowUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (windowUs && (at < windowUs[0] || at > windowUs[1])) continue;
    const delta = Math.max(0, profile.timeDeltas[i + 1] ?? 0);
    inWindowUs += delta;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  let idleUs = 0;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const runtimeByCaller = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const fn = describeFrame(frame);
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    if (isRuntime(frame)) {
      let at = parentOf.get(id);
      while (at !== undefined && isRuntime(byId.get(at)!.callFrame)) at = parentOf.get(at);
      const caller = at === undefined ? '(no JS caller)' : describeFrame(byId.get(at)!.callFrame);
      runtimeByCaller.set(caller, (runtimeByCaller.get(caller) ?? 0) + us);
    }
  }
  const busyUs = [...areas.values()].reduce((a, b) => a + b, 0);
  const shares = (m: Map<string, number>): ProfileShare[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((us / busyUs) * 1000) / 10 }));
  // A window that matches no sample means the clocks differ: fall back to the whole life.
  if (windowUs && inWindowUs === 0) return summarizeCpuProfile(file, undefined, top);
  return {
    file,
    copyPhaseOnly: windowUs !== undefined,
    wallMs: Math.round((windowUs ? windowUs[1] - windowUs[0] : profile.endTime - profile.startTime) / 1000),
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    areas: shares(areas),
    functions: shares(functions).slice(0, top),
    runtimeByCaller: shares(runtimeByCaller).slice(0, 8),
  };
}

/** Node's own JS and native built-ins: time there is spent on behalf of some caller. */
function isRuntime(f: CallFrame): boolean {
  return f.url.startsWith('node:') || (f.url === '' && !f.functionName.startsWith('('));
}

/** The one profile node writes into `dir` at exit (undefined if the process died before writing it). */
export function findCpuProfile(dir: string): string | undefined {
  try {
    const name = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    return name ? join(dir, name) : undefined;
  } catch {
    return undefined;
  }
}
