// Browser tests of the web chat page: Debian's headless Chromium driven by playwright-core,
// against the whole stack (backend, action server, Rasa, web page) started on free ports.
// Run: node --test --test-concurrency=1 webchat/tests/   (scripts/webchat_tests.sh does it)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  axeViolations,
  botCount,
  botMessages,
  chatParts,
  clickReply,
  launchBrowser,
  openChat,
  rasaEvents,
  screenshot,
  sessionToken,
  staffRequests,
  startStack,
  typeAndSend,
  waitForReply,
} from "./harness.mjs";

const DESKTOP = { width: 1280, height: 900 };
const NARROW = { width: 320, height: 640 };
// 400% zoom of a 1280 x 1024 window leaves 320 x 256 CSS pixels.
const ZOOM_400 = { width: 320, height: 256 };
const HELPDESK = "0345 602 2589";
const REFERENCE = /\bPLR-[0-9A-Z]{4}-[0-9A-Z]{4}\b/;
const HIDDEN = "(Personal details are not kept on this device.)";

// A synthetic learner: a valid ULN test vector from plr-facts.md §5, a real-format postcode.
// Neither the date nor the postcode is the example a question gives, so finding one in storage
// means an answer was kept.
const LEARNER = {
  given: "Ada",
  family: "Penhallow",
  dob: "4 November 2002",
  dobIso: "2002-11-04",
  postcode: "LS1 4DY",
  uln: "1000000043",
};

let stack;
let browser;

async function freshPage({ url, path = "/", beforeLoad, ...options } = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  const page = await openChat(context, `${url || stack.web_url}${path}`, beforeLoad);
  return { context, page };
}

async function greeted(options) {
  const opened = await freshPage(options);
  await waitForReply(opened.page, 0);
  return opened;
}

function userMessages(page) {
  return page.locator(".plr-msg--user .plr-msg__text").allTextContents();
}

function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], "no script error or dialog on the page");
}

function reply(texts, pattern, what) {
  const joined = texts.join("\n");
  assert.match(joined, pattern, `${what}: got ${JSON.stringify(joined)}`);
  return joined;
}

