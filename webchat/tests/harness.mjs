// Shared pieces of the browser tests: the stack (started through serve_stack.py and always
// stopped), Debian's headless Chromium through playwright-core, axe-core, and page helpers.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, "../..");
export const REPORTS = resolve(ROOT, "reports");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const STACK_TIMEOUT_MS = 300_000;
export const REPLY_TIMEOUT_MS = 45_000;

// ------------------------------------------------------------------------------ the stack
export async function startStack(extraArgs = []) {
  const python = resolve(ROOT, ".venv/bin/python");
  const child = spawn(python, [resolve(HERE, "serve_stack.py"), ...extraArgs], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise((resolveExit) => child.once("exit", (code) => resolveExit(code)));
  const stop = async () => {
    if (child.exitCode === null) {
      child.stdin.end(); // serve_stack.py stops everything when its stdin closes
      const timer = setTimeout(() => child.kill("SIGTERM"), 30_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const lines = createInterface({ input: child.stdout });
  try {
    const config = await new Promise((resolveConfig, reject) => {
      const timer = setTimeout(() => reject(new Error("stack did not start in time")), STACK_TIMEOUT_MS);
      lines.once("line", (line) => {
        clearTimeout(timer);
        try {
          resolveConfig(JSON.parse(line));
        } catch (error) {
          reject(new Error(`unexpected output from serve_stack.py: ${line}`));
        }
      });
      exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`serve_stack.py exited with ${code} before the stack was ready`));
      });
    });
    return { ...config, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ------------------------------------------------------------------------------ the browser
export async function launchBrowser() {
  // playwright-core gives every launch a fresh temporary profile (--user-data-dir) itself and
  // refuses one passed in args; the other flags are the project's standard headless set.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// A page that fails the test on any script error or dialog (alert) it raises.
export async function openChat(context, url, beforeLoad = async () => {}) {
  const page = await context.newPage();
  await beforeLoad(page);
  page.problems = [];
  page.on("pageerror", (error) => page.problems.push(`page error: ${error.message}`));
  page.on("dialog", async (dialog) => {
    page.problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
    await dialog.dismiss();
  });
  await page.goto(url);
  return page;
}

export function chatParts(page) {
  return {
    log: page.getByRole("log", { name: "Conversation" }),
    message: page.getByRole("textbox", { name: "Message" }),
    send: page.getByRole("button", { name: "Send", exact: true }),
    status: page.locator("#chat-status"),
    typing: page.locator("#chat-typing"),
  };
}

export async function botMessages(page) {
  return page.locator(".plr-msg--bot .plr-msg__text").allTextContents();
}

// Waits until the assistant has said something new after `before` messages and gone quiet.
export async function waitForReply(page, before, quietMs = 800) {
  const count = page.locator(".plr-msg--bot");
  const deadline = Date.now() + REPLY_TIMEOUT_MS;
  while ((await count.count()) <= before) {
    if (Date.now() > deadline) throw new Error(`no reply from the assistant within ${REPLY_TIMEOUT_MS} ms`);
    await page.waitForTimeout(100);
  }
  let seen = await count.count();
  for (;;) {
    await page.waitForTimeout(quietMs);
    const now = await count.count();
    if (now === seen) break;
    seen = now;
  }
  return (await botMessages(page)).slice(before);
}

export async function botCount(page) {
  return page.locator(".plr-msg--bot").count();
}

export async function typeAndSend(page, text) {
  const before = await botCount(page);
  const { message } = chatParts(page);
  await message.fill(text);
  await message.press("Enter");
  return waitForReply(page, before);
}

export async function clickReply(page, title) {
  const before = await botCount(page);
  await page.locator(".plr-msg__replies").getByRole("button", { name: title, exact: true }).click();
  return waitForReply(page, before);
}

export async function sessionToken(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem("plr-chat") || "{}").token || null);
}

// ------------------------------------------------------------------------------ axe-core
const AXE_SOURCE = readFileSync(resolve(ROOT, "webchat/node_modules/axe-core/axe.min.js"), "utf8");
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"];

// Injected through the DevTools protocol, which the page's Content-Security-Policy (no inline
// script) does not apply to; the page itself stays under its real policy.
export async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    AXE_TAGS,
  );
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
  }));
}

// ------------------------------------------------------------------------------ reports
export async function screenshot(page, name) {
  mkdirSync(REPORTS, { recursive: true });
  const path = resolve(REPORTS, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// ------------------------------------------------------------------------------ APIs
export async function rasaEvents(stack, senderId, events) {
  const url = new URL(`/conversations/${senderId}/tracker/events`, stack.rasa_url);
  url.searchParams.set("token", stack.rasa_token);
  url.searchParams.set("output_channel", "socketio");
  url.searchParams.set("execute_side_effects", "true");
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(events),
  });
  if (!response.ok) throw new Error(`Rasa refused the events: ${response.status} ${await response.text()}`);
}

export async function staffRequests(stack) {
  const response = await fetch(new URL("/v1/requests?limit=200", stack.backend_url), {
    headers: { Authorization: `Bearer ${stack.staff_api_key}` },
  });
  if (!response.ok) throw new Error(`backend staff API: ${response.status} ${await response.text()}`);
  return response.json();
}
