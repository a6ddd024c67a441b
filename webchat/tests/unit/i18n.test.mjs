// The page in English and Welsh (issue 22): one strings file per language with the same keys,
// every string the page and its scripts use present in both, the greeting and switch payloads,
// and the language of the assistant's replies.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { format, greetingPayload, languageSwitch, translator } from "../../page/js/i18n.js";
import { fromBot, note } from "../../page/js/messages.js";
import { HIDDEN_TEXT } from "../../page/js/store.js";

const PAGE = resolve(dirname(fileURLToPath(import.meta.url)), "../../page");
const text = (lang) => JSON.parse(readFileSync(resolve(PAGE, "i18n", `${lang}.json`), "utf8"));
const EN = text("en");
const CY = text("cy");

function tokens(value) {
  return [...value.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

test("both languages have the same strings, none empty, with the same placeholders", () => {
  for (const section of ["page", "chat"]) {
    assert.deepEqual(Object.keys(CY[section]).sort(), Object.keys(EN[section]).sort(), section);
    for (const [key, value] of Object.entries(EN[section])) {
      assert.ok(value.trim() && CY[section][key].trim(), `${section}.${key} is empty`);
      assert.deepEqual(tokens(CY[section][key]), tokens(value), `${section}.${key} placeholders`);
    }
  }
  assert.equal(EN.language_name, "English");
  assert.equal(CY.language_name, "Cymraeg");
});

test("the Welsh strings are Welsh, with the official terms", () => {
  const welsh = JSON.stringify(CY);
  for (const term of ["Gwasanaeth Cofnodion Dysgu", "Cofnod Dysgu Personol", "Rif Unigryw'r Dysgwr"]) {
    assert.ok(welsh.includes(term), term);
  }
  assert.ok(!welsh.includes("Cofnod Dysgu Gydol Oes"), "that is a different Welsh Government dataset");
  for (const [key, value] of Object.entries(CY.chat)) {
    if (key === "error_prefix") continue;
    assert.notEqual(value, EN.chat[key], `chat.${key} is still English`);
  }
  assert.equal(CY.page.message_label, "Neges");
  assert.equal(CY.page.send, "Anfon");
  assert.equal(CY.page.start_again, "Dechrau eto");
  assert.equal(CY.page.talk_to_person, "Siarad â pherson");
});

test("every string the scripts ask for exists; the English marker of hidden details matches", () => {
  const js = readdirSync(resolve(PAGE, "js")).map((name) => readFileSync(resolve(PAGE, "js", name), "utf8")).join("\n");
  const used = new Set([...js.matchAll(/\bt\("(\w+)"/g)].map((m) => m[1]));
  for (const key of ["who_user", "who_bot", "who_note"]) used.add(key);
  assert.ok(used.size > 15, `found ${used.size} keys`);
  for (const key of used) {
    assert.ok(key in EN.chat, `en.json has no chat.${key}`);
    assert.ok(key in CY.chat, `cy.json has no chat.${key}`);
  }
  assert.equal(EN.chat.personal_not_kept, HIDDEN_TEXT);
});

test("every placeholder of index.html is a page string or one the server makes", () => {
  const html = readFileSync(resolve(PAGE, "index.html"), "utf8");
  const made = new Set(["LANG", "LANGUAGE_NAVIGATION", "CHAT_TEXT_JSON"]);
  for (const [, name] of html.matchAll(/\{\{(\w+)\}\}/g)) {
    assert.ok(made.has(name) || name in EN.page, `{{${name}}}`);
  }
});

test("strings are filled in; a missing key shows itself rather than breaking the page", () => {
  assert.equal(format("longer than {max} characters", { max: 1000 }), "longer than 1000 characters");
  assert.equal(format("{unknown} stays", {}), "{unknown} stays");
  const t = translator(CY.chat);
  assert.equal(t("too_long", { max: 1000 }), "Nid yw eich neges wedi'i hanfon am ei bod yn hirach na 1000 nod.");
  assert.equal(t("no_such_key"), "no_such_key");
});

test("the greeting carries the page's language as a Rasa entity, English keeps the plain payload", () => {
  assert.equal(greetingPayload("/greet", "cy"), '/greet{"language":"cy"}');
  assert.equal(greetingPayload("/greet", "en"), "/greet");
  assert.equal(greetingPayload("/greet", "fr"), "/greet");
  assert.equal(greetingPayload("", "cy"), "");
});

test("a resumed conversation is switched only when the page's language changed since it last told it", () => {
  assert.equal(languageSwitch("cy", "en"), "/choose_welsh");
  assert.equal(languageSwitch("en", "cy"), "/choose_english");
  assert.equal(languageSwitch("cy", "cy"), null, "a reload of the Welsh page sends nothing");
  assert.equal(languageSwitch("en", "en"), null);
  assert.equal(languageSwitch("en", null), null, "a conversation from before languages was greeted in English");
  assert.equal(languageSwitch("cy", null), "/choose_welsh");
  assert.equal(languageSwitch("fr", "en"), null);
});

test("a reply in Welsh is marked cy; any other reply is English", () => {
  assert.equal(fromBot({ text: "Helo", language: "cy" }).lang, "cy");
  assert.equal(fromBot({ text: "Hello" }).lang, "en");
  assert.equal(fromBot({ text: "Hello", language: "en" }).lang, "en");
  assert.equal(fromBot({ text: "Bonjour", language: "fr" }).lang, "en");
  assert.equal(fromBot({ text: "x", language: '"><script>' }).lang, "en");
  assert.equal(note("Sgwrs newydd", "cy").lang, "cy");
  assert.equal(note("New", "xx").lang, undefined);
  const t = translator(CY.chat);
  assert.equal(fromBot({ attachment: { payload: { src: "https://www.gov.uk/a.pdf" } } }, t).links[0].title, "Agor yr atodiad");
});
