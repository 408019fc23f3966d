import { describe, expect, it } from 'vitest';
import { laneOf } from '../../../src/kafka/kafkajs/produce-dispatcher.ts';

/**
 * Which connection a partition's produce requests take (produce-dispatcher.ts, Lanes): always the
 * same one for a partition, so two of its batches never race on two connections, and spread so
 * that every lane carries a share.
 */
describe('laneOf', () => {
  it('puts every partition on one lane with a single connection', () => {
    for (let p = 0; p < 50; p++) expect(laneOf('t', p, 1)).toBe(0);
  });

  it('gives a partition the same lane every time, within range', () => {
    for (const lanes of [2, 3, 8]) {
      for (let p = 0; p < 64; p++) {
        const lane = laneOf(`topic-${p % 7}`, p, lanes);
        expect(lane).toBeGreaterThanOrEqual(0);
        expect(lane).toBeLessThan(lanes);
        expect(laneOf(`topic-${p % 7}`, p, lanes)).toBe(lane);
      }
    }
  });

  it("splits one topic's partitions evenly: consecutive partitions take consecutive lanes", () => {
    for (const topic of ['bench-large-lz4', 'A.orders', 'ü-ñ']) {
      const counts = [0, 0];
      for (let p = 0; p < 8; p++) counts[laneOf(topic, p, 2)]!++;
      expect(counts).toEqual([4, 4]);
      expect(laneOf(topic, 1, 2)).not.toBe(laneOf(topic, 0, 2));
    }
  });

  it('spreads many one-partition topics over every lane', () => {
    for (const lanes of [2, 4]) {
      const counts = new Array<number>(lanes).fill(0);
      for (let t = 0; t < 1_000; t++) counts[laneOf(`src.s-${String(t).padStart(5, '0')}`, 0, lanes)]!++;
      // Each lane within 20 % of an even share.
      for (const c of counts) expect(Math.abs(c - 1_000 / lanes)).toBeLessThan(200 / lanes);
    }
  });
});
