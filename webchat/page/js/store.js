// The conversation kept in sessionStorage: it survives a reload of this tab and ends with it.
// The server keeps the real state (form position, slots); this is only what was on screen.
const KEY = "plr-chat";
const MAX_MESSAGES = 300;

// `language` is the language the page last asked the conversation for (issue 22): the greeting's,
// or the page's when the learner switched it, so a switch is sent once.
export function load() {
  try {
    const saved = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
    if (saved && typeof saved.token === "string" && Array.isArray(saved.messages)) return saved;
  } catch {
    // unreadable or blocked storage: start fresh
  }
  return { token: null, messages: [], language: null };
}

// A learner's answers to personal questions and the assistant's read-backs stay on screen but
// are never written to storage (a shared computer keeps sessionStorage while the tab is open).
// What is stored instead is this marker; the view shows it in the page's language.
export const HIDDEN_TEXT = "(Personal details are not kept on this device.)";

function forStorage(message) {
  return message.personal ? { who: message.who, text: HIDDEN_TEXT, replies: [], links: [], personal: true } : message;
}

export function save(state) {
  try {
    const messages = state.messages.slice(-MAX_MESSAGES).map(forStorage);
    const language = state.language || null;
    window.sessionStorage.setItem(KEY, JSON.stringify({ token: state.token, messages, language }));
  } catch {
    // storage full or blocked: the chat still works, only a reload loses the history
  }
}

export function clear() {
  try {
    window.sessionStorage.removeItem(KEY);
  } catch {
    // nothing to clear
  }
}
