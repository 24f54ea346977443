// The console in a real browser (Debian's Chromium, driven by
// playwright-core): a dispatcher triages and dispatches a case a resident's
// phone filed, the department accepts and completes it, the dispatcher
// verifies and closes it, and the public board shows it closed without the
// reporter's phone number. A screenshot of every page goes to OUT.
//
// node flow.cjs URL CASE_ID OUT PHONE_NUMBER PHOTO
const { check, launch } = require('./browser.cjs');
const [url, caseId, out, phone, photo] = process.argv.slice(2);

async function login(page, name, password) {
  await page.goto(url + '/console');
  check(page.url().includes('/console/login'), 'no session redirects to the login page');
  await page.fill('#login', name);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('#login-submit')]);
}

async function logout(page) {
  await Promise.all([page.waitForNavigation(), page.click('#logout')]);
}

async function shot(page, name) {
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
}

async function status(page) {
  await page.goto(`${url}/console/cases/${caseId}`);
  return page.getAttribute('#case-status', 'data-status');
}

async function act(page, kind, text, file) {
  const form = page.locator(`form.act[data-kind="${kind}"]`);
  check(await form.count() === 1, `the ${kind} action is offered`);
  if (text !== undefined) await form.locator('input[name=text]').fill(text);
  if (file !== undefined) await form.locator('input[type=file]').setInputFiles(file);
  await Promise.all([page.waitForNavigation(), form.locator('button').click()]);
  const refused = page.locator('#message');
  check(await refused.count() === 0, `${kind} was refused: ` + (await refused.count() ? await refused.textContent() : ''));
}

(async () => {
  const browser = await launch();
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();

  // The department's liaison has its inbox open at another desk: it fills
  // by itself when the order is dispatched (Server-Sent Events).
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await login(desk, 'urban-1', 'liaison-pw-1');
  check(desk.url().endsWith('/console/inbox'), 'the liaison lands on the inbox');
  check(await desk.locator(`tr[data-case="${caseId}"]`).count() === 0, 'nothing dispatched yet');

  // The dispatcher: the queue shows the new case with its photo and the
  // suggested department ticked; dispatch it.
  await login(page, 'ren', 'dispatcher-pw');
  check(page.url().endsWith('/console'), 'the dispatcher lands on the queue: ' + page.url());
  const item = page.locator(`article[data-case="${caseId}"]`);
  check(await item.count() === 1, 'the new case is in the queue');
  check(await item.locator('img.thumb').count() === 1, 'with its photo');
  check(await page.locator('svg.map polygon').count() >= 5, 'the map draws the grids');
  check(await page.locator(`svg.map a[href="/console/cases/${caseId}"]`).count() === 1, 'the case is a point on the map');
  await shot(page, '01-queue');
  // The suggestion is ticked; this time it goes to 城管 alone.
  check(await item.locator('input[name=departments]:checked').count() >= 1, 'the suggested department is ticked');
  for (const box of await item.locator('input[name=departments]').all()) await box.uncheck();
  await item.locator('input[value="urban_mgmt"]').check();
  await Promise.all([page.waitForNavigation(), item.locator('button.do-dispatch').click()]);
  check(await page.locator(`article[data-case="${caseId}"]`).count() === 0, 'dispatched: gone from the queue');
  check(await status(page) === 'dispatched', 'the case is dispatched');
  await shot(page, '02-case-dispatched');
  await logout(page);

  // The department: the order arrived in the open inbox without a reload
  // by hand; accept, then complete with a photo of the finished work.
  const row = desk.locator(`tr[data-case="${caseId}"]`);
  await row.waitFor({ timeout: 15000 }).catch(() => check(false, 'the inbox showed the new order by itself'));
  await shot(desk, '03-inbox');
  await Promise.all([desk.waitForNavigation(), row.locator('button.do-accept').click()]);
  check(await status(desk) === 'in_progress', 'accepted');
  await act(desk, 'completed', '已清理垃圾并冲洗地面', photo);
  check(await status(desk) === 'completed', 'completed');
  const done = desk.locator('#timeline li.ev-completed');
  check(await done.locator('figure.before img').count() === 1, 'the report photo beside the completion');
  check(await done.locator('figure.after img').count() === 1, 'the completion photo');
  const loaded = await done.locator('figure.after img').evaluate((img) => img.complete && img.naturalWidth > 0);
  check(loaded, 'the completion photo is served');
  await shot(desk, '04-case-completed');
  await logout(desk);

  // The dispatcher verifies and closes; the timeline tells the story.
  await login(page, 'ren', 'dispatcher-pw');
  await status(page);
  await act(page, 'verified', '现场核查干净');
  await act(page, 'closed', '');
  check(await status(page) === 'closed', 'closed');
  for (const k of ['reported', 'triaged', 'dispatched', 'accepted', 'completed', 'verified', 'closed']) {
    check(await page.locator(`#timeline li.ev-${k}`).count() >= 1, `the timeline shows ${k}`);
  }
  await shot(page, '05-case-closed');
  await page.goto(url + '/console/figures');
  check(await page.locator('#chart svg').count() === 1, 'the figures page has its chart');
  const street = await page.locator('#street tbody td').allTextContents();
  check(street[1] === '1' && street[2] === '1' && street[3] === '0',
    'the street received 1, closed 1, none overdue: ' + street.join(' | '));
  check(await page.locator('#figures tbody tr').count() === 6, 'a line per department');
  check(await page.locator('#grids tbody tr').count() >= 5, 'a line per grid');
  await shot(page, '06-figures');
  await logout(page);

  // The public, with no login: the board shows it closed, and no phone number.
  const pub = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await pub.goto(url + '/board');
  const number = caseId.replace(/-/g, '').slice(-8).toUpperCase();
  const line = pub.locator(`tr[data-number="${number}"]`);
  check(await line.count() === 1, 'the order is on the board');
  check(await line.getAttribute('class') === 's-closed', 'shown closed');
  check(!(await pub.content()).includes(phone), 'no phone number on the board');
  await shot(pub, '07-board');
  await pub.fill('#q', number);
  await Promise.all([pub.waitForNavigation(), pub.click('#search')]);
  check(await pub.locator('#board tbody tr').count() === 1, 'searching the number finds it alone');
  await Promise.all([pub.waitForNavigation(), pub.click('#lang-switch')]);
  check((await pub.textContent('h1')).includes('Public board'), 'English on request');
  await shot(pub, '08-board-en');
  await browser.close();
  console.log('CONSOLE FLOW PASSED');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
