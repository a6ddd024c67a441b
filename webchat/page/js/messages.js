// Turns what the server sends into plain message records. Anything unexpected is dropped
// here, so the view only ever sees strings it will render as text.
import { knownLanguage } from "./i18n.js";
import { safeHref } from "./linkify.js";

const MAX_REPLIES = 12;

function str(value) {
  return typeof value === "string" ? value : "";
}

function replies(list) {
  if (!Array.isArray(list)) return [];
  return list
    .map((item) => ({ title: str(item && item.title).trim(), payload: str(item && item.payload) }))
    .filter((item) => item.title && item.payload)
    .slice(0, MAX_REPLIES);
}

function links(list) {
  if (!Array.isArray(list)) return [];
  return list
    .map((item) => ({ title: str(item && item.title).trim(), href: safeHref(str(item && item.url)) }))
    .filter((item) => item.title && item.href);
}

const PRIVACY_FLAGS = new Set(["shows", "asks", "end"]);

// One bot_uttered payload: Rasa's text / quick_replies / buttons, an image or link attachment,
// or a custom payload using the same keys plus `links`. `t` gives the page's own words.
export function fromBot(payload, t = (key) => key) {
  if (!payload || typeof payload !== "object") return null;
  const message = {
    who: "bot",
    text: str(payload.text),
    replies: replies(payload.quick_replies || payload.buttons),
    links: links(payload.links),
    // The assistant's replies say when they are in Welsh (channels/socketio_channel.py passes
    // content/nlg.py's `language`); any other reply is in English.
    lang: knownLanguage(payload.language) || "en",
  };
  // What the server says the page may keep (stores/redaction.py privacy_of_reply): "shows"
  // replies show a learner's details, "asks" replies ask for one (the answer is personal, the
  // question is not), and "end" means no request is open any more.
  if (PRIVACY_FLAGS.has(payload.privacy)) message.privacy = payload.privacy;
  const attachment = payload.attachment;
  if (attachment && typeof attachment === "object") {
    const src = attachment.payload && (attachment.payload.src || attachment.payload.url);
    const href = safeHref(str(src));
    if (href) message.links.push({ title: str(attachment.payload.title) || t("open_attachment"), href });
  }
  if (!message.text && !message.replies.length && !message.links.length) return null;
  return message;
}

// Shapes of a date, postcode, ULN or email typed where no question asked for one.
const DETAIL_SHAPES = new RegExp(
  [
    String.raw`(?<!\d)\d{1,4}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}(?!\d)`,
    String.raw`\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b`,
    String.raw`\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b`,
    String.raw`(?<!\d)[1-9](?:[\s\-]?\d){9}(?!\d)`,
    String.raw`[^\s@]+@[^\s@]+\.[^\s@]+`,
  ].join("|"),
  "i",
);

export function looksPersonal(text) {
  return DETAIL_SHAPES.test(text);
}

export function fromUser(text, personal = false) {
  const message = { who: "user", text, replies: [], links: [] };
  if (personal || looksPersonal(text)) message.personal = true;
  return message;
}

// A line of the page's own (a new conversation started ...), in the page's language `lang`.
export function note(text, lang) {
  const message = { who: "note", text, replies: [], links: [] };
  if (knownLanguage(lang)) message.lang = lang;
  return message;
}
