// Builds the conversation's elements. Every string from the server or the learner goes in
// through textContent or as an attribute of an element built here: never as HTML.
import { segments } from "./linkify.js";

const LABELS = { user: "You", bot: "Assistant", note: "Chat" };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function link(text, href) {
  const a = el("a", "govuk-link", text);
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.append(el("span", "govuk-visually-hidden", " (opens in new tab)"));
  return a;
}

function paragraph(text) {
  const p = el("p", "plr-msg__text");
  for (const piece of segments(text)) {
    p.append(piece.type === "link" ? link(piece.text, piece.href) : document.createTextNode(piece.text));
  }
  return p;
}

// One message. `onReply(reply)` is called when a quick-reply button is chosen.
export function renderMessage(message, onReply) {
  const item = el("div", `plr-msg plr-msg--${message.who}`);
  item.append(el("p", "plr-msg__who", LABELS[message.who] || LABELS.note));
  if (message.text) item.append(paragraph(message.text));
  for (const { title, href } of message.links || []) {
    const p = el("p", "plr-msg__text");
    p.append(link(title, href));
    item.append(p);
  }
  if (message.replies && message.replies.length && onReply) {
    const list = el("ul", "plr-msg__replies");
    list.setAttribute("aria-label", "Suggested replies");
    for (const reply of message.replies) {
      const li = el("li");
      const button = el("button", "govuk-button govuk-button--secondary", reply.title);
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
