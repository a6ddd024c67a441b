"""Small stdlib clients for Rasa's REST channel and HTTP API, and the backend's staff API.

Rasa's REST channel answers 200 with [] when processing fails, so callers decide what an
empty reply means; this module only reports what came back.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional


class HttpError(RuntimeError):
    def __init__(self, url: str, status: Optional[int], detail: str) -> None:
        super().__init__(f"{url}: {status or 'no answer'} {detail}".strip())
        self.status = status


def _redact(url: str) -> str:
    """Never print a token that travels in a query string."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.urlencode([(k, "***" if k == "token" else v)
                                    for k, v in urllib.parse.parse_qsl(parts.query)])
    return urllib.parse.urlunsplit(parts._replace(query=query))


def request_json(url: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
                 timeout: float = 30.0, raw: bool = False) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
    except urllib.error.HTTPError as exc:
        raise HttpError(_redact(url), exc.code, exc.read()[:300].decode(errors="replace")) from None
    except (urllib.error.URLError, OSError) as exc:
        raise HttpError(_redact(url), None, str(getattr(exc, "reason", exc))) from None
    return payload.decode() if raw else json.loads(payload or b"null")


class RasaClient:
    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def send(self, sender: str, text: str) -> List[Dict[str, Any]]:
        replies = request_json(f"{self.url}/webhooks/rest/webhook", {"sender": sender, "message": text},
                               timeout=self.timeout)
        return replies or []

    def _api(self, path: str, **params: str) -> str:
        if not self.token:
            raise HttpError(f"{self.url}{path}", None, "needs RASA_API_TOKEN (Rasa's --auth-token)")
        query = urllib.parse.urlencode({"token": self.token, **params})
        return f"{self.url}{path}?{query}"

    def tracker(self, sender: str) -> Dict[str, Any]:
        return request_json(self._api(f"/conversations/{urllib.parse.quote(sender, safe='')}/tracker"),
                            timeout=self.timeout)

    def story(self, sender: str, all_sessions: bool = False) -> str:
        url = self._api(f"/conversations/{urllib.parse.quote(sender, safe='')}/story",
                        all_sessions=str(all_sessions).lower())
        return request_json(url, timeout=self.timeout, raw=True)

    def status(self) -> Dict[str, Any]:
        return request_json(self._api("/status"), timeout=self.timeout)


class StaffClient:
    """The backend's staff API (read only here): requests by reference or by conversation."""

    def __init__(self, url: str, key: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout

    def _get(self, path: str) -> Any:
        return request_json(f"{self.url}{path}", headers={"Authorization": f"Bearer {self.key}"},
                            timeout=self.timeout)

    def request(self, reference: str) -> Dict[str, Any]:
        return self._get(f"/v1/requests/{urllib.parse.quote(reference)}")

    def requests_of(self, conversation_id: str, limit: int = 200) -> List[Dict[str, Any]]:
        """Every stored request of one conversation (the list is paged with a cursor)."""
        found, cursor = [], None
        while True:
            query = f"limit={limit}" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
            page = self._get(f"/v1/requests?{query}")
            found += [item for item in page.get("items", []) if item.get("conversation_id") == conversation_id]
            cursor = page.get("next_cursor")
            if not cursor:
                return found
