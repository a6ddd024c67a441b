// The page's language (English or Welsh) and what follows from it. The server renders the page
// in the language the learner chose (webchat/server.py) and puts the strings the scripts show
// in a JSON data element, from page/i18n/<language>.json: none are written here.

export const LANGUAGES = ["en", "cy"];
export const DEFAULT_LANGUAGE = "en";

// What the page sends, hidden from the transcript, when the learner changes the page's
// language during a conversation: the assistant carries on in that language and says so.
const SWITCH_PAYLOADS = { en: "/choose_english", cy: "/choose_welsh" };

export function knownLanguage(value) {
  return LANGUAGES.includes(value) ? value : null;
}

// { lang, text } of the page: `text` maps each key of page/i18n/*.json's "chat" section.
export function pageLanguage(doc) {
  const lang = knownLanguage(doc.documentElement.lang) || DEFAULT_LANGUAGE;
  let text = {};
  try {
    text = JSON.parse(doc.getElementById("chat-text").textContent) || {};
  } catch {
    // unreadable: the keys are shown instead of the words, and the chat still works
  }
  return { lang, text };
}

// `{name}` in a string replaced by values[name].
export function format(template, values = {}) {
  return String(template).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// A translator: t("too_long", { max: 1000 }). A missing key shows as itself.
export function translator(text) {
  return (key, values) => format(key in text ? text[key] : key, values);
}

// The greeting that opens a conversation: the configured payload, with the page's language as
// the `language` entity when it is not English (a Rasa payload: /greet{"language":"cy"}).
export function greetingPayload(base, lang) {
  if (!base || lang === DEFAULT_LANGUAGE || !knownLanguage(lang)) return base;
  return `${base}${JSON.stringify({ language: lang })}`;
}

// What to send when a conversation resumes on this page, or null. `told` is the language the
// page last asked the conversation for (the greeting's, or an earlier switch's; none stored
// means the English greeting). Only a change of the page's own language since then switches,
// so a reload does not undo a language the learner chose by writing in it.
export function languageSwitch(lang, told) {
  if (!knownLanguage(lang) || lang === (knownLanguage(told) || DEFAULT_LANGUAGE)) return null;
  return SWITCH_PAYLOADS[lang];
}
