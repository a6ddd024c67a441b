// The chat controller: connects to Rasa's socket.io channel, keeps the conversation across
// reloads, and keeps the learner told what is happening (typing, connection, errors), in the
// page's language; and keeps the assistant in the language of the page (issue 22).
import { greetingPayload, languageSwitch, translator } from "./i18n.js";
import { fromBot, fromUser, note } from "./messages.js";
import * as store from "./store.js";
import { removeReplies, renderMessage } from "./view.js";

const TYPING_TIMEOUT_MS = 30000;
const OK_STATUS_MS = 6000;

export class Chat {
  // `language` is i18n.js's pageLanguage(): { lang, text } of the page the server rendered.
  constructor(doc, config, io, language) {
    this.config = config;
    this.io = io;
    this.lang = language.lang;
    this.t = translator(language.text);
    this.log = doc.getElementById("chat-log");
    this.status = doc.getElementById("chat-status");
    this.typing = doc.getElementById("chat-typing");
    this.form = doc.getElementById("chat-form");
    this.input = doc.getElementById("message");
    this.group = doc.getElementById("message-group");
    this.error = doc.getElementById("message-error");
    this.helpdesk = doc.getElementById("helpdesk");
    this.helpdeskToggle = doc.getElementById("talk-to-person");
    this.startAgainButton = doc.getElementById("start-again");
    this.state = store.load();
    this.outbox = [];
    this.ready = false;
    this.connectedOnce = false;
    this.lost = false;
    this.startingAgain = false;
    this.greeted = this.state.messages.length > 0;
  }

