// What the page keeps in sessionStorage of a learner's details: never an answer to a personal
// question, a read-back or a typed date, postcode, ULN or email; nothing of a finished request.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fromBot, fromUser, looksPersonal } from "../../page/js/messages.js";
import { HIDDEN_TEXT, load, save } from "../../page/js/store.js";

function fakeStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
    dump: () => [...items.values()].join("\n"),
  };
}

test("typed details are recognised by their shape, ordinary questions are not", () => {
  for (const text of ["21/06/2001", "born 14th of March 2002", "NE1 4ST", "1748 529 632", "sam.h@example.com"]) {
    assert.equal(looksPersonal(text), true, text);
  }
  for (const text of ["what is a ULN?", "I want to opt out", "yes", "is this call free", "PLR help"]) {
    assert.equal(looksPersonal(text), false, text);
  }
});

test("the server's privacy flag is read, anything else is ignored", () => {
  assert.equal(fromBot({ text: "What is your first name?", privacy: "asks" }).privacy, "asks");
  assert.equal(fromBot({ text: "Name: Morwenna Quiller", privacy: "shows" }).privacy, "shows");
  assert.equal(fromBot({ text: "Sent.", privacy: "end" }).privacy, "end");
  assert.equal(fromBot({ text: "Hello", privacy: "<script>" }).privacy, undefined);
  assert.equal(fromBot({ text: "Hello", privacy: "personal" }).privacy, undefined);
});

test("personal messages are shown but stored hidden", () => {
  globalThis.window = { sessionStorage: fakeStorage() };
  const state = {
    token: "t",
    messages: [
      fromBot({ text: "What is your first name?", privacy: "asks" }),
      fromUser("Morwenna", true),
      fromUser("what is a ULN?"),
      fromUser("my postcode is PL1 3DH"),
      { ...fromBot({ text: "Name: Morwenna Quiller", privacy: "shows" }), personal: true },
    ],
  };
  save(state);
  const stored = window.sessionStorage.dump();
  assert.ok(!stored.includes("Morwenna") && !stored.includes("PL1 3DH"), stored);
  assert.ok(stored.includes("what is a ULN?"));
  const loaded = load().messages;
  assert.equal(loaded[1].text, HIDDEN_TEXT);
  assert.equal(loaded[2].text, "what is a ULN?");
  assert.equal(loaded[0].text, "What is your first name?", "the question itself is kept");
  assert.equal(state.messages[1].text, "Morwenna", "what is on screen is unchanged");
});
