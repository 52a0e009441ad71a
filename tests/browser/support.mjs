// Shared by the browser test files: the one browser, pages in the console's locale and time
// zone, and the steps every test takes (sign in, follow the navigation, submit a form).

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE = (process.env.ZHIFA_URL || '').replace(/\/+$/, '');
export const PASSWORD = 'Zhifa@2026demo';
export const OUT = fileURLToPath(new URL('./out/', import.meta.url));
export const TIMEOUT = 60_000;

let browser;

/** Starts the one browser of a test file (call from `before`). */
export async function launch() {
  assert.ok(BASE, 'set ZHIFA_URL to the console base URL, e.g. http://127.0.0.1:18090');
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Closes it (call from `after`). */
export async function close() {
  await browser?.close();
}

// ───────────── helpers ─────────────

export async function newPage() {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(20_000);
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: `${OUT}${name}.png`, fullPage: true });
}

export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/** Submits the form that `button` belongs to and returns the final document's response. */
export async function submit(page, button) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    button.click(),
  ]);
  return response;
}

/** Fills the login form on the current page and submits it. */
export async function fillLogin(page, username, password) {
  const form = page.locator('section.login form');
  await form.locator('input[name=username]').fill(username);
  await form.locator('input[name=password]').fill(password);
  return submit(page, form.getByRole('button', { name: '登录' }));
}

/** A new browser context signed in as `username`, left on the 工作台. */
export async function loginAs(username) {
  const page = await newPage();
  await page.goto(`${BASE}/login`);
  await fillLogin(page, username, PASSWORD);
  assert.equal(pathOf(page), '/', `${username} should land on the 工作台 after logging in`);
  assert.equal(await page.locator('main h1').innerText(), '工作台');
  return page;
}

/** Clicks a link of the side navigation and checks where it went. */
export async function openFromNav(page, label, path) {
  const link = page.locator('nav.side').getByRole('link', { name: label, exact: true });
  assert.equal(await link.count(), 1, `side navigation has ${label}`);
  const response = await submit(page, link);
  assert.equal(response.status(), 200, `${label} answers 200`);
  assert.equal(pathOf(page), path);
  assert.equal(
    await page.locator('nav.side a[aria-current=page]').innerText(),
    label,
    `${label} is marked as the current page in the navigation`,
  );
  return response;
}

export function bodyRows(page, table = page.locator('main table').first()) {
  return table.locator('tbody tr');
}

/** A valid GB 11643 公民身份号码 for division 340102 (17 digits + MOD 11-2 check digit). */
export function residentId(birth = '19860412') {
  const seq = String(100 + Math.floor(Math.random() * 900));
  const body = `340102${birth}${seq}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

/** The same number with a wrong check digit. */
export function corruptCheckDigit(id) {
  const good = id[17];
  const bad = '0123456789X'.split('').find((c) => c !== good);
  return id.slice(0, 17) + bad;
}

