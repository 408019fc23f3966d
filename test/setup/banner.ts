// One line per test worker saying which Node runs the tests: the project requires Node >= 22.12
// and its npm scripts run on the bundled Node 24 (devDependency `node`).
const shown = globalThis as { __mm2NodeBanner?: boolean };
if (!shown.__mm2NodeBanner) {
  shown.__mm2NodeBanner = true;
  console.log(`[mirrormaker-ts] tests run on Node ${process.version} (${process.platform}/${process.arch})`);
}
