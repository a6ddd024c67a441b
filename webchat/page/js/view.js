// Builds the conversation's elements. Every string from the server or the learner goes in
// through textContent or as an attribute of an element built here: never as HTML.
// `t` gives the page's own words (speaker labels, hidden hints) in the page's language.
import { segments } from "./linkify.js";
import { HIDDEN_TEXT } from "./store.js";

const LABELS = { user: "who_user", bot: "who_bot", note: "who_note" };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The message's own words are marked with their language (lang="cy" on a Welsh reply) so a
// screen reader pronounces them right; the page's words around them keep the page's.
function inLanguage(node, lang) {
  if (lang) node.lang = lang;
  return node;
}

// Web pages open in a new tab (the conversation stays); mailto: and tel: hand over to the
// learner's mail or phone app, so they get no new tab and no hint saying so.
function link(text, href, t, kind = "web") {
  const a = el("a", "govuk-link", text);
  a.href = href;
  if (kind !== "web") return a;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  const hint = el("span", "govuk-visually-hidden", t("opens_in_new_tab"));
  hint.lang = document.documentElement.lang;
  a.append(hint);
  return a;
}

function paragraph(text, lang, t) {
  const p = inLanguage(el("p", "plr-msg__text"), lang);
  for (const piece of segments(text)) {
    p.append(piece.type === "link" ? link(piece.text, piece.href, t, piece.kind)
      : document.createTextNode(piece.text));
  }
  return p;
}

// One message. `onReply(reply)` is called when a quick-reply button is chosen.
export function renderMessage(message, onReply, t = (key) => key) {
  const item = el("div", `plr-msg plr-msg--${message.who}`);
  item.append(el("p", "plr-msg__who", t(LABELS[message.who] || LABELS.note)));
  // What storage kept of a personal message is the page's own marker, in the page's language.
  const hidden = message.personal && message.text === HIDDEN_TEXT;
  const lang = hidden ? null : message.lang;
  if (hidden) item.append(paragraph(t("personal_not_kept"), null, t));
  else if (message.text) item.append(paragraph(message.text, lang, t));
  for (const { title, href } of message.links || []) {
    const p = inLanguage(el("p", "plr-msg__text"), lang);
    p.append(link(title, href, t));
    item.append(p);
  }
  if (message.replies && message.replies.length && onReply) {
    const list = el("ul", "plr-msg__replies");
    list.setAttribute("aria-label", t("suggested_replies"));
    for (const reply of message.replies) {
      const li = el("li");
      const button = inLanguage(el("button", "govuk-button govuk-button--secondary", reply.title), lang);
      button.type = "button";
      button.addEventListener("click", () => onReply(reply));
      li.append(button);
      list.append(li);
    }
    item.append(list);
  }
  return item;
}

export function removeReplies(log) {
  for (const list of log.querySelectorAll(".plr-msg__replies")) list.remove();
}
