"""Raw HTTP for edge tests: exact paths and bodies, and a chosen loopback source address."""
from __future__ import annotations

import http.client
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit


def raw(url: str, method: str = "GET", path: Optional[str] = None, body: bytes = b"",
        headers: Optional[Dict[str, str]] = None, source: Optional[str] = None,
        timeout: float = 60.0) -> Tuple[int, Dict[str, str], bytes]:
    """Send one request exactly as given (no path normalising) from `source` (127.0.0.x)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                            source_address=(source, 0) if source else None)
    try:
        target = path if path is not None else (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()