describe("web chat page", { timeout: 600_000 }, () => {
  before(async () => {
    stack = await startStack();
    try {
      browser = await launchBrowser();
    } catch (error) {
      await stack.stop();
      throw error;
    }
  });

  after(async () => {
    if (browser) await browser.close();
    if (stack) await stack.stop();
  });

  it("works without JavaScript by showing the helpdesk route", async () => {
    const { context, page } = await freshPage({ javaScriptEnabled: false });
    try {
      await assert.doesNotReject(page.locator("#no-chat").waitFor({ state: "visible" }));
      assert.match(await page.locator("#no-chat").innerText(), new RegExp(HELPDESK));
      assert.equal(await page.locator("#chat").isVisible(), false);
    } finally {
      await context.close();
    }
  });

  it("has no axe violations before a conversation, and names its controls", async () => {
    const { context, page } = await freshPage();
    try {
      const { log, message, send } = chatParts(page);
      await message.waitFor();
      assert.deepEqual(await axeViolations(page), [], "axe before the conversation");
      assert.equal(await log.count(), 1, 'one role="log" region named "Conversation"');
      assert.equal(await send.count(), 1, 'one button named "Send"');
      assert.equal(await page.locator("#no-chat").isVisible(), false, "the no-JavaScript text is hidden");
      await page.getByRole("button", { name: "Start again" }).waitFor();
      await page.getByRole("button", { name: "Talk to a person" }).waitFor();
      const privacyLine = await page.locator("#privacy").innerText();
      assert.match(privacyLine, /LRS.*DfE.*so that the LRS team can find your record.*review/s);
      assert.doesNotMatch(privacyLine, /only to find/, "the assistant itself cannot look up a record");
      await page.getByRole("link", { name: "How this chat uses your details" }).waitFor();
      await screenshot(page, "webchat-desktop-start.png");
      await waitForReply(page, 0);
      assert.match((await botMessages(page))[0], /Learning Records Service assistant/, "the assistant greets first");
      assertNoProblems(page);
    } finally {
      await context.close();
    }
  });

  it("can be used by keyboard alone; focus stays in the message box; typing is shown", async () => {
    const { context, page } = await greeted();
    try {
      // Tab from the top of the page to the message box.
      let presses = 0;
      while ((await page.evaluate(() => document.activeElement.id)) !== "message") {
        assert.ok(++presses <= 25, "the message box is reachable with Tab");
        await page.keyboard.press("Tab");
      }
      await page.evaluate(() => {
        const typing = document.getElementById("chat-typing");
        window.typingSeen = [];
        new MutationObserver(() => window.typingSeen.push(typing.textContent)).observe(typing, {
          childList: true, characterData: true, subtree: true,
        });
      });
      const before = await botCount(page);
      await page.keyboard.type("What is a ULN?");
      await page.keyboard.press("Enter");
      const answer = await waitForReply(page, before);
      assert.ok(answer.length > 0);
      assert.equal(await page.evaluate(() => document.activeElement.id), "message", "focus stays in the message box");
      const typingSeen = await page.evaluate(() => window.typingSeen);
      assert.ok(typingSeen.includes("Assistant is typing"), `typing indicator shown: ${JSON.stringify(typingSeen)}`);
      assert.equal(await page.locator("#chat-typing").textContent(), "", "and gone after the reply");

      // A quick reply is reached with Shift+Tab, chosen with Enter, and focus comes back.
      const buttons = page.locator(".plr-msg__replies button");
      if ((await buttons.count()) === 0) {
        await typeAndSend(page, "hello"); // the greeting always offers a menu
        await page.getByRole("textbox", { name: "Message" }).focus();
      }
      await page.keyboard.press("Shift+Tab");
      const focused = await page.evaluate(() => ({
        quickReply: !!document.activeElement.closest(".plr-msg__replies"),
        title: document.activeElement.textContent,
      }));
      assert.ok(focused.quickReply, "Shift+Tab from the message box reaches the suggested replies");
      const count = await botCount(page);
      await page.keyboard.press("Enter");
      await waitForReply(page, count);
      assert.equal((await userMessages(page)).at(-1), focused.title, "the chosen reply is shown as the learner's");
      assert.equal(await page.evaluate(() => document.activeElement.id), "message");

      // The focused message box is in view and not covered by anything.
      const visible = await page.evaluate(() => {
        const box = document.activeElement.getBoundingClientRect();
        const x = box.left + box.width / 2;
        const y = box.top + box.height / 2;
        return y >= 0 && y <= window.innerHeight && document.elementFromPoint(x, y) === document.activeElement;
      });
      assert.ok(visible, "the focused message box is not hidden");

      // Every control of the chat is at least 24 x 24 CSS pixels (WCAG 2.2, 2.5.8).
      const small = await page.evaluate(() =>
        [...document.querySelectorAll("#chat button, #chat input")]
          .filter((el) => el.offsetParent !== null)
          .map((el) => ({ name: el.textContent || el.id, ...el.getBoundingClientRect().toJSON() }))
          .filter((r) => r.width < 24 || r.height < 24));
      assert.deepEqual(small, [], "no target smaller than 24 px");
      const labels = await page.locator(".plr-msg__who").allInnerTexts();
      assert.ok(labels.includes("You") && labels.includes("Assistant"), `visible speaker labels: ${labels}`);
      assertNoProblems(page);
    } finally {
      await context.close();
    }
  });

  it("takes a complete opt-out request through the page; a reload keeps history and form position", async () => {
    const { context, page } = await greeted();
    try {
      reply(await clickReply(page, "Ask to stop sharing my PLR"), /LRS team/, "why the details are needed");
      reply(await clickReply(page, "Yes, start"), /first name|given name/i, "asks the given name");
      reply(await typeAndSend(page, LEARNER.given), /family name|surname/i, "asks the family name");

      // Reload mid-form: the same conversation comes back, and the form carries on.
      const token = await sessionToken(page);
      // The answer with a personal detail is shown, but not kept on the device over a reload.
      const history = (await page.locator("#chat-log").innerText()).replace(LEARNER.given, HIDDEN);
      await page.reload();
      await page.getByRole("textbox", { name: "Message" }).waitFor();
      await page.waitForFunction(() => !document.getElementById("chat-status").textContent.includes("not available"));
      assert.equal(await page.locator("#chat-log").innerText(), history, "history survives the reload");
      assert.equal(await sessionToken(page), token, "same session after the reload");
      reply(await typeAndSend(page, LEARNER.family), /date of birth/i, "form resumes at the next question");

      reply(await typeAndSend(page, LEARNER.dob), /postcode/i, "asks the postcode");
      reply(await typeAndSend(page, LEARNER.postcode), /different family name/i, "asks about another family name");
      reply(await clickReply(page, "No"), /ULN/, "asks whether the ULN is known");
      reply(await clickReply(page, "Yes, I know it"), /10-digit|ULN/, "asks the ULN");
      reply(await typeAndSend(page, LEARNER.uln), /email/i, "asks for an optional email");
      const review = reply(await clickReply(page, "No email, thanks"), /Here is what you told me/, "reads back");
      assert.ok(review.includes(LEARNER.given) && review.includes(LEARNER.postcode), "read-back shows the details");
      assert.ok(!review.includes(LEARNER.uln), "the ULN is masked in the read-back");

      // During the conversation: accessibility scan and screenshots.
      assert.deepEqual(await axeViolations(page), [], "axe during the conversation");
      await screenshot(page, "webchat-desktop.png");
      await page.setViewportSize(NARROW);
      await screenshot(page, "webchat-320.png");
      await page.setViewportSize(DESKTOP);

      const done = reply(await clickReply(page, "Yes, send it"), REFERENCE, "gives a reference");
      assert.match(done, /reference/i);
      const reference = done.match(REFERENCE)[0];

      const { items } = await staffRequests(stack);
      const stored = items.find((item) => item.reference === reference);
      assert.ok(stored, `the backend holds ${reference}`);
      assert.equal(stored.type, "opt_out");
      assert.equal(stored.given_name, LEARNER.given);
      assert.equal(stored.family_name, LEARNER.family);
      assert.equal(stored.date_of_birth, LEARNER.dobIso);
      assert.equal(stored.postcode, LEARNER.postcode);
      assert.equal(stored.uln, LEARNER.uln);
      assert.equal(stored.conversation_id, token.split(".")[0], "stored under the server-issued session id");
      // The tab's stored transcript keeps none of the learner's details.
      const saved = await page.evaluate(() => window.sessionStorage.getItem("plr-chat"));
      for (const value of [LEARNER.given, LEARNER.family, LEARNER.dob, LEARNER.postcode, LEARNER.uln, "*******043"]) {
        assert.ok(!saved.includes(value), `sessionStorage still holds ${value}`);
      }
      assertNoProblems(page);
    } finally {
      await context.close();
    }
  });

  it("keeps two browser contexts' conversations apart", async () => {
    const a = await greeted();
    const b = await greeted();
    try {
      assert.notEqual(await sessionToken(a.page), await sessionToken(b.page));
      const fromA = "What is a ULN? (alpha 3K)";
      const fromB = "Who can see my learning record? (bravo 7Q)";
      await typeAndSend(a.page, fromA);
      const aBots = await botCount(a.page);
      await typeAndSend(b.page, fromB);
      await a.page.waitForTimeout(1000);
      assert.equal(await botCount(a.page), aBots, "A receives nothing from B's conversation");
      assert.deepEqual(await userMessages(a.page), [fromA]);
      assert.deepEqual(await userMessages(b.page), [fromB]);
      assert.ok(!(await a.page.locator("#chat-log").innerText()).includes("bravo 7Q"));
      assert.ok(!(await b.page.locator("#chat-log").innerText()).includes("alpha 3K"));
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });

  it("shows typed and sent markup as text and runs nothing", async () => {
    // Without the page's Content-Security-Policy, so that only the rendering keeps this safe.
    const { context, page } = await greeted({ bypassCSP: true });
    try {
      const typed = "<img src=x onerror=alert(1)>";
      await typeAndSend(page, typed);
      assert.equal((await userMessages(page)).at(-1), typed, "shown exactly as typed");

      // The assistant's side too: a bot message with markup, a markup button title and a
      // javascript: link, sent to this conversation through Rasa's own output channel.
      const senderId = (await sessionToken(page)).split(".")[0];
      const before = await botCount(page);
      await rasaEvents(stack, senderId, [
        { event: "bot", text: "<img src=y onerror=alert(2)><script>alert(3)</script> javascript:alert(5)",
          data: { buttons: [{ title: "<b onclick=alert(6)>bold</b>", payload: "/greet" }] } },
        { event: "bot", text: null, data: { custom: { text: "Links:", links: [
          { title: "Bad link", url: "javascript:alert(4)" },
          { title: "Privacy notice", url: "https://www.gov.uk/government/publications/lrs-privacy-notices" },
        ] } } },
      ]);
      const texts = await waitForReply(page, before);
      assert.ok(texts[0].startsWith("<img src=y onerror=alert(2)><script>"), texts[0]);
      await page.getByRole("button", { name: "<b onclick=alert(6)>bold</b>" }).waitFor();
      await page.waitForTimeout(500);
      const log = page.locator("#chat-log");
      assert.equal(await log.locator("img, script, b, iframe, [onerror], [onclick]").count(), 0, "no element from markup");
      const links = await log.locator("a").evaluateAll((anchors) =>
        anchors.map((a) => ({ href: a.getAttribute("href"), rel: a.rel, text: a.textContent })));
      // The reply to the typed markup is the model's choice and may carry links of its own, so
      // the exact list is taken from the two messages sent above; every other link must be https.
      const sentLinks = await log.locator(".plr-msg--bot").evaluateAll((messages, from) =>
        messages.slice(from).flatMap((m) => [...m.querySelectorAll("a")].map((a) => a.getAttribute("href"))), before);
      assert.deepEqual(sentLinks, ["https://www.gov.uk/government/publications/lrs-privacy-notices"]);
      assert.ok(links.every((l) => l.href.startsWith("https://")), links.map((l) => l.href).join(" "));
      assert.ok(links.every((l) => /\bnoopener\b/.test(l.rel)), "links open with rel=noopener");
      assertNoProblems(page);
    } finally {
      await context.close();
    }
  });

  it("refuses a page on a foreign origin", async () => {
    const { context, page } = await freshPage({ url: stack.foreign_url });
    try {
      const { status } = chatParts(page);
      await page.waitForFunction(() => document.getElementById("chat-status").textContent.includes("not available"),
        null, { timeout: 15_000 });
      assert.match(await status.innerText(), new RegExp(HELPDESK), "the learner is told where to get help");
      await page.waitForTimeout(2000);
      assert.equal(await sessionToken(page), null, "no session was given");
      assert.equal(await botCount(page), 0, "nothing came from the assistant");
    } finally {
      await context.close();
    }
  });

  it("also connects by long-polling (the fallback when websockets are blocked), from the page's origin only", async () => {
    const pollingSession = (page) => page.evaluate(async () => {
      const { io } = await import("/vendor/socket.io.esm.min.js");
      const { default: config } = await import("/config.js");
      return new Promise((resolve) => {
        const socket = io(config.socketUrl, { path: config.socketPath, transports: ["polling"], upgrade: false,
          reconnection: false });
        const done = (result) => { socket.close(); resolve(result); };
        socket.on("connect", () => socket.emit("session_request", { session_id: null }));
        socket.on("session_confirm", (token) => done(typeof token === "string" ? "session" : "bad token"));
        socket.on("connect_error", (error) => done(`connect_error: ${error.message}`));
        setTimeout(() => done("timeout"), 15_000);
      });
    });
    const own = await freshPage();
    const foreign = await freshPage({ url: stack.foreign_url });
    try {
      assert.equal(await pollingSession(own.page), "session");
      assert.match(await pollingSession(foreign.page), /^connect_error/);
    } finally {
      await own.context.close();
      await foreign.context.close();
    }
  });

  it("says so when the connection drops, and carries on after reconnecting", async () => {
    // The network between page and server is cut by the test: open sockets are closed and
    // new ones (websocket or long-polling) refused until it is restored.
    let cut = false;
    const sockets = [];
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await openChat(context, `${stack.web_url}/`, async (p) => {
      await p.routeWebSocket(/\/socket\.io\//, (ws) => {
        if (cut) return ws.close({ code: 1006, reason: "network cut by the test" });
        ws.connectToServer();
        sockets.push(ws);
      });
      await p.route(/\/socket\.io\/.*transport=polling/, (route) => (cut ? route.abort() : route.continue()));
    });
    try {
      await waitForReply(page, 0);
      const { status } = chatParts(page);
      cut = true;
      for (const ws of sockets.splice(0)) await ws.close({ code: 1006, reason: "network cut by the test" });
      await page.waitForFunction(() => document.getElementById("chat-status").textContent.includes("Connection lost"),
        null, { timeout: 15_000 });
      assert.equal(await page.locator("#chat-status").getAttribute("role"), "status", "announced, not only shown");
      cut = false;
      await page.waitForFunction(() => document.getElementById("chat-status").textContent.includes("Connected again"),
        null, { timeout: 30_000 });
      assert.match(await status.innerText(), /Connected again/);
      const answer = await typeAndSend(page, "What is a ULN?");
      assert.ok(answer.length > 0, "the conversation continues after reconnecting");
      assertNoProblems(page);
    } finally {
      await context.close();
    }
  });

  it('"Talk to a person" shows the helpdesk; "Start again" clears the conversation', async () => {
    const { context, page } = await greeted();
    try {
      const toggle = page.getByRole("button", { name: "Talk to a person" });
      await toggle.click();
      const helpdesk = page.locator("#helpdesk");
      assert.equal(await helpdesk.isVisible(), true);
      assert.match(await helpdesk.innerText(), new RegExp(HELPDESK));
      assert.equal(await toggle.getAttribute("aria-expanded"), "true");
      assert.equal(await page.evaluate(() => document.activeElement.id), "helpdesk", "focus moves to the helpdesk");

      await typeAndSend(page, "What is a ULN?");
      const oldToken = await sessionToken(page);
      await page.getByRole("button", { name: "Start again" }).click();
      assert.equal(await page.evaluate(() => document.activeElement.id), "message");
      assert.deepEqual(await userMessages(page), [], "the old conversation is gone from the page");
      const greeting = await waitForReply(page, 0);
      assert.match(greeting[0], /Learning Records Service assistant/);
      const newToken = await sessionToken(page);
      assert.ok(newToken && newToken !== oldToken, "a new session id");
      await page.reload();
      await page.getByRole("textbox", { name: "Message" }).waitFor();
      assert.deepEqual(await userMessages(page), [], "and it stays gone after a reload");
    } finally {
      await context.close();
    }
  });

  it('"How this chat uses your details" is next to the message box, works by keyboard, and agrees with the assistant', async () => {
    const { context, page } = await greeted();
    try {
      const link = page.getByRole("link", { name: "How this chat uses your details" });
      const [box, linkBox] = [await page.locator("#message").boundingBox(), await link.boundingBox()];
      assert.ok(linkBox.y > box.y && linkBox.y - (box.y + box.height) < 120, "the link is just under the message box");

      // Keyboard: from the message box, Tab past Send to the link; Enter jumps to the section,
      // and the next Tab continues inside it (its email link).
      await page.getByRole("textbox", { name: "Message" }).focus();
      let presses = 0;
      while ((await page.evaluate(() => document.activeElement.id)) !== "privacy-link") {
        assert.ok(++presses <= 3, "the privacy link follows the message box in the Tab order");
        await page.keyboard.press("Tab");
      }
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => location.hash === "#chat-privacy");
      const section = page.locator("#chat-privacy");
      assert.equal(await section.isVisible(), true);
      assert.ok(await section.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.top < window.innerHeight && r.bottom > 0;
      }), "the section is scrolled into view");
      await page.keyboard.press("Tab");
      assert.match(await page.evaluate(() => document.activeElement.getAttribute("href") || ""), /^mailto:/);

      // The page quotes the same retention figure as the assistant's own answer.
      const text = await section.innerText();
      const days = text.match(/(\d+(?:\.\d+)?) days after your last message/);
      assert.ok(days, `the retention figure is filled in: ${text}`);
      const answer = reply(await typeAndSend(page, "what do you do with the details I give you here?"),
        /days after your last message/, "the chat's privacy answer");
      assert.ok(answer.includes(`${days[1]} days after your last message`), `same figure: ${answer}`);
      assert.deepEqual(await axeViolations(page), [], "axe with the privacy section in view");
      assertNoProblems(page);
    } finally {
      await context.close();
    }
  });

  it("reflows at 320 px and at 400% zoom", async () => {
    for (const [viewport, name] of [[NARROW, "webchat-320-start.png"], [ZOOM_400, "webchat-400-percent-zoom.png"]]) {
      const { context, page } = await greeted({ viewport });
      try {
        await typeAndSend(page, "What is a ULN?");
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `no sideways scrolling at ${viewport.width}x${viewport.height}: ${overflow}px`);
        const message = page.getByRole("textbox", { name: "Message" });
        await message.scrollIntoViewIfNeeded();
        await message.click();
        assert.equal(await page.evaluate(() => document.activeElement.id), "message");
        assert.deepEqual(await axeViolations(page), [], `axe at ${viewport.width}x${viewport.height}`);
        await screenshot(page, name);
      } finally {
        await context.close();
      }
    }
  });

  // ------------------------------------------------------------------ English and Welsh (issue 22)
  describe("in Welsh", () => {
    const WELSH = "/?lang=cy";
    const GREET_CY = '/greet{"language":"cy"}';

    // The messages the page sends to the assistant (socket.io frames), hidden ones included.
    function recordSent(page) {
      page.sent = [];
      page.on("websocket", (ws) => ws.on("framesent", ({ payload }) => {
        const match = /^42(\[.*)$/s.exec(String(payload));
        if (!match) return;
        try {
          const [event, data] = JSON.parse(match[1]);
          if (event === "user_uttered") page.sent.push(data.message);
        } catch {
          // not a packet of ours
        }
      }));
    }

    async function waitForSent(page, message) {
      const deadline = Date.now() + 15_000;
      while (!page.sent.includes(message)) {
        if (Date.now() > deadline) throw new Error(`${message} not sent; sent: ${JSON.stringify(page.sent)}`);
        await page.waitForTimeout(100);
      }
    }

    function welshParts(page) {
      return {
        log: page.getByRole("log", { name: "Sgwrs" }),
        message: page.getByRole("textbox", { name: "Neges" }),
        send: page.getByRole("button", { name: "Anfon", exact: true }),
        startAgain: page.getByRole("button", { name: "Dechrau eto" }),
        talk: page.getByRole("button", { name: "Siarad â pherson" }),
      };
    }

    async function pageLanguage(page) {
      return page.evaluate(() => document.documentElement.lang);
    }

    async function storedLanguage(page) {
      return page.evaluate(() => JSON.parse(sessionStorage.getItem("plr-chat") || "{}").language || null);
    }

    it("the page itself is in Welsh: texts, accessible names, errors and status lines, with no axe violations", async () => {
      const { context, page } = await freshPage({ path: WELSH, beforeLoad: recordSent });
      try {
        const { log, message, send, startAgain, talk } = welshParts(page);
        await message.waitFor();
        assert.equal(await pageLanguage(page), "cy");
        assert.match(await page.title(), /^Gofyn am eich Cofnod Dysgu Personol/);
        assert.equal(await page.locator("h1").innerText(), "Gofyn am eich Cofnod Dysgu Personol");
        assert.equal(await log.count(), 1, 'the log is named "Sgwrs"');
        assert.equal(await send.count(), 1, 'the button is named "Anfon"');
        await startAgain.waitFor();
        await talk.waitFor();
        await page.getByRole("link", { name: "Neidio i'r prif gynnwys" }).waitFor({ state: "attached" });
        await page.getByRole("link", { name: "Sut mae'r sgwrs hon yn defnyddio eich manylion" }).waitFor();
        assert.match(await page.locator("#privacy").innerText(), /Gwasanaeth Cofnodion Dysgu \(LRS\).*Adran Addysg y DU \(DfE\)/s);
        assert.match(await page.locator("#chat-privacy").innerText(), /30 diwrnod ar ôl eich neges olaf/);
        const nav = page.getByRole("navigation", { name: "Dewis iaith" });
        assert.equal(await nav.locator('[aria-current="true"]').innerText(), "Cymraeg");
        assert.equal(await nav.getByRole("link", { name: "English" }).getAttribute("hreflang"), "en");
        // The page's own words, the assistant's replies aside.
        const english = await page.evaluate(() => {
          const log = document.getElementById("chat-log");
          log.style.display = "none";
          const text = document.body.innerText;
          log.style.display = "";
          return text.match(/\b(Send|Message|Start again|Talk to a person|Conversation|How this chat|Ask about|assistant)\b/g);
        });
        assert.equal(english, null, "no English left on the Welsh page");
        assert.deepEqual(await axeViolations(page), [], "axe on the Welsh page before the conversation");

        // The greeting asks for Welsh, and is not shown as the learner's message.
        await waitForReply(page, 0);
        assert.equal(page.sent[0], GREET_CY, `the greeting's payload: ${JSON.stringify(page.sent)}`);
        assert.equal(await page.locator(".plr-msg--user").count(), 0);
        const labels = await page.locator(".plr-msg__who").allInnerTexts();
        assert.ok(labels.length && labels.every((label) => label === "Cynorthwyydd"), `speaker labels: ${labels}`);

        // The page's own errors and status lines.
        await send.click();
        assert.equal(await page.locator("#message-error").textContent(), "Gwall: Rhowch neges");
        assert.equal(await message.getAttribute("aria-describedby"), "message-error");
        await talk.click();
        assert.match(await page.locator("#helpdesk").innerText(), new RegExp(`Ffoniwch ddesg gymorth yr LRS ar ${HELPDESK}`));
        assert.deepEqual(await axeViolations(page), [], "axe on the Welsh page with an error and the helpdesk shown");
        await screenshot(page, "webchat-cy.png");

        await startAgain.click();
        assert.equal(await page.locator("#chat-status").innerText(), "Rydych chi wedi dechrau sgwrs newydd.");
        await waitForReply(page, 0);
        assert.deepEqual(page.sent.filter((sent) => sent.startsWith("/greet")), [GREET_CY, GREET_CY],
          "a new conversation on the Welsh page is greeted in Welsh too");
        assertNoProblems(page);
      } finally {
        await context.close();
      }
    });

    it("switches with the language navigation by keyboard; the assistant follows once; the choice survives a reload", async () => {
      const { context, page } = await greeted({ beforeLoad: recordSent });
      try {
        assert.equal(await pageLanguage(page), "en");
        assert.deepEqual(page.sent, ["/greet"], "the English page keeps the plain greeting");
        const nav = page.getByRole("navigation", { name: "Choose a language" });
        assert.equal(await nav.locator('[aria-current="true"]').innerText(), "English");
        const token = await sessionToken(page);

        // Tab from the top of the page to "Cymraeg", then Enter.
        let presses = 0;
        while (!(await page.evaluate(() => document.activeElement.getAttribute("hreflang") === "cy"))) {
          assert.ok(++presses <= 5, "the language navigation is near the top of the Tab order");
          await page.keyboard.press("Tab");
        }
        const link = await page.evaluate(() => ({ lang: document.activeElement.lang, text: document.activeElement.textContent,
          rel: document.activeElement.rel, href: document.activeElement.getAttribute("href") }));
        assert.deepEqual(link, { lang: "cy", text: "Cymraeg", rel: "alternate", href: "?lang=cy" });
        await page.keyboard.press("Enter");
        await page.waitForURL(/\?lang=cy$/);
        await welshParts(page).message.waitFor();
        assert.equal(await pageLanguage(page), "cy");

        // Same conversation; the page asks the assistant for Welsh once, shown as nobody's message.
        await waitForSent(page, "/choose_welsh");
        assert.equal(await sessionToken(page), token, "the conversation goes on");
        assert.equal(await page.locator(".plr-msg--user").count(), 0, "the switch is not shown as a learner's message");
        assert.ok((await botCount(page)) >= 1, "the history is still there");
        assert.equal(await storedLanguage(page), "cy");

        // A reload, and a visit to the bare address, stay in Welsh (the cookie) and send nothing again.
        await page.reload();
        await welshParts(page).message.waitFor();
        await page.goto(`${stack.web_url}/`);
        await welshParts(page).message.waitFor();
        await page.waitForFunction(() => JSON.parse(sessionStorage.getItem("plr-chat") || "{}").token, null, { timeout: 10_000 });
        await page.waitForTimeout(1500);
        assert.equal(await pageLanguage(page), "cy");
        assert.equal(page.sent.filter((sent) => sent === "/choose_welsh").length, 1, JSON.stringify(page.sent));
        const cookie = (await context.cookies()).find((c) => c.name === "plr_lang");
        assert.ok(cookie, "the choice is kept in a cookie");
        assert.equal(cookie.value, "cy");
        assert.equal(cookie.sameSite, "Lax");
        assert.equal(cookie.httpOnly, true);
        assert.ok(cookie.expires > Date.now() / 1000 + 300 * 86400, "kept for about a year");

        // And back to English with the mouse.
        await page.getByRole("navigation", { name: "Dewis iaith" }).getByRole("link", { name: "English" }).click();
        await page.waitForURL(/\?lang=en$/);
        await chatParts(page).message.waitFor();
        await waitForSent(page, "/choose_english");
        assert.equal(await storedLanguage(page), "en");
        assert.equal((await context.cookies()).find((c) => c.name === "plr_lang").value, "en");
        assert.equal(await page.locator(".plr-msg--user").count(), 0);
        assertNoProblems(page);
      } finally {
        await context.close();
      }
    });

    it("marks a Welsh reply lang=\"cy\" and an English one on the Welsh page lang=\"en\"", async () => {
      const { context, page } = await greeted({ path: WELSH });
      try {
        const senderId = (await sessionToken(page)).split(".")[0];
        const before = await botCount(page);
        // As content/nlg.py sends a Welsh response: the `language` key next to the text.
        await rasaEvents(stack, senderId, [
          { event: "bot", text: "Mae Rhif Unigryw'r Dysgwr yn 10 digid.", data: { buttons: [{ title: "Iawn", payload: "/affirm" }] },
            metadata: { language: "cy" } },
          { event: "bot", text: "This one is in English." },
        ]);
        await waitForReply(page, before);
        const marked = await page.locator(".plr-msg--bot").evaluateAll((items, from) => items.slice(from).map((item) => ({
          text: item.querySelector(".plr-msg__text").lang,
          label: item.querySelector(".plr-msg__who").lang,
          buttons: [...item.querySelectorAll("button")].map((b) => b.lang),
        })), before);
        assert.deepEqual(marked, [{ text: "cy", label: "", buttons: ["cy"] }, { text: "en", label: "", buttons: [] }]);
        assert.deepEqual(await axeViolations(page), [], "axe with replies in both languages");
        // They keep their language over a reload.
        await page.reload();
        await welshParts(page).message.waitFor();
        const langs = await page.locator(".plr-msg--bot .plr-msg__text").evaluateAll((ps) => ps.map((p) => p.lang));
        assert.deepEqual(langs.slice(-2), ["cy", "en"]);
        assertNoProblems(page);
      } finally {
        await context.close();
      }
    });

    it("works without JavaScript in Welsh, and switches language without it", async () => {
      const { context, page } = await freshPage({ path: WELSH, javaScriptEnabled: false });
      try {
        await page.locator("#no-chat").waitFor({ state: "visible" });
        assert.equal(await pageLanguage(page), "cy");
        const text = await page.locator("#no-chat").innerText();
        assert.match(text, /Mae angen JavaScript ar y sgwrs/);
        assert.match(text, new RegExp(`I siarad â pherson, ffoniwch ddesg gymorth y Gwasanaeth Cofnodion Dysgu \\(LRS\\) ar ${HELPDESK}`));
        assert.equal(await page.locator("#chat").isVisible(), false);
        await page.getByRole("link", { name: "English" }).click();
        await page.waitForURL(/\?lang=en$/);
        assert.equal(await pageLanguage(page), "en");
        assert.match(await page.locator("#no-chat").innerText(), /The chat needs JavaScript/);
        await page.goto(`${stack.web_url}/`);
        assert.equal(await pageLanguage(page), "en", "the cookie now says English");
      } finally {
        await context.close();
      }
      // axe needs script, so the same view is checked where the page's own script fails to load.
      const broken = await freshPage({ path: WELSH, beforeLoad: (p) => p.route(/\/js\/main\.js$/, (route) => route.abort()) });
      try {
        await broken.page.locator("#no-chat").waitFor({ state: "visible" });
        assert.deepEqual(await axeViolations(broken.page), [], "axe on the Welsh page without the chat");
      } finally {
        await broken.context.close();
      }
    });

    // Needs the assistant's Welsh (content/nlg.py, the `language` slot) and a model trained with it.
    it("the Welsh page's greeting comes back in Welsh, marked lang=\"cy\"", async () => {
      const { context, page } = await freshPage({ path: WELSH });
      try {
        const greeting = reply(await waitForReply(page, 0), /Cofnod Dysgu Personol/, "the greeting in Welsh");
        assert.doesNotMatch(greeting, /Learning Records Service assistant/);
        assert.ok((await page.locator('.plr-msg--bot .plr-msg__text[lang="cy"]').count()) >= 1, "marked Welsh");
      } finally {
        await context.close();
      }
    });
  });
});
