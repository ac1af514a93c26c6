// Rhizome's web interface in Debian's Chromium, driven by Playwright. Started by
// crates/rhizome/tests/browser.rs, which runs two instances (A and B) and passes their
// addresses and accounts in the environment. The tests run in order: later ones use the
// accounts earlier ones made.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through cargo test --test browser`);
  return value;
};
const A = env("RHIZOME_A");
const B = env("RHIZOME_B");
const B_DOMAIN = env("RHIZOME_B_DOMAIN");
const ADMIN = env("RHIZOME_ADMIN");
const PASSWORD = env("RHIZOME_PASSWORD");
const BOB_TOKEN = env("RHIZOME_BOB_TOKEN");
const SCREENSHOTS = env("RHIZOME_SCREENSHOTS");
const IMAGE = env("RHIZOME_IMAGE");
// Every wait is bounded: a missing element fails the test instead of hanging it.
const PATIENCE = 15_000;

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    // Without these Chromium tries to reach Google's hosts, which this machine's closed
    // network refuses.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});
after(async () => {
  await browser?.close();
});

/// A fresh browser profile; `problems` collects script errors and CSP violations.
async function visitor({ locale = "en-GB", javaScript = true } = {}) {
  const context = await browser.newContext({
    locale,
    javaScriptEnabled: javaScript,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(PATIENCE);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`script error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}

async function screenshot(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/// axe-core on the current page: no serious or critical violation.
async function assertAccessible(page, what) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] }),
  );
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
    `${what} has accessibility violations`,
  );
}

async function signIn(page, base, username, password = PASSWORD) {
  await page.goto(`${base}/auth/sign_in`);
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await Promise.all([page.waitForNavigation(), page.locator('form[action="/auth/sign_in"] button[type="submit"]').click()]);
}

async function signUp(page, { username, reason }) {
  await page.goto(`${A}/auth/sign_up`);
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="email"]').fill(`${username}@example.org`);
  await page.locator('input[name="password"]').fill(PASSWORD);
  await page.locator('input[name="password_confirmation"]').fill(PASSWORD);
  if (reason) await page.locator('textarea[name="reason"]').fill(reason);
  const agreement = page.locator('input[name="agreement"]');
  if (await agreement.count()) await agreement.check();
  await Promise.all([page.waitForNavigation(), page.locator('form[action="/auth/sign_up"] button[type="submit"]').click()]);
}

/// Bob, on instance B, posts through the client API.
async function bobPosts(text) {
  const response = await fetch(`${B}/api/v1/statuses`, {
    method: "POST",
    headers: { authorization: `Bearer ${BOB_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ status: text, visibility: "public" }),
  });
  assert.equal(response.status, 200, `bob's post: ${await response.text()}`);
}

const alice = `alice${Date.now() % 100000}`;
let alicePostPath;

test("the landing page links to sign-in and is accessible", async () => {
  const { context, page, problems } = await visitor();
  await page.goto(A);
  assert.equal(await page.locator("html").getAttribute("lang"), "en");
  assert.ok(await page.locator('a[href*="sign_in"]').count(), "a sign-in link");
  await screenshot(page, "landing");
  await assertAccessible(page, "the landing page");
  await page.goto(`${A}/auth/sign_in`);
  await assertAccessible(page, "the sign-in page");
  await page.goto(`${A}/auth/sign_up`);
  await screenshot(page, "sign-up");
  await assertAccessible(page, "the sign-up page");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a visitor signs up, posts an image with alt text, and sees it on the timeline and the public page", async () => {
  const { context, page, problems } = await visitor();
  await signUp(page, { username: alice });
  // Open registrations sign the new user in.
  await page.goto(`${A}/home`);
  assert.match(new URL(page.url()).pathname, /^\/home/);
  const compose = page.locator('form[action="/statuses"]');
  await compose.locator('textarea[name="status"]').fill("A meadow in the morning #rhizome");
  await compose.locator("details.compose-media > summary").click();
  await compose.locator('input[type="file"]').first().setInputFiles(IMAGE);
  await compose.locator('textarea[name^="media_description_"]').first().fill("Green grass under a pale sky");
  await compose.locator('button[type="submit"]').click();
  // The script posts without a reload and puts the new post at the top of the timeline.
  const posted = page.locator("article.status", { hasText: "A meadow in the morning" }).first();
  await posted.waitFor();
  assert.equal(await posted.locator("img[alt='Green grass under a pale sky']").count(), 1);
  await screenshot(page, "home");
  await assertAccessible(page, "the home timeline");
  alicePostPath = await posted.locator("a.permalink").getAttribute("href");
  assert.ok(alicePostPath?.startsWith(`/@${alice}/`), alicePostPath);
  // The public page of the post, as anyone sees it.
  const anonymous = await visitor();
  await anonymous.page.goto(`${A}${alicePostPath}`);
  assert.equal(await anonymous.page.locator("img[alt='Green grass under a pale sky']").count(), 1);
  await screenshot(anonymous.page, "post");
  await assertAccessible(anonymous.page, "a post's page");
  await anonymous.page.goto(`${A}/@${alice}`);
  assert.ok(await anonymous.page.locator('link[rel="alternate"][type="application/atom+xml"]').count());
  assert.ok(await anonymous.page.locator('link[rel="alternate"][type="application/activity+json"]').count());
  await screenshot(anonymous.page, "profile");
  await assertAccessible(anonymous.page, "a profile page");
  assert.deepEqual([...problems, ...anonymous.problems], []);
  await anonymous.context.close();
  await context.close();
});

