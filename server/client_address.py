"""Who sent a request: the peer, or behind a trusted reverse proxy the client it names.

Behind a reverse proxy every request comes from the proxy's address, so the failed-login
throttle would count every device as one guesser and the log would name the proxy. The proxy
says whom it forwards for in ``X-Forwarded-For`` (``client, proxy1, proxy2``, each hop
appending the address it got the request from). That header is believed only from a peer in
``NTS_TRUSTED_PROXIES``, and read from the right: the last hop that is not itself a trusted
proxy is the client (anything left of it was written by the client and proves nothing).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.requests import HTTPConnection

__all__ = ["ClientAddress", "client_address"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class ClientAddress:
    """``host`` counts logins and ties sessions; ``shown`` is what the log says."""

    host: str
    shown: str


def _trusted(host: str, networks: Iterable[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def client_address(request: HTTPConnection, trusted: tuple[Network, ...]) -> ClientAddress:
    """The client of ``request``, believing X-Forwarded-For only from ``trusted`` peers."""
    client = request.client
    if client is None:
        return ClientAddress("unknown address", "unknown peer")
    peer = f"[{client.host}]:{client.port}" if ":" in client.host else (
        f"{client.host}:{client.port}"
    )
    if not trusted or not _trusted(client.host, trusted):
        return ClientAddress(client.host, peer)
    hops = [
        hop.strip()
        for value in request.headers.getlist("x-forwarded-for")
        for hop in value.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if _trusted(hop, trusted):
            continue
        try:
            host = str(ipaddress.ip_address(hop))
        except ValueError:
            break  # garbage where an address belongs: the proxy's own address is all we know
        return ClientAddress(host, f"{host} (via {peer})")
    return ClientAddress(client.host, peer)
