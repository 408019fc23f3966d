/**
 * The node flags the `connect-mirror-maker` bin runs with, read from its shebang
 * (`#!/usr/bin/env -S node <flags>`), so scripts that start the mirror from the sources
 * (`node src/cli/connect-mirror-maker.ts`) run it as users do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './kafka/paths.ts';

export const MIRROR_SCRIPT = join(REPO_ROOT, 'src', 'cli', 'connect-mirror-maker.ts');

export function mirrorNodeFlags(script: string = MIRROR_SCRIPT): string[] {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node(?: (.*))?$/.exec(first);
  return match?.[1] ? match[1].trim().split(/\s+/) : [];
}
