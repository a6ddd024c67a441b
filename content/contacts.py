"""The one source of every contact detail and figure the responses show.

`contacts.yml` holds each reviewed value and the setting that may override it for a
deployment (HELPDESK_PHONE, say). The Rasa server's NLG (content/nlg.py), the channels'
own texts, the web page and the action server all ask here, so changing a setting changes
every answer at once.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Mapping, Optional

import yaml

CONTACTS_FILE = Path(__file__).with_name("contacts.yml")


@dataclass(frozen=True)
class Contact:
    key: str
    value: str
    env: Optional[str] = None  # the setting that overrides the reviewed value
    fact: Optional[str] = None  # the docs/facts.yml statement the value comes from


@lru_cache(maxsize=1)
def reviewed() -> Dict[str, Contact]:
    """Every placeholder with its reviewed value, as contacts.yml lists them."""
    raw = yaml.safe_load(CONTACTS_FILE.read_text(encoding="utf-8")) or {}
    return {key: Contact(key, str(entry["value"]), entry.get("env"), entry.get("fact"))
            for key, entry in raw.items()}


def _setting(raw: Optional[str]) -> str:
    # .env files often quote values with spaces ("0345 602 2589"); shells and loaders differ.
    return (raw or "").strip().strip('"').strip("'").strip()


def value(key: str, environ: Optional[Mapping[str, str]] = None) -> str:
    """The value to show for `key`: its setting when set and not empty, else the reviewed value."""
    contact = reviewed()[key]
    environ = os.environ if environ is None else environ
    override = _setting(environ.get(contact.env)) if contact.env else ""
    return override or contact.value


def values(environ: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """Every placeholder's value, for filling responses."""
    return {key: value(key, environ) for key in reviewed()}
