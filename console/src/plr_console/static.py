"""GOV.UK Frontend's built CSS and assets from the web chat's node_modules (no CDN), and the
console's few extra styles. The CSS names its fonts under /assets/; here they live under
/staff/assets/, so the paths are rewritten once when the file is first read."""
from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from .settings import ROOT

GOVUK = ROOT / "webchat" / "node_modules" / "govuk-frontend" / "dist" / "govuk"
HERE = Path(__file__).parent
router = APIRouter()
CACHE = {"Cache-Control": "public, max-age=3600"}


@lru_cache(maxsize=1)
def govuk_css() -> bytes:
    text = (GOVUK / "govuk-frontend.min.css").read_text(encoding="utf-8")
    return text.replace("url(/assets/", "url(/staff/assets/").encode()


@router.get("/static/govuk.css", include_in_schema=False)
async def govuk_stylesheet() -> Response:
    return Response(govuk_css(), media_type="text/css", headers=CACHE)


@router.get("/static/console.css", include_in_schema=False)
async def console_stylesheet() -> Response:
    return Response((HERE / "static" / "console.css").read_bytes(), media_type="text/css", headers=CACHE)


@router.get("/assets/{folder}/{name}", include_in_schema=False)
async def asset(folder: str, name: str) -> Response:
    if folder not in ("fonts", "images") or name.startswith(".") or "/" in name:
        raise HTTPException(404)
    path = GOVUK / "assets" / folder / name
    if not path.is_file():
        raise HTTPException(404)
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(path.read_bytes(), media_type=media, headers=CACHE)
