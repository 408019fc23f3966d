/** The CLIs need Node >= 22.12 (package.json engines): say so plainly instead of failing later. */
export function assertSupportedNode(version: string = process.versions.node): void {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    process.stderr.write(`mirrormaker-ts needs Node.js >= 22.12; this is ${version}. Use Node 24 LTS.\n`);
    process.exit(2);
  }
}
