"""Serves the web chat page: the page itself, its scripts and styles, GOV.UK Frontend's assets
and socket.io-client from node_modules (no CDN), and `/config.js` telling the page where the
Rasa socket.io server is. Standard library only: it runs in the Rasa venv or on any Python 3.8+.

The page is in English or Welsh (issue 22): `?lang=cy` / `?lang=en` (the links of the page's
language navigation) chooses, and a cookie (`plr_lang`, the language code and nothing else)
remembers the choice for the next visit or reload. Every string of the page, those its scripts
show included, is in `page/i18n/<language>.json`.

Usage: python webchat/server.py [--host 127.0.0.1] [--port 8080]
Settings from the environment (the stack passes .env): WEB_PORT, PUBLIC_BIND_HOST, RASA_PORT,
WEB_SOCKET_URL, HELPDESK_PHONE, HELPDESK_HOURS (HELPDESK_HOURS_CY in Welsh), SUPPORT_EMAIL,
TRACKER_RETENTION_DAYS and RETENTION_DAYS (the page's "How this chat uses your details" section
quotes the last three, as the assistant does: how long the chat keeps a conversation, and how
long the backend keeps a request after the LRS team closes it).
"""
from __future__ import annotations

import argparse
import html
import http.client
import json
import os
import re
import sys
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Mapping, Tuple
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
PAGE = HERE / "page"
I18N = PAGE / "i18n"
BUILD = HERE / "build"
MODULES = HERE / "node_modules"

# URL prefix -> folder. Nothing outside these folders is ever served.
STATIC_ROOTS = {
    "/js/": PAGE / "js",
    "/css/": BUILD,
    "/govuk/assets/": MODULES / "govuk-frontend" / "dist" / "govuk" / "assets",
}
SINGLE_FILES = {
    "/vendor/socket.io.esm.min.js": MODULES / "socket.io-client" / "dist" / "socket.io.esm.min.js",
}
REQUIRED = [BUILD / "app.css", I18N / "en.json", I18N / "cy.json", SINGLE_FILES["/vendor/socket.io.esm.min.js"],
            STATIC_ROOTS["/govuk/assets/"]]
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$")
CONTACTS_FILE = HERE.parent / "content" / "contacts.yml"
_CONTACT_LINE = re.compile(r'^(\w+):\s*\{\s*value:\s*"([^"]*)"', re.MULTILINE)


def reviewed_contacts() -> Dict[str, str]:
    """The reviewed values in content/contacts.yml, the one source the assistant's answers use too.
    Read with a pattern (one `key: {value: "..."}` a line) so this server needs no YAML library."""
    try:
        return dict(_CONTACT_LINE.findall(CONTACTS_FILE.read_text(encoding="utf-8")))
    except OSError:
        return {}


_REVIEWED = reviewed_contacts()
DEFAULT_PHONE = _REVIEWED.get("helpdesk_phone", "0345 602 2589")
DEFAULT_SUPPORT_EMAIL = _REVIEWED.get("support_email", "LRS.Support@education.gov.uk")
DEFAULT_RETENTION_DAYS = _REVIEWED.get("chat_retention_days", "30")
DEFAULT_REQUEST_RETENTION_DAYS = _REVIEWED.get("request_retention_days", "365")


def _setting(env: Dict[str, str], key: str, default: str) -> str:
    # As content/contacts.py reads them: .env files often quote values, and empty means unset.
    raw = (env.get(key) or "").strip().strip('"').strip("'").strip()
    return raw or default


# The staff console (console/) is served under /staff/ on this page's address: requests are
# passed to it on loopback and its answers (cookies, redirects, its own security headers) come
# back unchanged. Hop-by-hop headers stay on their own hop.
STAFF_PREFIX = "/staff"
STAFF_BODY_LIMIT = 64 * 1024
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "content-length", "server", "date"}
STAFF_REQUEST_HEADERS = ("Cookie", "Content-Type", "Accept", "Accept-Language", "User-Agent")


