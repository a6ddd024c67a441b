// Turns what the server sends into plain message records. Anything unexpected is dropped
// here, so the view only ever sees strings it will render as text.
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

// One bot_uttered payload: Rasa's text / quick_replies / buttons, an image or link attachment,
// or a custom payload using the same keys plus `links`.
export function fromBot(payload) {
  if (!payload || typeof payload !== "object") return null;
  const message = {
    who: "bot",
    text: str(payload.text),
    replies: replies(payload.quick_replies || payload.buttons),
    links: links(payload.links),
  };
  const attachment = payload.attachment;
  if (attachment && typeof attachment === "object") {
    const src = attachment.payload && (attachment.payload.src || attachment.payload.url);
    const href = safeHref(str(src));
    if (href) message.links.push({ title: str(attachment.payload.title) || "Open attachment", href });
  }
  if (!message.text && !message.replies.length && !message.links.length) return null;
  return message;
}

export function fromUser(text) {
  return { who: "user", text, replies: [], links: [] };
}

export function note(text) {
  return { who: "note", text, replies: [], links: [] };
}
