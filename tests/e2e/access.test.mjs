// E2E: the dashboard with pushd's access control on (issue 6): a JWT for persona A shows A's data, is refused
// on persona B with a visible message, a page without a token is refused too, and a refused page does not
// keep reconnecting.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { freePort, launchBrowser, Pushd, screenshot, signToken, sleep } from './harness.mjs';
import { seedPersona } from './seed.mjs';

const RUN_ID = `${process.pid}-${Date.now() % 100000}`;
const WAIT_MS = 10000;
const SECRET = randomBytes(32).toString('hex');
// Longer than the first backoff delays (0.5 s, 1 s, 2 s): a reconnect loop would open sockets meanwhile.
const NO_RETRY_WINDOW_MS = 2500;

let pushd;
let browser;

// An HS256 JWT signed with SECRET over claims.
function makeToken(claims) {
  return signToken(SECRET, claims);
}

// A new page that counts the WebSockets it opens (page.sockets).
async function newPage() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.sockets = 0;
  page.on('websocket', () => {
    page.sockets += 1;
  });
  return page;
}

// Waits until the connection state element shows label.
function waitForConnection(page, label) {
  return page.waitForFunction(
    (expected) => document.querySelector('[data-testid="connection-state"]')?.textContent === expected,
    label,
    { timeout: WAIT_MS },
  );
}

// Waits for the access-error message, checks it against pattern and the state "offline", and that no socket
// is opened after it within NO_RETRY_WINDOW_MS.
async function expectRefused(page, pattern) {
  const element = await page.waitForSelector('[data-testid="access-error"]', { state: 'visible', timeout: WAIT_MS });
  assert.match(await element.textContent(), pattern);
  await waitForConnection(page, 'offline');
  const sockets = page.sockets;
  await sleep(NO_RETRY_WINDOW_MS);
  assert.equal(page.sockets, sockets, 'the page kept reconnecting after the refusal');
  assert.equal(await page.textContent('[data-testid="connection-state"]'), 'offline');
}

before(async () => {
  pushd = new Pushd(await freePort(), ['--jwt-secret', SECRET, '--jwt-leeway', '0']);
  await pushd.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await pushd?.stop();
});

describe('dashboard with access control', () => {
  const personaA = `e2e-token-a-${RUN_ID}`;
  const personaB = `e2e-token-b-${RUN_ID}`;
  let firstA;
  let firstB;

  before(() => {
    [firstA] = seedPersona(personaA);
    [firstB] = seedPersona(personaB);
  });

  it('shows persona A with a token for A, and refuses persona B with the same token', async () => {
    const token = makeToken({ personas: [personaA] });
    const page = await newPage();
    await page.goto(`${pushd.url}/dashboard/?persona=${personaA}&access_token=${token}`);
    await waitForConnection(page, 'live');
    await page.waitForSelector(`[data-testid="variant-row-${firstA}"]`, { timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid="access-error"]').count(), 0);

    // Switching persona in the page drops the token from the URL; sessionStorage still has it.
    await page.fill('[data-testid="persona-input"]', personaB);
    await page.press('[data-testid="persona-input"]', 'Enter');
    await expectRefused(page, new RegExp(`token does not cover persona ${personaB}`));
    assert.equal(await page.locator(`[data-testid="variant-row-${firstB}"]`).count(), 0);
    await screenshot(page, 'access-refused-persona');

    // Back to A: the token still applies and the data is there again.
    await page.selectOption('[data-testid="persona-select"]', personaA);
    await waitForConnection(page, 'live');
    await page.waitForSelector(`[data-testid="variant-row-${firstA}"]`, { timeout: WAIT_MS });
    assert.equal(await page.locator('[data-testid="access-error"]').count(), 0);
    await page.close();
  });

  it('refuses a link to persona B that carries the token for A', async () => {
    const page = await newPage();
    await page.goto(`${pushd.url}/dashboard/?persona=${personaB}#access_token=${makeToken({ personas: [personaA] })}`);
    await expectRefused(page, new RegExp(`token does not cover persona ${personaB}`));
    await page.close();
  });

  it('accepts the token in the URL fragment', async () => {
    const page = await newPage();
    await page.goto(`${pushd.url}/dashboard/?persona=${personaB}#access_token=${makeToken({ personas: [personaB] })}`);
    await waitForConnection(page, 'live');
    await page.waitForSelector(`[data-testid="variant-row-${firstB}"]`, { timeout: WAIT_MS });
    await page.close();
  });

  it('refuses a page without a token', async () => {
    const page = await newPage();
    await page.goto(`${pushd.url}/dashboard/?persona=${personaA}`);
    await expectRefused(page, /needs an access token/);
    assert.equal(await page.locator(`[data-testid="variant-row-${firstA}"]`).count(), 0);
    await screenshot(page, 'access-refused-no-token');
    await page.close();
  });

  it('refuses a token with a bad signature', async () => {
    const token = makeToken({ personas: [personaA] });
    const page = await newPage();
    await page.goto(`${pushd.url}/dashboard/?persona=${personaA}&access_token=${token.slice(0, -4)}AAAA`);
    await expectRefused(page, /Sign-in expired or invalid/);
    await page.close();
  });

  it('says so when the token expires on a live page, and does not reconnect', async () => {
    const token = makeToken({ personas: [personaA], exp: Math.floor(Date.now() / 1000) + 3 });
    const page = await newPage();
    await page.goto(`${pushd.url}/dashboard/?persona=${personaA}&access_token=${token}`);
    await waitForConnection(page, 'live');
    await page.waitForSelector(`[data-testid="variant-row-${firstA}"]`, { timeout: WAIT_MS });
    await expectRefused(page, /Your access token expired/);
    await page.close();
  });
});
