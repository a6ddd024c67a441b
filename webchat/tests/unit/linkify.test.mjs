// The text-to-links splitter and the message normaliser: only http(s) links ever come out,
// and everything else stays text.
import assert from "node:assert/strict";
import { test } from "node:test";
import { safeHref, segments } from "../../page/js/linkify.js";
import { fromBot } from "../../page/js/messages.js";

const links = (text) => segments(text).filter((p) => p.type === "link").map((p) => p.href);

test("full http(s) URLs become links, trailing punctuation stays text", () => {
  assert.deepEqual(links("See https://www.gov.uk/guidance/x. Thanks"), ["https://www.gov.uk/guidance/x"]);
  assert.deepEqual(links("(http://example.org/a?b=1)"), ["http://example.org/a?b=1"]);
  assert.equal(segments("See https://www.gov.uk/x.").map((p) => p.text).join(""), "See https://www.gov.uk/x.");
});

test("bare addresses on the answers' domains get https://", () => {
  assert.deepEqual(links("see gov.uk/guidance/how-to-access-your-personal-learning-record."),
    ["https://gov.uk/guidance/how-to-access-your-personal-learning-record"]);
  assert.deepEqual(links("the ICO at ico.org.uk, or"), ["https://ico.org.uk/"]);
});

test("email addresses, phone numbers and plain words stay text", () => {
  assert.deepEqual(links("email LRS.Support@education.gov.uk or call 0345 602 2589"), []);
  assert.deepEqual(links("e.g. GCSEs, A levels. Ofqual.gov"), []);
});

test("markup is just text to the splitter", () => {
  const text = "<img src=x onerror=alert(1)> <a href='javascript:alert(1)'>x</a>";
  assert.deepEqual(segments(text), [{ type: "text", text }]);
});

test("only http and https survive as link targets", () => {
  for (const bad of ["javascript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x", "file:///etc/passwd",
    "https://user:pw@example.org/", "http://"]) {
    assert.equal(safeHref(bad), null, bad);
  }
  assert.equal(safeHref("https://www.gov.uk/x"), "https://www.gov.uk/x");
});

test("bot payloads are reduced to strings, valid replies and http(s) links", () => {
  assert.deepEqual(fromBot({ text: "Hi", quick_replies: [{ title: "Yes", payload: "/affirm" }, { title: 5 }] }),
    { who: "bot", text: "Hi", replies: [{ title: "Yes", payload: "/affirm" }], links: [], lang: "en" });
  assert.deepEqual(fromBot({ links: [{ title: "Bad", url: "javascript:alert(1)" }, { title: "Notice", url: "https://www.gov.uk/n" }] }).links,
    [{ title: "Notice", href: "https://www.gov.uk/n" }]);
  assert.equal(fromBot({ text: { html: "<b>" } }), null);
  assert.equal(fromBot("text"), null);
  assert.equal(fromBot(null), null);
});
