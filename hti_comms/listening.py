"""Where the web app listens, and why it matters once TRUSTED_PROXIES is set.

With `TRUSTED_PROXIES=1` the app takes the client's address from the last `X-Forwarded-For` entry, which the TLS
proxy writes. Whoever reaches the app's own port directly, past the proxy, writes that header themselves and
chooses the address the rate limits count (a new one for every guess at a password). So behind the proxy the app
listens only where the proxy alone reaches it: 127.0.0.1 (or a Unix socket) on the proxy's machine.

The app cannot see this from a request (gunicorn puts the Host header in SERVER_NAME, not the bound address), so
gunicorn asks when it has bound its sockets: `gunicorn.conf.py` in the project root, which gunicorn reads when it
is started there, calls `bind_warnings` and logs what it returns. `hti dev` always listens on 127.0.0.1.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable


def is_this_machine_only(family: int, address) -> bool:
    """Return whether a socket bound to `address` can only be reached from this machine."""
    if family == getattr(socket, "AF_UNIX", None):
        return True
    host = str(address[0]).split("%", 1)[0]  # an IPv6 scope ("fe80::1%eth0") says nothing about reach
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if getattr(ip, "ipv4_mapped", None) is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def describe(family: int, address) -> str:
    """Return a bound address as people write it: 0.0.0.0:8000, [::]:8000, unix:/run/hti.sock."""
    if family == getattr(socket, "AF_UNIX", None):
        return f"unix:{address}"
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def bind_warnings(bound: Iterable[tuple[int, object]], trusted_proxies: int) -> list[str]:
    """Return a warning for each (family, address) others can reach while proxy headers are believed."""
    if trusted_proxies < 1:
        return []
    return [f"!!! TRUSTED_PROXIES={trusted_proxies} but the web app listens on {describe(family, address)}, which "
            "other machines can reach: whoever connects there directly writes X-Forwarded-For and chooses the "
            "address the rate limits count. Bind to 127.0.0.1 behind the proxy (gunicorn -b 127.0.0.1:8000) !!!"
            for family, address in bound if not is_this_machine_only(family, address)]
