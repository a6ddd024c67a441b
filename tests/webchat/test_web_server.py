"""The web chat's page server (webchat/server.py), run as a real process on a free port."""
from __future__ import annotations

import html
import http.client
import json
import re
import sys
from pathlib import Path

import pytest

from testkit.ports import free_port
from testkit.process import Service, running

ROOT = Path(__file__).resolve().parents[2]
RASA_PORT = 45999


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    if not (ROOT / "webchat" / "build" / "app.css").exists():
        pytest.fail("The web chat is not built: run scripts/setup_webchat.sh (make setup does).")
    port = free_port()
    env = {"RASA_PORT": str(RASA_PORT), "HELPDESK_PHONE": "0345 602 2589", "HELPDESK_HOURS": "",
           "WEB_SOCKET_URL": ""}
    service = Service("web", [sys.executable, str(ROOT / "webchat" / "server.py"), "--port", str(port)],
                      tmp_path_factory.mktemp("web") / "web.log", env=env, cwd=ROOT)
    with running(service, f"http://127.0.0.1:{port}/healthz", timeout=30):
        yield port


def get(port: int, path: str, method: str = "GET", host: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {**({"Host": host} if host is not None else {}), **(headers or {})}
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


def test_page_without_crown_with_helpdesk_and_strict_headers(web):
    status, headers, body = get(web, "/", host=f"localhost:{web}")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "0345 602 2589" in page and 'href="tel:03456022589"' in page
    assert "{{" not in page, "every placeholder is filled"
    assert "crown" not in page.lower() and "govuk-logo" not in page and "govuk-header__logotype" not in page
    assert 'lang="en"' in page
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert f"http://localhost:{RASA_PORT}" in csp and f"ws://localhost:{RASA_PORT}" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_config_points_the_socket_at_rasa_on_the_pages_host(web):
    for host in (f"localhost:{web}", f"127.0.0.1:{web}"):
        status, headers, body = get(web, "/config.js", host=host)
        assert status == 200 and headers["Content-Type"].startswith("text/javascript")
        config = json.loads(re.search(r"Object\.freeze\((.*)\);", body.decode()).group(1))
        assert config["socketUrl"] == f"http://{host.split(':')[0]}:{RASA_PORT}"
        assert config["helpdeskPhone"] == "0345 602 2589"


def test_assets_come_from_node_modules_and_the_build(web):
    for path, kind in [("/css/app.css", "text/css"), ("/js/main.js", "text/javascript"),
                       ("/vendor/socket.io.esm.min.js", "text/javascript")]:
        status, headers, body = get(web, path)
        assert status == 200 and headers["Content-Type"].startswith(kind), path
        assert body
    status, _, css = get(web, "/css/app.css")
    assert b"GDS Transport" not in css, "the GOV.UK typeface is only for GOV.UK services"


@pytest.mark.parametrize("path", [
    "/js/../server.py", "/js/..%2fserver.py", "/css/../../.env", "/js/", "/govuk/assets/../../package.json",
    "/node_modules/govuk-frontend/package.json", "/server.py", "/.env", "/js/.hidden",
])
def test_nothing_outside_the_served_folders(web, path):
    status, _, body = get(web, path)
    assert status == 404, (path, body[:80])


def test_only_get_and_head(web):
    assert get(web, "/", method="POST")[0] == 405
    status, _, body = get(web, "/", method="HEAD", host=f"localhost:{web}")
    assert status == 200 and body == b""


def test_a_malformed_host_header_is_refused(web):
    status, _, body = get(web, "/", host="evil.example/<script>")
    assert status == 400 and b"Host" in body


# --- the chat's own privacy information on the page ------------------------------------------------
def _page_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("webchat_server", ROOT / "webchat" / "server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _section_text(page: str, element_id: str) -> str:
    match = re.search(rf'<(section|p)\b[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"no #{element_id} on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).replace(" .", ".").split())


def _chat_privacy_answer(values: dict) -> str:
    import yaml

    from content.readability import plain_text

    responses = yaml.safe_load((ROOT / "domain" / "faq.yml").read_text(encoding="utf-8"))["responses"]
    text = next(v["text"] for v in responses["utter_faq/chat_privacy"] if not v.get("channel"))
    return plain_text(text, values)


def test_the_page_says_what_the_assistant_says_about_this_chat_with_the_configured_figures():
    server = _page_module()
    env = {"TRACKER_RETENTION_DAYS": "7", "RETENTION_DAYS": "90", "SUPPORT_EMAIL": "help@lrs.example.org",
           "HELPDESK_PHONE": "0345 000 0000"}
    page = server.render_page(server.Settings(env)).decode()
    section = html.unescape(_section_text(page, "chat-privacy"))
    answer = _chat_privacy_answer({"chat_retention_days": "7", "request_retention_days": "90",
                                   "support_email": "help@lrs.example.org",
                                   "helpdesk_phone": "0345 000 0000"})
    missing = [s for s in re.split(r"(?<=[.!?])\s+", answer) if s not in section]
    assert missing == [], f"the page's section leaves out: {missing}"
    assert "7 days after your last message" in section and "{{" not in page
    assert "keeps a request for 90 days after closing it" in section
    assert 'href="mailto:help@lrs.example.org"' in page


def test_the_privacy_link_sits_under_the_message_box_and_the_line_does_not_promise_a_look_up():
    server = _page_module()
    page = server.render_page(server.Settings({})).decode()
    form_end = page.index("</form>")
    link = page.index('href="#chat-privacy"')
    assert form_end < link < page.index('id="start-again"'), "the link comes straight after the message box"
    assert re.search(r'<a [^>]*href="#chat-privacy"[^>]*>How this chat uses your details</a>', page)
    line = _section_text(page, "privacy")
    assert "so that the LRS team can find your record" in line and "only to find" not in line


def test_the_pages_defaults_are_the_reviewed_contact_values():
    from content import contacts

    server = _page_module()
    settings = server.Settings({})
    reviewed = contacts.reviewed()
    assert settings.helpdesk_phone == reviewed["helpdesk_phone"].value
    assert settings.support_email == reviewed["support_email"].value
    assert settings.chat_retention_days == reviewed["chat_retention_days"].value
    assert settings.request_retention_days == reviewed["request_retention_days"].value
    page = server.render_page(settings).decode()
    assert f'keeps a request for {reviewed["request_retention_days"].value} days' in page


def test_the_page_quotes_the_backends_retention_setting_in_both_languages():
    server = _page_module()
    for days in ("90", "400"):
        settings = server.Settings({"RETENTION_DAYS": days})
        english = _section_text(server.render_page(settings, "en").decode(), "chat-privacy")
        welsh = _section_text(server.render_page(settings, "cy").decode(), "chat-privacy")
        assert f"keeps a request for {days} days after closing it" in english
        assert f"yn cadw cais am {days} diwrnod ar ôl ei gau" in welsh


# --- the page in English and Welsh (issue 22) -----------------------------------------------------
def _welsh(web, path="/?lang=cy", headers=None):
    status, response_headers, body = get(web, path, host=f"localhost:{web}", headers=headers)
    assert status == 200
    return response_headers, body.decode()


def test_lang_cy_renders_the_page_in_welsh_and_remembers_it_in_a_cookie(web):
    headers, page = _welsh(web)
    assert '<html lang="cy"' in page and headers["Content-Language"] == "cy"
    assert "<title>Gofyn am eich Cofnod Dysgu Personol" in page
    assert ">Neges</label>" in page and ">Anfon</button>" in page
    assert ">Dechrau eto</button>" in page and ">Siarad â pherson</button>" in page
    assert 'aria-label="Sgwrs"' in page and "{{" not in page
    assert "Learning Records Service assistant" not in page and "Talk to a person" not in page
    cookie = headers["Set-Cookie"]
    assert cookie.startswith("plr_lang=cy;") and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "HttpOnly" in cookie and "Secure" not in cookie and "Max-Age=31536000" in cookie
    assert "Cookie" in headers["Vary"]
    # Without ?lang= the cookie chooses, and nothing is set again.
    headers, page = _welsh(web, "/", {"Cookie": "other=1; plr_lang=cy"})
    assert '<html lang="cy"' in page and "Set-Cookie" not in headers
    # ?lang=en wins over the cookie and replaces it.
    headers, page = _welsh(web, "/?lang=en", {"Cookie": "plr_lang=cy"})
    assert '<html lang="en"' in page and headers["Set-Cookie"].startswith("plr_lang=en;")


@pytest.mark.parametrize("path, cookie", [
    ("/?lang=fr", None), ("/?lang=<script>", None), ("/", "plr_lang=fr"), ("/", "plr_lang=\"cy"),
    ("/", 'plr_lang="<b>"'), ("/?lang=", "garbage;;=="),
])
def test_anything_but_en_or_cy_gives_the_english_page_and_sets_nothing(web, path, cookie):
    headers, page = _welsh(web, path, {"Cookie": cookie} if cookie else None)
    assert '<html lang="en"' in page and "Set-Cookie" not in headers and "<script>" not in page.split("</head>")[1]


def test_the_cookie_is_secure_behind_a_tls_proxy(web):
    headers, _ = _welsh(web, "/?lang=cy", {"X-Forwarded-Proto": "https"})
    assert headers["Set-Cookie"].endswith("; Secure")


def test_the_language_navigation_follows_the_gov_uk_pattern(web):
    for lang, other, current_name, other_name, label in [("en", "cy", "English", "Cymraeg", "Choose a language"),
                                                         ("cy", "en", "Cymraeg", "English", "Dewis iaith")]:
        _, page = _welsh(web, f"/?lang={lang}")
        nav = re.search(r'<nav class="govuk-language-navigation[^"]*" aria-label="([^"]+)">(.*?)</nav>', page, re.S)
        assert nav and nav.group(1) == label
        assert re.search(rf'<span [^>]*aria-current="true" lang="{lang}">{current_name}</span>', nav.group(2))
        link = re.search(r"<a ([^>]*)>([^<]*)</a>", nav.group(2))
        assert link.group(2) == other_name
        for attribute in (f'href="?lang={other}"', f'lang="{other}"', f'hreflang="{other}"', 'rel="alternate"'):
            assert attribute in link.group(1), attribute
        assert nav.group(2).count("aria-current") == 1 and nav.group(2).count("<a ") == 1


def test_the_scripts_strings_are_inline_data_in_the_pages_language_and_cannot_end_the_element():
    server = _page_module()
    for lang in ("en", "cy"):
        page = server.render_page(server.Settings({}), lang).decode()
        data = re.search(r'<script type="application/json" id="chat-text">(.*?)</script>', page, re.S).group(1)
        assert json.loads(data) == server.page_text(lang)["chat"]
    assert json.loads(data)["empty_message"] == "Rhowch neges"
    escaped = server.script_json({"x": "</script><script>alert(1)</script>&"})
    assert "<" not in escaped and ">" not in escaped and "&" not in escaped
    assert json.loads(escaped) == {"x": "</script><script>alert(1)</script>&"}


def test_the_welsh_privacy_section_quotes_the_same_settings_and_links():
    server = _page_module()
    env = {"TRACKER_RETENTION_DAYS": "7", "RETENTION_DAYS": "90", "SUPPORT_EMAIL": "help@lrs.example.org",
           "HELPDESK_PHONE": "0345 000 0000"}
    page = server.render_page(server.Settings(env), "cy").decode()
    section = _section_text(page, "chat-privacy")
    assert "7 diwrnod ar ôl eich neges olaf" in section.replace("&#x27;", "'")
    assert "cadw cais am 90 diwrnod ar ôl ei gau" in section.replace("&#x27;", "'")
    assert 'href="mailto:help@lrs.example.org"' in page and 'href="tel:03450000000"' in page
    notice = "https://www.gov.uk/government/publications/lrs-privacy-notices"
    assert f'href="{notice}">hysbysiad preifatrwydd yr LRS</a>' in page
    line = _section_text(page, "privacy")
    assert "Gwasanaeth Cofnodion Dysgu (LRS)" in line and "Adran Addysg y DU (DfE)" in line


def test_the_welsh_page_says_what_the_assistant_says_in_welsh_about_this_chat():
    import yaml

    from content.readability import plain_text

    welsh_faq = ROOT / "content" / "cy" / "faq.yml"
    if not welsh_faq.exists():
        pytest.skip("no Welsh responses yet (content/cy/faq.yml)")
    responses = yaml.safe_load(welsh_faq.read_text(encoding="utf-8"))["responses"]
    text = next(v["text"] for v in responses["utter_faq/chat_privacy"] if not v.get("channel"))
    answer = plain_text(text, {"chat_retention_days": "7", "request_retention_days": "90",
                               "support_email": "help@lrs.example.org",
                               "helpdesk_phone": "0345 000 0000"})
    server = _page_module()
    env = {"TRACKER_RETENTION_DAYS": "7", "RETENTION_DAYS": "90", "SUPPORT_EMAIL": "help@lrs.example.org",
           "HELPDESK_PHONE": "0345 000 0000"}
    section = html.unescape(_section_text(server.render_page(server.Settings(env), "cy").decode(), "chat-privacy"))
    missing = [s for s in re.split(r"(?<=[.!?])\s+", answer) if s not in section]
    assert missing == [], f"the Welsh page's section leaves out: {missing}"


def test_opening_hours_in_welsh_come_from_their_own_setting_or_are_marked_english():
    server = _page_module()
    page = server.render_page(server.Settings({"HELPDESK_HOURS": "Monday to Friday, 9am to 5pm"}), "cy").decode()
    assert 'Mae ar agor <span lang="en">Monday to Friday, 9am to 5pm</span>.' in page
    page = server.render_page(server.Settings({"HELPDESK_HOURS": "Monday to Friday, 9am to 5pm",
                                               "HELPDESK_HOURS_CY": "dydd Llun i ddydd Gwener, 9am i 5pm"}),
                              "cy").decode()
    assert "Mae ar agor dydd Llun i ddydd Gwener, 9am i 5pm." in page and "Monday" not in page
    page = server.render_page(server.Settings({"HELPDESK_HOURS": "Monday to Friday, 9am to 5pm"}), "en").decode()
    assert "It is open Monday to Friday, 9am to 5pm." in page
    page = server.render_page(server.Settings({}), "cy").decode()
    assert "Mae ar agor" not in page


def test_page_strings_are_escaped_and_their_placeholders_are_the_only_markup():
    server = _page_module()
    assert server.fill("Tom & <b>Jerry</b> {x}", {"x": "<i>ok</i>"}) == "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt; <i>ok</i>"
    with pytest.raises(KeyError):
        server.fill("{missing}", {})
