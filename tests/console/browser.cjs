// What the browser tests share: Debian's Chromium through playwright-core
// (never a downloaded browser), and a check that fails the run.
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

function check(ok, what) {
  if (!ok) {
    console.error('FAILED: ' + what);
    process.exit(1);
  }
}

function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

module.exports = { check, launch };
