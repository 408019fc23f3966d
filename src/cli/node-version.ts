/**
 * The oldest Node.js the appliance runs on (package.json `engines`; a unit test keeps the two
 * equal). This module must import nothing: the bin entries load it before anything else, so it
 * still runs on a Node too old for the rest of the code (see connect-mirror-maker.ts).
 */
export const REQUIRED_NODE = '22.12';

/** Why `version` cannot run the appliance, or undefined if it can. */
export function unsupportedNodeMessage(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = REQUIRED_NODE.split('.').map(Number);
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `mirrormaker-ts needs Node.js >= ${REQUIRED_NODE}; this is ${version}. Use Node 24 LTS.`;
}

/** The CLIs say plainly which Node they need (exit 2) instead of failing later or silently. */
export function assertSupportedNode(version: string = process.versions.node): void {
  const problem = unsupportedNodeMessage(version);
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}
