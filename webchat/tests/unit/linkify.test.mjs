// The text-to-links splitter and the message normaliser: only http(s), mailto: and tel: links
// ever come out, each href built from a checked match, and everything else stays text.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mailtoHref, safeHref, segments, telHref } from "../../page/js/linkify.js";
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

test("plain words stay text", () => {
  assert.deepEqual(links("e.g. GCSEs, A levels. Ofqual.gov"), []);
});

test("email addresses become mailto: links, and their domain is not a web link", () => {
  const text = "To have them deleted, email LRS.Support@education.gov.uk or call 0345 602 2589.";
  const pieces = segments(text);
  assert.equal(pieces.map((p) => p.text).join(""), text, "no character is lost or added");
  assert.deepEqual(pieces.filter((p) => p.type === "link"), [
    { type: "link", kind: "email", text: "LRS.Support@education.gov.uk", href: "mailto:LRS.Support@education.gov.uk" },
    { type: "link", kind: "phone", text: "0345 602 2589", href: "tel:03456022589" },
  ]);
  assert.deepEqual(links("(help-desk@lrs.example)."), ["mailto:help-desk@lrs.example"]);
  assert.deepEqual(links("write to info@sfa.bis.gov.uk, an older address"), ["mailto:info@sfa.bis.gov.uk"]);
});

test("UK phone numbers become tel: links with digits only", () => {
  assert.deepEqual(links("call 0303 123 1113 or 0370 000 2288"), ["tel:03031231113", "tel:03700002288"]);
  assert.deepEqual(links("Childline on 0800 1111, free"), ["tel:08001111"]);
  assert.deepEqual(links("from abroad +44 345 602 2589 or +44 (0)20 7946 0000"), ["tel:+443456022589", "tel:+442079460000"]);
  assert.deepEqual(links("call 999, or Samaritans on 116 123."), ["tel:999", "tel:116123"]);
  assert.deepEqual(links("Mae ar gael ar 0345-602-2589."), ["tel:03456022589"]);
  // The number only, not the figures that follow it.
  const pieces = segments("call 0345 602 2589 10 working days later");
  assert.deepEqual(pieces.filter((p) => p.type === "link").map((p) => p.text), ["0345 602 2589"]);
});

test("numbers that are not phone numbers stay text", () => {
  for (const text of [
    "My ULN is 1748529632", "9999999999 is not a ULN", "born 12/03/2001", "born 12 03 2001", "2001-03-12",
    "within 10 working days", "text SHOUT to 85258", "reference PLR-7K3M-9QXD", "a ULN like 0000000042 00",
    "03456022589123", "room 0345", "0345 602", "1999",
  ]) {
    assert.deepEqual(links(text), [], text);
  }
  // Digits inside a web address belong to the address.
  assert.deepEqual(links("see gov.uk/call-charges/03456022589"), ["https://gov.uk/call-charges/03456022589"]);
});

test("mailto: and tel: hrefs carry the address or the digits and nothing else", () => {
  for (const bad of ["a@b.com?subject=x", "a@b.com,c@d.com", "\"a\"@b.com", "a@b", "<a@b.com>",
    "javascript:alert(1)//@b.com", "a@b.com\nBcc: c@d.com", "", null, undefined]) {
    assert.equal(mailtoHref(bad), null, String(bad));
  }
  assert.equal(mailtoHref("LRS.Support@education.gov.uk"), "mailto:LRS.Support@education.gov.uk");
  for (const bad of ["0345 60", "12345", "tel:0345", "0345 602 2589<b>", "javascript:0345", "", null]) {
    assert.equal(telHref(bad), null, String(bad));
  }
  assert.equal(telHref("0345 602 2589"), "tel:03456022589");
  assert.equal(telHref("+44 (0)345 602 2589"), "tel:+443456022589");
});

test("markup around an address stays text and the link is built from the match alone", () => {
  const pieces = segments("<a href='x'>LRS.Support@education.gov.uk</a> 0345 602 2589\"><script>");
  assert.equal(pieces.map((p) => p.text).join(""), "<a href='x'>LRS.Support@education.gov.uk</a> 0345 602 2589\"><script>");
  for (const piece of pieces.filter((p) => p.type === "link")) {
    assert.match(piece.href, /^(?:mailto:[\w.%+-]+@[\w.-]+|tel:\+?\d+)$/);
  }
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
