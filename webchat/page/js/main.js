// Entry point. If this module or its imports fail to load, the page keeps showing the
// helpdesk route it shows without JavaScript.
import config from "/config.js";
import { io } from "/vendor/socket.io.esm.min.js";
import { Chat } from "./chat.js";
import { pageLanguage } from "./i18n.js";

document.getElementById("no-chat").hidden = true;
document.getElementById("chat").hidden = false;
new Chat(document, config, io, pageLanguage(document)).start();
