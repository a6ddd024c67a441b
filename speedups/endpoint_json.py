"""Encode the JSON that Rasa posts to the action server with ujson instead of the json module.

Every custom action call (each form validation, each submission) posts the whole conversation to
the action server. aiohttp encodes that body with `json.dumps`, a visible share of the Rasa
server's CPU under `make bench` load (py-spy). ujson, which Rasa itself depends on, writes the
same JSON value several times faster for a long tracker; its text differs only in spacing and in
escaping "/" as "\\/", which every JSON reader decodes to the same value. Only the session's
encoder changes: headers, auth and timeout stay Rasa's. Installed with the others by speedups.install().
"""
from __future__ import annotations

import aiohttp
import ujson
from rasa.utils.endpoints import EndpointConfig

_original = EndpointConfig.session


def session(self: EndpointConfig) -> aiohttp.ClientSession:
    configured = _original(self)
    # aiohttp (3.9, pinned by Rasa 3.6) takes the encoder only as a constructor argument and keeps
    # it here; setting it keeps Rasa's construction of the session as it is.
    configured._json_serialize = ujson.dumps
    return configured


def install() -> None:
    EndpointConfig.session = session


def uninstall() -> None:
    EndpointConfig.session = _original
