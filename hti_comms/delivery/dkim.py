"""Optional DKIM signing (dkimpy) when a private key is configured."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

#: Signed headers: the ones receivers check for list mail (RFC 8058 asks for List-Unsubscribe(-Post)).
SIGNED_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type",
                  b"list-unsubscribe", b"list-unsubscribe-post", b"list-id")


def signer_from_config(config: Mapping) -> Callable[[bytes], bytes] | None:
    """Return a function that prepends a DKIM-Signature to a message, or None when DKIM is not configured."""
    key_path = config.get("DKIM_PRIVATE_KEY_PATH")
    if not key_path:
        return None
    import dkim  # dkimpy takes a noticeable time to import: only a worker that signs pays it

    private_key = Path(key_path).read_bytes()
    selector = config["DKIM_SELECTOR"].encode("ascii")
    domain = config["DKIM_DOMAIN"].encode("ascii")

    def sign(message: bytes) -> bytes:
        present = {line.split(b":", 1)[0].strip().lower()
                   for line in message.split(b"\r\n\r\n", 1)[0].split(b"\r\n") if b":" in line}
        headers = [h for h in SIGNED_HEADERS if h in present]
        signature = dkim.sign(message, selector, domain, private_key, include_headers=headers,
                              linesep=b"\r\n")
        return signature + message

    return sign
