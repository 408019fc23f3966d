import type { TestProject } from 'vitest/node';
import { provideKafka } from './kafka-bed.ts';

// Global setup of the integration project for Apache Kafka 3.9.2.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { kafka, stop } = await provideKafka('3.9.2');
  project.provide('kafka', kafka);
  return stop;
}
