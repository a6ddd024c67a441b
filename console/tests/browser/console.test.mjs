// Browser test of the staff console: Debian's headless Chromium driven by playwright-core (from
// webchat's node_modules, through webchat/tests/harness.mjs) against the whole stack with the
// console, reached the way staff reach it: http://localhost:$WEB_PORT/staff/.
// Every page is checked with axe (no serious or critical issue) and used from the keyboard.
// Run: node --test --test-concurrency=1 console/tests/browser/   (make -C console test-browser)
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { axeViolations, launchBrowser, ROOT, screenshot } from "../../../webchat/tests/harness.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const STACK_TIMEOUT_MS = 300_000;
const DESKTOP = { width: 1280, height: 900 };

let stack;
let browser;
let context;
let page;

async function startConsoleStack() {
  const child = spawn(resolve(ROOT, ".venv/bin/python"), [resolve(HERE, "serve_console_stack.py")], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise((done) => child.once("exit", done));
  const stop = async () => {
    if (child.exitCode === null) {
      child.stdin.end(); // the script stops everything when its stdin closes
      const timer = setTimeout(() => child.kill("SIGTERM"), 30_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const lines = createInterface({ input: child.stdout });
  try {
    const config = await new Promise((ready, fail) => {
      const timer = setTimeout(() => fail(new Error("stack did not start in time")), STACK_TIMEOUT_MS);
      lines.once("line", (line) => {
        clearTimeout(timer);
        ready(JSON.parse(line));
      });
      exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`serve_console_stack.py exited with ${code}`));
      });
    });
    return { ...config, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// axe on the page as it is: no serious or critical issue.
async function accessible(name) {
  const bad = (await axeViolations(page)).filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `${name}: ${JSON.stringify(bad, null, 2)}`);
}

// Keyboard only: focus moves with Tab until it lands on the element, which Enter or Space then uses.
async function tabTo(locator, most = 60) {
  const target = await locator.elementHandle();
  for (let i = 0; i < most; i += 1) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error("Tab never reached the element");
}

async function typeInto(locator, text) {
  await tabTo(locator);
  await page.keyboard.type(text);
}

// Enter on a focused link or button that loads a new page; waits for that page.
async function press(locator, key = "Enter") {
  await tabTo(locator);
  await Promise.all([page.waitForNavigation({ timeout: 60_000 }), page.keyboard.press(key)]);
}

const menu = (name) => page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name, exact: true });

async function signIn(username, password) {
  await page.goto(`${stack.web_url}/staff/sign-in`);
  await typeInto(page.getByLabel("Username"), username);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
}

