"""`hti bounces poll`: read the bounce mailbox by IMAP (the standard library's imaplib).

Each message is fetched without marking it read, processed and committed, and only then moved to the done
folder (MOVE, or COPY + delete when the server lacks MOVE): a message is never deleted unread, and one that
could not be processed stays in the mailbox for the next poll.
"""
from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Mapping

log = logging.getLogger(__name__)
_LITERAL = re.compile(rb"\{(\d+)\}$")


class ImapError(Exception):
    """The mailbox cannot be read (settings, login, folder); the message is Swedish."""


def _connect(config: Mapping) -> imaplib.IMAP4:
    host, port, security = config["BOUNCE_IMAP_HOST"], config["BOUNCE_IMAP_PORT"], config["BOUNCE_IMAP_SECURITY"]
    if not host:
        raise ImapError("Ingen studsbrevlåda är inställd: sätt BOUNCE_IMAP_HOST, BOUNCE_IMAP_USER och "
                        "BOUNCE_IMAP_PASSWORD.")
    try:
        if security == "ssl":
            connection = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=60)
        else:
            connection = imaplib.IMAP4(host, port, timeout=60)
            if security == "starttls":
                connection.starttls(ssl.create_default_context())
        connection.login(config["BOUNCE_IMAP_USER"] or "", config["BOUNCE_IMAP_PASSWORD"] or "")
    except (OSError, imaplib.IMAP4.error) as exc:
        raise ImapError(f"Studsbrevlådan {host}:{port} gick inte att öppna: {exc}") from None
    return connection


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(result, what: str) -> list:
    status, data = result
    if status != "OK":
        raise ImapError(f"Studsbrevlådan svarade {status} när vi {what}: {data!r}")
    return data


def _message_bytes(data: list) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and _LITERAL.search(item[0] or b""):
            return item[1]
    return None


def poll(config: Mapping, process=None) -> list[str]:
    """Process every message in BOUNCE_IMAP_FOLDER, moving each to BOUNCE_IMAP_DONE_FOLDER; return one line
    per message (as `hti bounces receive` prints)."""
    if process is None:
        from .services import process
    connection = _connect(config)
    folder, done = config["BOUNCE_IMAP_FOLDER"], config["BOUNCE_IMAP_DONE_FOLDER"]
    lines = []
    try:
        status, _data = connection.create(_quoted(done))  # NO when it exists already: that is fine
        _check(connection.select(_quoted(folder)), f"öppnade mappen {folder}")
        # Asked again after the login: servers announce MOVE only to a logged-in client.
        can_move = b"MOVE" in _check(connection.capability(), "frågade vad servern kan")[0].upper().split()
        uids = _check(connection.uid("SEARCH", None, "ALL"), "sökte efter brev")[0].split()
        for uid in uids:
            data = _check(connection.uid("FETCH", uid, "(BODY.PEEK[])"), "hämtade ett brev")
            raw = _message_bytes(data)
            if raw is None:
                continue
            try:
                processed = process(raw, source="imap")
            except Exception:  # noqa: BLE001 - stays in the mailbox, read again by the next poll
                log.exception("could not process IMAP message %s; it stays in the mailbox", uid)
                lines.append(f"imap {uid.decode()}: kunde inte behandlas, ligger kvar")
                continue
            if can_move:
                _check(connection.uid("MOVE", uid, _quoted(done)), f"flyttade brevet till {done}")
            else:
                _check(connection.uid("COPY", uid, _quoted(done)), f"kopierade brevet till {done}")
                _check(connection.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"), "markerade brevet")
            lines.append(f"imap {uid.decode()}: {processed.line()}")
        if not can_move:
            connection.expunge()
    finally:
        try:
            connection.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return lines