def proxy_to_console(handler: BaseHTTPRequestHandler, port: int) -> Tuple[int, bytes, list]:
    """(status, body, headers) of the console's answer to this request, or a 502/413 of our own."""
    length = int(handler.headers.get("Content-Length") or 0)
    if length > STAFF_BODY_LIMIT:
        return 413, b"Request too large\n", [("Content-Type", "text/plain; charset=utf-8")]
    body = handler.rfile.read(length) if length else None
    headers = {k: handler.headers[k] for k in STAFF_REQUEST_HEADERS if handler.headers.get(k)}
    headers.update({"Host": handler.headers.get("Host", ""), "X-Forwarded-Proto": "http",
                    "X-Forwarded-For": handler.client_address[0]})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)
    try:
        connection.request(handler.command, handler.path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read(), [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP]
    except OSError:
        return 502, b"The staff console is not running.\n", [("Content-Type", "text/plain; charset=utf-8")]
    finally:
        connection.close()


class Settings:
    def __init__(self, env: Dict[str, str]) -> None:
        self.rasa_port = int(env.get("RASA_PORT") or 5005)
        self.socket_url = (env.get("WEB_SOCKET_URL") or "").strip().rstrip("/")
        self.helpdesk_phone = (env.get("HELPDESK_PHONE") or DEFAULT_PHONE).strip()
        self.helpdesk_hours = (env.get("HELPDESK_HOURS") or "").strip()
        self.console_port = int(env.get("CONSOLE_PORT") or 8070)
        self.support_email = _setting(env, "SUPPORT_EMAIL", DEFAULT_SUPPORT_EMAIL)
        self.chat_retention_days = _setting(env, "TRACKER_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
        # The backend's setting: a closed request is deleted this many days later.
        self.request_retention_days = _setting(env, "RETENTION_DAYS", DEFAULT_REQUEST_RETENTION_DAYS)
        # Opening hours in Welsh; without them the Welsh page quotes HELPDESK_HOURS, marked English.
        self.helpdesk_hours_cy = (env.get("HELPDESK_HOURS_CY") or "").strip()

    def socket_origin(self, host_header: str) -> str | None:
        """Where the page's socket connects: WEB_SOCKET_URL, else the Rasa port on the host the
        browser used for this page (so localhost, 127.0.0.1 and a LAN name all work)."""
        if self.socket_url:
            return self.socket_url
        match = _HOST.match(host_header or "")
        if not match:
            return None
        return f"http://{match.group(1)}:{self.rasa_port}"


def tel_href(phone: str) -> str:
    digits = re.sub(r"[^\d+]", "", phone)
    return f"tel:{digits}"


# ------------------------------------------------------------------------------ languages
LANGUAGES = ("en", "cy")
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "plr_lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 86400
PRIVACY_NOTICE_URL = "https://www.gov.uk/government/publications/lrs-privacy-notices"
_TOKEN = re.compile(r"\{(\w+)\}")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def page_text(language: str) -> dict:
    """The page's strings in one language: `page` (filled in here) and `chat` (the scripts')."""
    return json.loads((I18N / f"{language}.json").read_text(encoding="utf-8"))


def chosen_language(query: str, cookie_header: str | None) -> Tuple[str, bool]:
    """(language, chosen now): `?lang=` wins, then the cookie, then English. `chosen now` says
    the cookie should be (re)set."""
    asked = (parse_qs(query).get("lang") or [""])[0].strip().lower()
    if asked in LANGUAGES:
        return asked, True
    if cookie_header:
        cookie = SimpleCookie()
        try:
            cookie.load(cookie_header)
        except CookieError:
            return DEFAULT_LANGUAGE, False
        morsel = cookie.get(LANGUAGE_COOKIE)
        if morsel is not None and morsel.value in LANGUAGES:
            return morsel.value, False
    return DEFAULT_LANGUAGE, False


def language_cookie(language: str, secure: bool) -> str:
    """Only the language code: no identifier, nothing personal. Lax, so following a link to the
    page from elsewhere keeps the language."""
    cookie = (f"{LANGUAGE_COOKIE}={language}; Path=/; Max-Age={LANGUAGE_COOKIE_MAX_AGE}; "
              "SameSite=Lax; HttpOnly")
    return cookie + "; Secure" if secure else cookie


def fill(template: str, fragments: Mapping[str, str]) -> str:
    """A string from the i18n files as HTML: its text escaped, then each `{name}` replaced by
    the (already safe) HTML fragment of that name."""
    def fragment(match: re.Match) -> str:
        if match.group(1) not in fragments:
            raise KeyError(f"no fragment {{{match.group(1)}}} for the page text {template!r}")
        return fragments[match.group(1)]

    return _TOKEN.sub(fragment, html.escape(template))


def _link(href: str, text: str) -> str:
    return f'<a class="govuk-link" href="{html.escape(href)}">{html.escape(text)}</a>'


def language_navigation(language: str, labels: Mapping[str, str], nav_label: str) -> str:
    """GOV.UK Frontend's Language navigation: the current language is text with aria-current,
    the other a real link (`?lang=`), so switching works without JavaScript."""
    items = []
    for code in LANGUAGES:
        name = html.escape(labels[code])
        if code == language:
            item = (f'<span class="govuk-language-navigation__text" aria-current="true" '
                    f'lang="{code}">{name}</span>')
        else:
            item = (f'<a class="govuk-language-navigation__link" href="?lang={code}" rel="alternate" '
                    f'lang="{code}" hreflang="{code}">{name}</a>')
        items.append(f'      <li class="govuk-language-navigation__list-item">{item}</li>')
    return (f'<nav class="govuk-language-navigation govuk-!-margin-top-3 govuk-!-margin-bottom-0" '
            f'aria-label="{html.escape(nav_label)}">\n'
            f'    <ul class="govuk-language-navigation__list">\n' + "\n".join(items) +
            '\n    </ul>\n  </nav>')


def script_json(value: object) -> str:
    """JSON safe inside a <script type="application/json"> element (no "</script>" can end it)."""
    return (json.dumps(value, ensure_ascii=False)
            .replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def render_page(settings: Settings, language: str = DEFAULT_LANGUAGE) -> bytes:
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    text = page_text(language)
    strings = text["page"]
    # The opening hours are a setting, in English unless HELPDESK_HOURS_CY gives them in Welsh.
    if language == "cy" and settings.helpdesk_hours_cy:
        hours = html.escape(settings.helpdesk_hours_cy)
    elif language != "en" and settings.helpdesk_hours:
        hours = f'<span lang="en">{html.escape(settings.helpdesk_hours)}</span>'
    else:
        hours = html.escape(settings.helpdesk_hours)
    fragments = {
        "helpdesk_link": _link(tel_href(settings.helpdesk_phone), settings.helpdesk_phone),
        "email_link": _link(f"mailto:{settings.support_email}", settings.support_email),
        "retention_days": html.escape(settings.chat_retention_days),
        "request_retention_days": html.escape(settings.request_retention_days),
        "privacy_notice_link": _link(PRIVACY_NOTICE_URL, strings["privacy_notice_link_text"]),
    }
    fragments["hours"] = fill(strings["hours"], {"hours": hours}) if hours else ""
    values = {key: fill(value, fragments) for key, value in strings.items()}
    names = {code: page_text(code)["language_name"] for code in LANGUAGES}
    values.update({
        "LANG": language,
        "LANGUAGE_NAVIGATION": language_navigation(language, names, strings["language_nav_label"]),
        "CHAT_TEXT_JSON": script_json(text["chat"]),
    })
    page = (PAGE / "index.html").read_text(encoding="utf-8")

    def value(match: re.Match) -> str:
        if match.group(1) not in values:
            raise KeyError(f"index.html names {{{{{match.group(1)}}}}}, which no i18n file has")
        return values[match.group(1)]

    return _PLACEHOLDER.sub(value, page).encode("utf-8")


def config_module(settings: Settings, socket_origin: str) -> bytes:
    config = {
        "socketUrl": socket_origin,
        "socketPath": "/socket.io",
        "helpdeskPhone": settings.helpdesk_phone,
        "helpdeskHours": settings.helpdesk_hours,
        # Sent when a new conversation starts, so the assistant greets first.
        "initPayload": "/greet",
        "maxMessageChars": 1000,
    }
    return f"export default Object.freeze({json.dumps(config)});\n".encode()


def websocket_origin(origin: str) -> str:
    parts = urlsplit(origin)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}"


def security_headers(socket_origin: str | None) -> Dict[str, str]:
    connect = "'self'"
    if socket_origin:
        connect += f" {socket_origin} {websocket_origin(socket_origin)}"
    return {
        # Defence in depth behind the widget's text-only rendering: no inline script at all.
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"font-src 'self'; connect-src {connect}; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def resolve_static(path: str) -> Path | None:
    if path in SINGLE_FILES:
        return SINGLE_FILES[path]
    for prefix, root in STATIC_ROOTS.items():
        if not path.startswith(prefix):
            continue
        relative = path[len(prefix):]
        if not relative or any(part.startswith(".") or part == "" for part in relative.split("/")):
            return None
        candidate = (root / relative).resolve()
        try:
            candidate.relative_to(root.resolve())
        except ValueError:
            return None
        return candidate if candidate.is_file() else None
    return None


class Handler(BaseHTTPRequestHandler):
    server_version = "plr-webchat"
    sys_version = ""
    settings: Settings

    def _send(self, status: int, body: bytes, content_type: str, headers: Dict[str, str] | None = None,
              cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._send(status, (message + "\n").encode(), "text/plain; charset=utf-8",
                   {"X-Content-Type-Options": "nosniff"})

    def _route(self) -> Tuple[int, bytes, str, Dict[str, str], str]:
        path = urlsplit(self.path).path
        socket_origin = self.settings.socket_origin(self.headers.get("Host", ""))
        headers = security_headers(socket_origin)
        if path == "/healthz":
            return 200, b'{"status": "ok"}', "application/json", {}, "no-store"
        if socket_origin is None:
            return 400, b"Bad Host header\n", "text/plain; charset=utf-8", {}, "no-store"
        if path in ("/", "/index.html"):
            language, chosen = chosen_language(urlsplit(self.path).query, self.headers.get("Cookie"))
            headers = {**headers, "Content-Language": language, "Vary": "Cookie"}
            if chosen:
                secure = (self.headers.get("X-Forwarded-Proto") or "").strip().lower() == "https"
                headers["Set-Cookie"] = language_cookie(language, secure)
            return 200, render_page(self.settings, language), CONTENT_TYPES[".html"], headers, "no-store"
        if path == "/config.js":
            return 200, config_module(self.settings, socket_origin), CONTENT_TYPES[".js"], headers, "no-store"
        file = resolve_static(path)
        if file is None:
            return 404, b"Not found\n", "text/plain; charset=utf-8", headers, "no-store"
        content_type = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        return 200, file.read_bytes(), content_type, headers, "no-cache"

    def _staff(self) -> bool:
        """Pass /staff/... to the console; True when this request was one of those."""
        path = urlsplit(self.path).path
        if path == STAFF_PREFIX:
            self._send(308, b"", "text/plain; charset=utf-8", {"Location": STAFF_PREFIX + "/"})
            return True
        if not path.startswith(STAFF_PREFIX + "/"):
            return False
        status, body, headers = proxy_to_console(self, self.settings.console_port)
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        present = {key.lower() for key, _ in headers}
        for key, value in (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                           ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-store")):
            if key.lower() not in present:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return True

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self._staff():
            return
        status, body, content_type, headers, cache = self._route()
        self._send(status, body, content_type, headers, cache)

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def _not_allowed(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802 - only the staff console takes forms
        if not self._staff():
            self._not_allowed()

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed  # noqa: N815

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        # Method, path and status only: no query strings, no headers.
        sys.stderr.write(f"{self.command} {urlsplit(self.path).path} {args[1] if len(args) > 1 else ''}\n")


def missing_files() -> list:
    return [str(path.relative_to(HERE)) for path in REQUIRED if not path.exists()]


def main(argv: list | None = None) -> int:
    env = dict(os.environ)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=env.get("PUBLIC_BIND_HOST") or env.get("BIND_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(env.get("WEB_PORT") or 8080))
    args = parser.parse_args(argv)
    missing = missing_files()
    if missing:
        print(f"The web chat is not built ({', '.join(missing)} missing): run scripts/setup_webchat.sh "
              "(make setup does).", file=sys.stderr)
        return 1
    Handler.settings = Settings(env)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"Web chat on http://{args.host}:{args.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
