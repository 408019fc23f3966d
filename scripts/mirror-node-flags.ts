/**
 * The node flags the `connect-mirror-maker` bin runs with, read from its shebang
 * (`#!/usr/bin/env -S node <flags>`), so scripts that start the mirror from the sources
 * (`node src/cli/connect-mirror-maker.ts`) run it as users do.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './kafka/paths.ts';

export const MIRROR_SCRIPT = join(REPO_ROOT, 'src', 'cli', 'connect-mirror-maker.ts');

/** The bin as the installed package runs it: compiled by `npm run build` (no type stripping at run time). */
export const BUILT_MIRROR_SCRIPT = join(REPO_ROOT, 'dist', 'cli', 'connect-mirror-maker.js');

let built = false;

/**
 * Builds `dist/` once per process (`npm run build`), so measurements run the code users install:
 * running the `.ts` sources adds Node's type-stripping (a WebAssembly compiler) to the mirror's
 * memory, ~20–40 MB of RSS no installed copy carries.
 */
export function buildMirrorOnce(): string {
  if (!built) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    built = true;
  }
  return BUILT_MIRROR_SCRIPT;
}

export function mirrorNodeFlags(script: string = MIRROR_SCRIPT): string[] {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node(?: (.*))?$/.exec(first);
  return match?.[1] ? match[1].trim().split(/\s+/) : [];
}
