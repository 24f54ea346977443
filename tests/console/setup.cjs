// The first admin, made in a real browser (Debian's Chromium, driven by
// playwright-core) from the login page's link, with the setup token the
// server printed at start. Screenshots go to OUT.
//
// node setup.cjs URL TOKEN OUT
const { check, launch } = require('./browser.cjs');
const [url, token, out] = process.argv.slice(2);

(async () => {
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url + '/console/login');
  await page.screenshot({ path: `${out}/00-login.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('a[href="/console/setup"]')]);
  check(page.url().endsWith('/console/setup'), 'the login page links to the setup page');
  await page.fill('#token', token);
  await page.fill('#login', 'admin-wang');
  await page.fill('#display_name', '王强');
  await page.fill('#password', 'admin-password');
  await page.screenshot({ path: `${out}/00-setup.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('#setup-submit')]);
  check(page.url().endsWith('/console/accounts'), 'the new admin lands on the accounts page: ' + page.url());
  const text = await page.textContent('body');
  check(text.includes('admin-wang') && text.includes('王强'), 'the accounts page lists the new admin');
  await page.screenshot({ path: `${out}/00-setup-done.png`, fullPage: true });
  await browser.close();
  console.log('SETUP FLOW PASSED');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
