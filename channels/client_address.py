"""The client's address for per-address limits: the socket's peer, or, when the peer is a proxy
we trust, the right-most `X-Forwarded-For` entry that is not one of our proxies.

Right-most, not left-most: every proxy appends the address it saw, so only the entries added
by our own proxies can be believed; anything to their left was written by the client and can
be forged. When every entry is a trusted proxy (a test client on a loopback address behind
nginx, say), the left-most one is the client. `TRUSTED_PROXIES` is a comma-separated list of
addresses or networks; the default is loopback, where nginx runs in `make run-scaled`.
"""
from __future__ import annotations

import functools
import ipaddress
import os
from typing import Any, Iterable, List, Optional, Union

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
DEFAULT_TRUSTED = "127.0.0.0/8,::1"
UNKNOWN = "unknown"


def forwarded_for(headers: Any) -> Optional[str]:
    """Every `X-Forwarded-For` line of a Sanic request's headers, joined in order.

    A proxy may add its own header line instead of extending the client's: reading only the
    first line (what `headers.get` gives) would let the client's own, forgeable line decide."""
    values = headers.getall("x-forwarded-for", [])
    return ",".join(values) if values else None


def parse_networks(value: Optional[str]) -> List[Network]:
    networks: List[Network] = []
    for item in (value if value is not None else DEFAULT_TRUSTED).split(","):
        item = item.strip()
        if item:
            # A bad entry must stop the server: a silently dropped proxy would put every
            # learner behind it under one address.
            networks.append(ipaddress.ip_network(item, strict=False))
    return networks


@functools.lru_cache(maxsize=4096)  # parsing costs more than the rest of a request's checks
def _ip(text: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:1234"
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket: one client, one key.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


class ClientAddress:
    def __init__(self, trusted: Iterable[Network]) -> None:
        self.trusted = list(trusted)

    @classmethod
    def from_env(cls) -> ClientAddress:
        return cls(parse_networks(os.environ.get("TRUSTED_PROXIES")))

    def is_trusted(self, address: Union[ipaddress.IPv4Address, ipaddress.IPv6Address]) -> bool:
        return any(address in network for network in self.trusted)

    def of(self, peer: Optional[str], forwarded_for: Optional[str]) -> str:
        """The address to count a request against (a string, or "unknown")."""
        return self._of(peer or "", forwarded_for or "")

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one instance per server, kept for its life
    def _of(self, peer: str, forwarded_for: str) -> str:
        peer_ip = _ip(peer or "")
        if peer_ip is None:
            return UNKNOWN
        if not forwarded_for or not self.is_trusted(peer_ip):
            return str(peer_ip)
        hops = [_ip(part) for part in forwarded_for.split(",")]
        client = peer_ip
        for hop in reversed(hops):
            if hop is None:
                # Garbage where an address should be: stop at the last address we can name.
                break
            client = hop
            if not self.is_trusted(hop):
                break
        return str(client)


_default: Optional[ClientAddress] = None


def default() -> ClientAddress:
    global _default
    if _default is None:
        _default = ClientAddress.from_env()
    return _default