test("a user follows someone on another instance and sees their post arrive live", async () => {
  const { context, page, problems } = await visitor();
  await signIn(page, A, alice);
  await page.goto(`${A}/search?q=${encodeURIComponent(`@bob@${B_DOMAIN}`)}`);
  const follow = page.locator('form[action$="/follow"] button[type="submit"]').first();
  await Promise.all([page.waitForNavigation(), follow.click()]);
  // The follow is accepted by B (bob is not locked) before bob posts.
  await page.waitForTimeout(500);
  await page.goto(`${A}/home`);
  const text = `Hello from the other instance ${Date.now()}`;
  const deadline = Date.now() + PATIENCE;
  // Bob may post before B has recorded the follow; post again until one arrives live.
  let arrived = false;
  while (!arrived && Date.now() < deadline) {
    await bobPosts(text);
    arrived = await page
      .locator("article.status", { hasText: text })
      .first()
      .waitFor({ timeout: 3000 })
      .then(() => true, () => false);
  }
  assert.ok(arrived, "bob's post should appear on alice's home timeline without a reload");
  await screenshot(page, "home-live");
  assert.deepEqual(problems, []);
  await context.close();
});

test("an admin approves a pending registration", async () => {
  const admin = await visitor();
  await signIn(admin.page, A, ADMIN);
  await admin.page.goto(`${A}/admin/settings`);
  await admin.page.locator('select[name="registrations"]').selectOption("approval");
  await Promise.all([
    admin.page.waitForNavigation(),
    admin.page.locator('form[action="/admin/settings"] button[type="submit"]').click(),
  ]);
  const carol = `carol${Date.now() % 100000}`;
  const applicant = await visitor();
  await signUp(applicant.page, { username: carol, reason: "I garden with Alice" });
  await screenshot(applicant.page, "sign-up-pending");
  await admin.page.goto(`${A}/admin/users?status=pending`);
  await screenshot(admin.page, "admin-users");
  await assertAccessible(admin.page, "the admin users page");
  await admin.page.locator("a", { hasText: carol }).first().click();
  await Promise.all([
    admin.page.waitForNavigation(),
    admin.page.locator('form[action$="/approve"] button[type="submit"]').click(),
  ]);
  await signIn(applicant.page, A, carol);
  await applicant.page.goto(`${A}/home`);
  assert.match(new URL(applicant.page.url()).pathname, /^\/home/);
  await admin.page.goto(`${A}/admin`);
  await screenshot(admin.page, "admin");
  await assertAccessible(admin.page, "the admin dashboard");
  await admin.page.goto(`${A}/admin/federation`);
  await screenshot(admin.page, "admin-federation");
  assert.deepEqual([...admin.problems, ...applicant.problems], []);
  await admin.context.close();
  await applicant.context.close();
});

test("the interface renders in French", async () => {
  const { context, page, problems } = await visitor({ locale: "fr-FR" });
  await page.goto(A);
  assert.equal(await page.locator("html").getAttribute("lang"), "fr");
  assert.ok(await page.getByRole("link", { name: "Se connecter" }).count());
  await screenshot(page, "landing-fr");
  await assertAccessible(page, "the French landing page");
  assert.deepEqual(problems, []);
  await context.close();
});

test("public pages work without JavaScript", async () => {
  const { context, page } = await visitor({ javaScript: false });
  for (const path of ["/", "/explore", "/about", `/@${alice}`, alicePostPath, "/tags/rhizome"]) {
    const response = await page.goto(`${A}${path}`);
    assert.equal(response?.status(), 200, path);
    assert.ok((await page.locator("main").innerText()).trim().length > 0, `${path} has content`);
  }
  assert.ok(await page.locator("article.status", { hasText: "A meadow in the morning" }).count());
  // Signing in and posting work with plain forms too.
  await signIn(page, A, alice);
  await page.goto(`${A}/home`);
  const compose = page.locator('form[action="/statuses"]');
  await compose.locator('textarea[name="status"]').fill("Posted without any script");
  await Promise.all([page.waitForNavigation(), compose.locator('button[type="submit"]').click()]);
  await page.goto(`${A}/home`);
  assert.ok(await page.locator("article.status", { hasText: "Posted without any script" }).count());
  await context.close();
});