describe("staff console", { timeout: 900_000 }, () => {
  before(async () => {
    stack = await startConsoleStack();
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    page = await context.newPage();
    page.on("pageerror", (error) => assert.fail(`page error: ${error.message}`));
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("shows nothing before sign-in, and the sign-in page is accessible", async () => {
    for (const path of ["/staff/", "/staff/requests", "/staff/try", "/staff/tests", "/staff/accounts"]) {
      await page.goto(`${stack.web_url}${path}`);
      assert.match(page.url(), /\/staff\/sign-in$/, path);
    }
    await page.getByRole("heading", { name: "Sign in to the staff console" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Sign in" }).count(), 1);
    await accessible("sign-in");
    await screenshot(page, "console-sign-in.png");
  });

  it("locks an account after five wrong passwords", async () => {
    for (let i = 0; i < 4; i += 1) {
      await signIn(stack.locked, "not the password 0");
      await page.getByText("The username or password is not right").first().waitFor();
    }
    await signIn(stack.locked, "not the password 0");
    await page.getByText(/This account is locked after 5 wrong passwords/).first().waitFor();
    await signIn(stack.locked, stack.locked_password); // the right one is refused while locked
    await page.getByText(/This account is locked/).first().waitFor();
    await accessible("locked");
    await screenshot(page, "console-locked.png");
  });

  it("signs in from the keyboard and works a request: status change, note, audit of the view", async () => {
    await signIn(stack.admin, stack.admin_password);
    await page.getByText(`Signed in as ${stack.admin}`).waitFor();
    await accessible("home");
    await press(menu("Requests"));
    await page.getByRole("heading", { name: "Requests", level: 1 }).waitFor();
    await accessible("queue");
    await screenshot(page, "console-queue.png");
    await press(page.getByRole("link", { name: "Requests the backend refused (dead letters)" }));
    await page.getByRole("heading", { name: "Requests the backend refused", level: 1 }).waitFor();
    assert.ok(await page.getByText("Testlearner-Deadletter").isVisible(), "the seeded dead letter is listed");
    await accessible("dead letters");
    await press(page.getByRole("link", { name: "Back to requests" }));
    await page.getByRole("heading", { name: "Requests", level: 1 }).waitFor();
    await press(page.getByRole("link", { name: stack.reference }));
    await page.getByRole("heading", { name: stack.reference }).waitFor();
    assert.ok(await page.getByText("Testlearner-Browser").isVisible(), "the caseworker sees the learner's details");
    // Space chooses the focused radio; the note is typed; Enter on the button sends the form.
    await tabTo(page.getByLabel("In progress"));
    await page.keyboard.press("Space");
    await typeInto(page.getByLabel("Note (optional)"), "Called the learner to confirm");
    await press(page.getByRole("button", { name: "Change status" }));
    await page.getByText("The status was changed to in progress").waitFor();
    const history = await page.locator("table").first().innerText();
    assert.match(history, /staff:admin\.test/);
    assert.match(history, /Called the learner to confirm/);
    const views = await page.locator("#views").innerText();
    assert.match(views, /admin\.test\s+viewed personal details/);
    await accessible("request");
    await screenshot(page, "console-request.png");
  });

  it("tries the assistant and shows why it answered", async () => {
    await press(menu("Try the assistant"));
    await typeInto(page.getByLabel("Message"), "What is a ULN?");
    await Promise.all([page.waitForURL(/\/staff\/try\?c=console-admin\.test-/, { timeout: 60_000 }),
      page.keyboard.press("Enter")]);
    await page.getByText("Message 1:").waitFor();
    const insight = await page.locator("#latest").innerText();
    assert.match(insight, /Intent/);
    assert.match(insight, /Next alternatives/);
    assert.match(insight, /Actions \(policy, confidence\)/);
    assert.match(insight, /Policy|policy/);
    const conversation = await page.locator("#conversation-id").innerText();
    assert.match(conversation, /^console-admin\.test-/);
    await accessible("try");
    await screenshot(page, "console-try.png");
    const [download] = await Promise.all([page.waitForEvent("download"),
      page.getByRole("link", { name: "Download as a test case" }).press("Enter")]);
    const saved = readFileSync(await download.path(), "utf8");
    assert.match(saved, /^name: /m);
    assert.match(saved, /- user: What is a ULN\?/);
    // The same conversation, found in the recent conversations and read back from there.
    await press(menu("Conversations"));
    await page.getByRole("heading", { name: "Conversations", level: 1 }).waitFor();
    const recent = page.locator("#recent");
    assert.match(await recent.innerText(), new RegExp(conversation.replace(/[.]/g, "\\.")));
    await accessible("conversations");
    await press(recent.getByRole("link", { name: conversation, exact: true }));
    await page.getByText("Message 1:").waitFor();
    assert.match(await page.locator("#latest").innerText(), /What is a ULN\?/);
    assert.match(await page.locator("#views").innerText(), /admin\.test\s+read the conversation/);
    await accessible("transcript");
    await screenshot(page, "console-conversation.png");
    const [again] = await Promise.all([page.waitForEvent("download"),
      page.getByRole("link", { name: "Save as a test case" }).press("Enter")]);
    assert.match(readFileSync(await again.path(), "utf8"), /- user: What is a ULN\?/);
    // A request's page links here by id (?c=): that address still opens the transcript.
    await page.goto(`${stack.web_url}/staff/conversations?c=${encodeURIComponent(conversation)}`);
    await page.getByText("Message 1:").waitFor();
  });

  it("runs a scripted conversation from the browser and shows the result", async () => {
    await page.goto(`${stack.web_url}/staff/tests`);
    await accessible("tests");
    await typeInto(page.getByLabel("Only files or names containing (optional)"), "01_opt_out");
    await press(page.getByRole("button", { name: "Run the conversations" }));
    const deadline = Date.now() + 240_000;
    while (await page.getByText("Still running").count()) {
      assert.ok(Date.now() < deadline, "the test run did not finish in 4 minutes");
      await page.waitForTimeout(2000);
      await press(page.getByRole("link", { name: "Check again" }));
    }
    const state = await page.locator("#run-state").innerText();
    assert.match(state, /Finished: \d+ passed, \d+ failed, \d+ skipped/);
    assert.match(await page.locator("table").innerText(), /01_opt_out/);
    await accessible("test run");
    await screenshot(page, "console-test-run.png");
  });

  it("shows the latest results and a whole report", async () => {
    // A real report when make eval or make bench has written one; else a synthetic one, for this check only.
    const reports = resolve(ROOT, "reports");
    const real = existsSync(reports) && readdirSync(reports).some((name) => name.endsWith(".md"));
    const sample = resolve(reports, "console-browser-sample.md");
    if (!real) {
      writeFileSync(sample, "# Synthetic report\n\nMade by the **browser test**.\n\n"
        + "| Figure | Value |\n|---|---|\n| synthetic | 1 |\n\n- one item\n");
    }
    try {
      await press(menu("Test runs and reports"));
      await page.getByRole("heading", { name: "Latest results", level: 2 }).waitFor();
      await page.getByRole("heading", { name: "Speed and memory", level: 3 }).waitFor();
      for (const img of await page.locator("main img").all()) {
        assert.ok((await img.getAttribute("alt"))?.trim(), "every plot has alt text");
        const src = await img.getAttribute("src");
        const served = await page.request.get(new URL(src, page.url()).href);
        assert.equal(served.status(), 200, src);
        assert.match(served.headers()["content-type"], /^image\//, src);
      }
      await accessible("tests with the latest results");
      const link = page.locator('main a[href*="/staff/reports/"]').first();
      await press(link);
      await page.getByRole("link", { name: "Back to test runs and reports" }).waitFor();
      assert.equal(await page.getByRole("heading", { level: 1 }).count(), 1);
      await accessible("report");
    } finally {
      rmSync(sample, { force: true });
    }
  });

  it("lets an admin unlock an account and reset its password; its owner then chooses their own", async () => {
    await press(menu("Accounts"));
    await page.getByRole("heading", { name: "Accounts", level: 1 }).waitFor();
    const list = page.locator("#accounts");
    assert.match(await list.innerText(), /locked\.test\s+caseworker\s+Locked/);
    await accessible("accounts");
    await screenshot(page, "console-accounts.png");
    await press(list.getByRole("link", { name: stack.locked, exact: true }));
    await page.getByRole("heading", { name: stack.locked, level: 1 }).waitFor();
    await accessible("account");
    await press(page.getByRole("button", { name: "Unlock account" }));
    await page.getByText("The account was unlocked.").waitFor();
    await press(page.getByRole("button", { name: "Reset password" }));
    const oneTime = (await page.locator("#one-time-password").innerText()).trim();
    assert.match(oneTime, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    const history = await page.locator("#views").innerText();
    assert.match(history, /admin\.test\s+reset the password/);
    assert.match(history, /admin\.test\s+unlocked the account/);
    await accessible("password reset");
    await screenshot(page, "console-account.png");
    await press(page.getByRole("button", { name: "Sign out" }));
    // The old password no longer works; the one-time one leads straight to choosing a new one.
    await signIn(stack.locked, stack.locked_password);
    await page.getByText("The username or password is not right").first().waitFor();
    await signIn(stack.locked, oneTime);
    await page.getByRole("heading", { name: "Choose a new password", level: 1 }).waitFor();
    assert.equal(await page.getByRole("navigation", { name: "Menu" }).count(), 0);
    await accessible("choose a new password");
    await screenshot(page, "console-new-password.png");
    const chosen = "a synthetic chosen password";
    await typeInto(page.getByLabel("One-time password"), oneTime);
    await typeInto(page.getByLabel("New password", { exact: true }), chosen);
    await typeInto(page.getByLabel("New password again"), chosen);
    await press(page.getByRole("button", { name: "Change password" }));
    await page.getByText("Your password was changed.").waitFor();
    await accessible("password changed");
    await press(menu("Requests"));
    await page.getByRole("heading", { name: "Requests", level: 1 }).waitFor();
  });

  it("signs out", async () => {
    await press(page.getByRole("button", { name: "Sign out" }));
    await page.getByText("You have signed out.").waitFor();
    await accessible("signed out");
    await screenshot(page, "console-signed-out.png");
    await page.goto(`${stack.web_url}/staff/requests`);
    assert.match(page.url(), /\/staff\/sign-in$/);
  });

  it("tells a viewer what their role cannot see, and any visitor what is not there", async () => {
    await signIn(stack.viewer, stack.viewer_password);
    await page.getByText(`Signed in as ${stack.viewer}`).waitFor();
    const forbidden = await page.goto(`${stack.web_url}/staff/accounts`);
    assert.equal(forbidden.status(), 403);
    await page.getByRole("heading", { name: "You cannot see this page", level: 1 }).waitFor();
    await accessible("403 for a viewer");
    const noRun = await page.goto(`${stack.web_url}/staff/tests/runs/1900000000-ffffff`);
    assert.equal(noRun.status(), 404);
    await page.getByRole("heading", { name: "No such test run", level: 1 }).waitFor();
    await accessible("404 inside the console");
    const unknown = await page.goto(`${stack.web_url}/staff/no-such-page`);
    assert.equal(unknown.status(), 404);
    await accessible("404 for an unknown address");
    await page.goto(`${stack.web_url}/staff/`);
    await press(page.getByRole("button", { name: "Sign out" }));
    await page.getByText("You have signed out.").waitFor();
  });
});
