"""Body encoding shared by the renderer (personal lines encoded per message) and the MIME builder."""
from __future__ import annotations

import binascii

CRLF = b"\r\n"


def quoted_printable(text: str) -> bytes:
    """Return UTF-8 quoted-printable with CRLF line ends (binascii: fast, lines ≤ 76 octets)."""
    if "\r" in text:  # one scan, instead of two copies of every personal line of every message
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    data = text.encode("utf-8")
    return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False).replace(b"\n", CRLF)