  start() {
    this.renderAll();
    this.keepLatestInView();
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitTyped();
    });
    this.startAgainButton.addEventListener("click", () => this.startAgain());
    this.helpdeskToggle.addEventListener("click", () => this.toggleHelpdesk());
    this.connect();
    return this;
  }

  // ------------------------------------------------------------------ connection
  connect() {
    this.socket = this.io(this.config.socketUrl, {
      path: this.config.socketPath,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
    });
    this.socket.on("connect", () => this.onConnect());
    this.socket.on("session_confirm", (token) => this.onSession(token));
    this.socket.on("bot_uttered", (payload) => this.onBotMessage(payload));
    this.socket.on("chat_error", (error) => this.onChatError(error));
    this.socket.on("disconnect", (reason) => this.onDisconnect(reason));
    this.socket.on("connect_error", () => this.onConnectError());
  }

  onConnect() {
    if (this.lost) this.say(this.t("connected_again"), "ok");
    else if (this.status.classList.contains("plr-chat__status--problem")) this.say("");
    this.lost = false;
    this.connectedOnce = true;
    this.socket.emit("session_request", {
      session_id: this.startingAgain ? null : this.state.token,
      start_again: this.startingAgain,
    });
  }

  onSession(token) {
    if (typeof token !== "string") return;
    const resumed = this.state.token && token === this.state.token;
    if (this.state.token && !resumed && !this.startingAgain) {
      // The server could not resume the old conversation (for example after a restart with
      // a new secret): say so rather than show a history the assistant no longer has.
      this.clearConversation();
      this.greeted = false;
      this.addMessage(note(this.t("previous_ended"), this.lang));
    }
    this.startingAgain = false;
    this.state.token = token;
    store.save(this.state);
    this.ready = true;
    if (!this.greeted && this.config.initPayload) {
      // A new conversation: the assistant greets first, in the page's language.
      this.greeted = true;
      this.tellLanguage(greetingPayload(this.config.initPayload, this.lang));
    } else if (this.greeted) {
      // A conversation resumed after the learner changed the page's language: the assistant
      // follows, once, without a message from the learner on screen.
      const payload = languageSwitch(this.lang, this.state.language);
      if (payload) this.tellLanguage(payload);
      else this.rememberLanguage();
    }
    this.flush();
  }

  tellLanguage(payload) {
    this.rememberLanguage();
    this.showTyping();
    this.outbox.unshift(payload);
  }

  rememberLanguage() {
    if (this.state.language === this.lang) return;
    this.state.language = this.lang;
    store.save(this.state);
  }

  onDisconnect(reason) {
    this.ready = false;
    if (reason === "io client disconnect") return;
    this.lost = true;
    this.hideTyping();
    this.say(this.t("connection_lost"), "problem");
  }

  onConnectError() {
    if (this.lost) return;
    this.say(this.t("not_available", { phone: this.config.helpdeskPhone }), "problem");
  }

  flush() {
    while (this.ready && this.socket.connected && this.outbox.length) {
      this.socket.emit("user_uttered", { message: this.outbox.shift(), session_id: this.state.token });
    }
  }

  // ------------------------------------------------------------------ messages
  onBotMessage(payload) {
    const message = fromBot(payload, this.t);
    if (!message) return;
    this.hideTyping();
    if (message.privacy === "shows") message.personal = true;
    if (message.privacy === "end") this.forgetRequest();
    // The learner's next message answers a question about their details, or corrects a
    // read-back: either way it is not kept on the device.
    this.answering = message.privacy === "asks" || message.privacy === "shows";
    this.addMessage(message);
  }

  // The request is over: nothing typed for it is kept in storage, even what did not look
  // personal when it was sent ("I'm Sam Hughes" in the message that opened the request).
  forgetRequest() {
    for (let index = this.state.messages.length - 1; index >= 0; index -= 1) {
      const message = this.state.messages[index];
      if (message.privacy === "end") break;
      if (message.who === "user") message.personal = true;
    }
  }

  onChatError(error) {
    this.hideTyping();
    const reason = error && error.reason;
    if (reason === "too_long") {
      this.say(this.t("too_long", { max: this.config.maxMessageChars }), "problem");
    } else if (reason === "too_many_sessions") {
      // The server refused to start another conversation from this browser or network for now.
      this.ready = false;
      this.startingAgain = false;
      this.say(this.t("too_many_sessions", { phone: this.config.helpdeskPhone }), "problem");
    } else if (reason === "session") {
      this.ready = false;
      this.socket.emit("session_request", { session_id: this.state.token });
      this.say(this.t("session_error"), "problem");
    } else {
      this.say(this.t("processing_error", { phone: this.config.helpdeskPhone }), "problem");
    }
  }

  submitTyped() {
    const text = this.input.value.trim();
    if (!text) {
      this.showError(this.t("empty_message"));
      this.input.focus();
      return;
    }
    this.hideError();
    this.input.value = "";
    this.send(text, text);
    this.input.focus();
  }

  send(payload, shown) {
    removeReplies(this.log);
    this.addMessage(fromUser(shown, this.answering && !payload.startsWith("/")));
    this.outbox.push(payload);
    if (this.ready && this.socket.connected) {
      this.showTyping();
      this.flush();
    } else {
      this.say(this.t("not_connected"), "problem");
    }
  }

  addMessage(message) {
    this.state.messages.push(message);
    store.save(this.state);
    const item = renderMessage(message, (reply) => this.chooseReply(reply), this.t);
    this.log.append(item);
    this.scrollTo(item);
  }

  chooseReply(reply) {
    this.send(reply.payload, reply.title);
    this.input.focus();
  }

  renderAll() {
    const messages = this.state.messages;
    let lastUser = -1;
    messages.forEach((message, index) => {
      if (message.who === "user") lastUser = index;
    });
    const items = messages.map((message, index) =>
      renderMessage(message, index > lastUser ? (reply) => this.chooseReply(reply) : null, this.t),
    );
    this.log.replaceChildren(...items);
    if (items.length) this.scrollTo(items[items.length - 1]);
  }

  // When the page reflows (window resized, zoom, rotation), bring the newest message back
  // into view, unless the learner has scrolled the conversation themselves since it came.
  keepLatestInView() {
    this.following = true;
    const stop = () => {
      this.following = false;
    };
    for (const event of ["wheel", "touchmove", "keydown", "pointerdown"]) {
      this.log.addEventListener(event, stop, { passive: true });
    }
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => {
        const last = this.log.lastElementChild;
        if (this.following && last) this.scrollTo(last);
      }).observe(this.log);
    }
  }

  // The newest message's start stays in view, even when it is taller than the log.
  scrollTo(item) {
    this.following = true;
    const top = item.offsetTop; // the log is the messages' offsetParent (position: relative)
    const bottom = this.log.scrollHeight - this.log.clientHeight;
    this.log.scrollTop = Math.max(0, Math.min(top, bottom));
  }

  clearConversation() {
    this.state = { token: this.state.token, messages: [], language: null };
    this.outbox = [];
    this.log.replaceChildren();
    this.hideTyping();
  }

  // ------------------------------------------------------------------ controls
  startAgain() {
    this.clearConversation();
    this.state.token = null;
    store.clear();
    this.greeted = false;
    this.startingAgain = true;
    this.ready = false;
    this.hideError();
    this.input.value = "";
    if (this.socket.connected) {
      this.socket.emit("session_request", { session_id: null, start_again: true });
    }
    this.say(this.t("started_again"), "ok");
    this.input.focus();
  }

  toggleHelpdesk() {
    const open = this.helpdesk.hidden;
    this.helpdesk.hidden = !open;
    this.helpdeskToggle.setAttribute("aria-expanded", String(open));
    if (open) this.helpdesk.focus();
  }

  // ------------------------------------------------------------------ status lines
  say(text, kind) {
    clearTimeout(this.statusTimer);
    this.status.textContent = text;
    this.status.classList.toggle("plr-chat__status--problem", kind === "problem");
    this.status.classList.toggle("plr-chat__status--ok", kind === "ok");
    if (kind === "ok") this.statusTimer = setTimeout(() => this.say(""), OK_STATUS_MS);
  }

  showTyping() {
    clearTimeout(this.typingTimer);
    this.typing.textContent = this.t("typing");
    this.typing.classList.add("plr-chat__typing--active");
    this.typingTimer = setTimeout(() => this.hideTyping(), TYPING_TIMEOUT_MS);
  }

  hideTyping() {
    clearTimeout(this.typingTimer);
    this.typing.textContent = "";
    this.typing.classList.remove("plr-chat__typing--active");
  }

  showError(text) {
    this.error.replaceChildren();
    const hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = this.t("error_prefix");
    this.error.append(hidden, document.createTextNode(text));
    this.error.hidden = false;
    this.group.classList.add("govuk-form-group--error");
    this.input.classList.add("govuk-input--error");
    this.input.setAttribute("aria-describedby", "message-error");
  }

  hideError() {
    this.error.hidden = true;
    this.group.classList.remove("govuk-form-group--error");
    this.input.classList.remove("govuk-input--error");
    this.input.removeAttribute("aria-describedby");
  }
}
