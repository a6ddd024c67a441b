"""Default-deny on the Rasa server: only the public routes answer callers from outside.

One Sanic app on one port serves what learners and Twilio need (socket.io, the voice webhook)
and what only staff tools, the console and tests use (the REST channel, `/webhooks/health/`,
`/webhooks/conversations/recent`, Rasa's own HTTP API). A bind beyond loopback, or a proxy
that passes on more than it should, would put all of them in front of anyone (security
review M2). So every request whose client is neither loopback nor inside `STAFF_NETWORKS` gets
403 `{"error": ...}` unless its path is one of `PUBLIC_PATHS`. A route added later, by this
project or by Rasa, is internal until someone adds it there.

The client is the address channels/client_address.py resolves: behind nginx on loopback (a
trusted proxy, `TRUSTED_PROXIES`) it is the learner's address from `X-Forwarded-For`, so a
request nginx passes on is judged by where it came from, not by nginx's loopback address.
Paths are compared exactly, as Sanic routes them: a variant spelling is refused, never let in.

`STAFF_NETWORKS` (comma-separated addresses or networks, empty by default) admits staff who
reach the server over a VPN or an internal network. It is the only switch: an unset or empty
value means loopback only, and a bad entry stops the server rather than being skipped.

Installed once per app by the `before_server_start` listener that `guard()` adds to a channel's
blueprint (the REST and health channels call it), as channels/request_size.py adjusts the app.
Sanic routes a request and reads its body (at most `RASA_REQUEST_MAX_BYTES`) before request
middleware runs; an unknown path is a 404 whoever asks.
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import time
from typing import Callable, Iterable, List, Optional, Union

from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import client_address
from channels.client_address import ClientAddress, Network

logger = logging.getLogger(__name__)

# What the web page (webchat/page/js/chat.js: socket.io at `socketPath`) and Twilio (the voice
# webhook and its status callback, one URL) reach; nginx's public server passes on the same.
PUBLIC_PATHS = frozenset({
    "/socket.io/",
    "/socket.io",
    "/webhooks/twilio_voice/webhook",
})
REFUSED_MESSAGE = "this route is for staff networks only"
_CTX_KEY = "plr_internal_routes"
LOG_INTERVAL_SECONDS = 60.0


class RefusalLog:
    """A count of refusals, logged at most once per interval: a scan must not flood the log.
    Neither the address nor the path is logged (a path can hold a conversation id)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.count = 0
        self.last: Optional[float] = None

    def note(self) -> None:
        self.count += 1
        now = self.clock()
        if self.last is None or now - self.last >= LOG_INTERVAL_SECONDS:
            logger.warning("Refused %d request(s) for internal routes from outside loopback and "
                           "STAFF_NETWORKS.", self.count)
            self.count, self.last = 0, now


def parse_staff_networks(value: Optional[str]) -> List[Network]:
    networks: List[Network] = []
    for item in (value or "").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            # Skipping it would lock out the staff it was meant for without a word.
            raise ValueError(f"STAFF_NETWORKS: {item!r} is not an address or network") from exc
    return networks


def _address(text: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class InternalRoutes:
    """Which requests the server answers: public paths from anyone, the rest from loopback and
    the staff networks only."""

    def __init__(self, staff_networks: Iterable[Network], addresses: ClientAddress,
                 public_paths: Iterable[str] = PUBLIC_PATHS) -> None:
        self.staff_networks = list(staff_networks)
        self.addresses = addresses
        self.public_paths = frozenset(public_paths)

    @classmethod
    def from_env(cls) -> InternalRoutes:
        return cls(parse_staff_networks(os.environ.get("STAFF_NETWORKS")), client_address.default())

    def is_public(self, path: str) -> bool:
        return path in self.public_paths

    def is_staff_client(self, client: str) -> bool:
        """`client` as channels/client_address.py resolves it ("unknown" is nobody's)."""
        address = _address(client)
        if address is None:
            return False
        if address.is_loopback:
            return True
        return any(address.version == network.version and address in network
                   for network in self.staff_networks)

    def client_of(self, peer: Optional[str], forwarded_for: Optional[str]) -> str:
        return self.addresses.of(peer, forwarded_for)

    def allows(self, path: str, peer: Optional[str], forwarded_for: Optional[str]) -> bool:
        return self.is_public(path) or self.is_staff_client(self.client_of(peer, forwarded_for))


def forwarded_for(request: Request) -> Optional[str]:
    return client_address.forwarded_for(request.headers)


def install(app: Sanic, routes: Optional[InternalRoutes] = None) -> InternalRoutes:
    """Refuse outsiders on every internal route of `app`; a second call changes nothing."""
    installed = getattr(app.ctx, _CTX_KEY, None)
    if installed is not None:
        return installed
    routes = routes or InternalRoutes.from_env()
    refusals = RefusalLog()

    async def refuse_outsiders(request: Request) -> Optional[HTTPResponse]:
        if routes.allows(request.path, request.ip, forwarded_for(request)):
            return None
        refusals.note()
        return response.json({"error": REFUSED_MESSAGE}, status=403)

    app.register_middleware(refuse_outsiders, "request")
    # First of all request middleware: CORS answers preflights from its own middleware, and no
    # other middleware should do anything for a request that is refused.
    middleware = app.request_middleware
    if middleware and middleware[-1] is refuse_outsiders:
        middleware.pop()
        middleware.appendleft(refuse_outsiders)
    setattr(app.ctx, _CTX_KEY, routes)
    for network in routes.staff_networks:
        if network.prefixlen == 0:
            logger.warning("STAFF_NETWORKS contains %s: every address may use the internal routes.", network)
    logger.info("Internal routes answer loopback and %d staff network(s); public: %s.",
                len(routes.staff_networks), ", ".join(sorted(routes.public_paths)))
    return routes


def guard(blueprint: Blueprint) -> None:
    """Install the check from a channel's blueprint (any number of channels may; once per app)."""

    async def install_check(app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
        install(app)

    blueprint.listener("before_server_start")(install_check)
