"""`hti bounces poll`: read the bounce mailbox by IMAP (the standard library's imaplib).

Messages are fetched FETCH_CHUNK at a time without marking them read, processed a batch (services.BATCH) per
transaction, and only after the commit moved to the done folder, the whole batch in one command (MOVE, or COPY
+ delete when the server lacks MOVE): a message is never deleted unread. When a batch cannot be processed,
nothing of it is saved and its messages are tried one by one, so one that cannot be processed stays in the
mailbox for the next poll without holding back the others. A poll stopped between a commit and the move
leaves read messages in the mailbox; the next poll sees them as already processed (counted once) and moves them.
"""
from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Mapping

log = logging.getLogger(__name__)
_LITERAL = re.compile(rb"\{(\d+)\}$")
_UID = re.compile(rb"\bUID (\d+)")
#: Messages asked for in one FETCH: a round trip per message would cost more than reading it.
FETCH_CHUNK = 100
#: Bytes of messages held in memory before they are processed (returned messages can carry large originals).
BATCH_BYTES = 50_000_000


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


def _fetched(data: list) -> dict[bytes, bytes]:
    """Return {uid: message} from a UID FETCH answer (the UID may come before or after the message literal)."""
    found: dict[bytes, bytes] = {}
    waiting: bytes | None = None  # a message whose UID comes after it
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and _LITERAL.search(item[0] or b""):
            uid = _UID.search(item[0])
            if uid is not None:
                found[uid.group(1)] = item[1]
                waiting = None
            else:
                waiting = item[1]
        elif isinstance(item, bytes) and waiting is not None:
            uid = _UID.search(item)
            if uid is not None:
                found[uid.group(1)] = waiting
            waiting = None
    return found


def uid_set(uids: list[bytes]) -> str:
    """Return an IMAP sequence set for these UIDs, runs written as ranges ("3:7,9")."""
    numbers = sorted({int(uid) for uid in uids})
    runs: list[str] = []
    start = previous = None
    for number in numbers:
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            runs.append(str(start) if start == previous else f"{start}:{previous}")
        start = previous = number
    if start is not None:
        runs.append(str(start) if start == previous else f"{start}:{previous}")
    return ",".join(runs)


def _process_many(messages, source: str):
    from ..extensions import db
    from .services import process_many

    try:
        return process_many(messages, source=source)
    except Exception:
        db.session.rollback()  # nothing of the batch is saved
        raise


class _Mailbox:
    """The selected folder: moves what was processed to the done folder."""

    def __init__(self, connection: imaplib.IMAP4, done: str):
        self.connection, self.done = connection, done
        # Asked after the login: servers announce MOVE only to a logged-in client.
        capabilities = _check(connection.capability(), "frågade vad servern kan")[0].upper().split()
        self.can_move = b"MOVE" in capabilities
        self.deleted = False

    def move(self, uids: list[bytes]) -> None:
        if not uids:
            return
        which = uid_set(uids)
        if self.can_move:
            _check(self.connection.uid("MOVE", which, _quoted(self.done)), f"flyttade breven till {self.done}")
            return
        _check(self.connection.uid("COPY", which, _quoted(self.done)), f"kopierade breven till {self.done}")
        _check(self.connection.uid("STORE", which, "+FLAGS.SILENT", r"(\Deleted)"), "markerade breven")
        self.deleted = True


def poll(config: Mapping, process=None) -> list[str]:
    """Process every message in BOUNCE_IMAP_FOLDER, moving each to BOUNCE_IMAP_DONE_FOLDER; return one line
    per message (as `hti bounces receive` prints). `process(messages, source)` is services.process_many."""
    from .services import BATCH, Incoming

    process = process or _process_many
    connection = _connect(config)
    folder, done = config["BOUNCE_IMAP_FOLDER"], config["BOUNCE_IMAP_DONE_FOLDER"]
    lines: list[str] = []
    try:
        status, _data = connection.create(_quoted(done))  # NO when it exists already: that is fine
        _check(connection.select(_quoted(folder)), f"öppnade mappen {folder}")
        mailbox = _Mailbox(connection, done)
        uids = _check(connection.uid("SEARCH", None, "ALL"), "sökte efter brev")[0].split()
        pending: list[tuple[bytes, bytes]] = []
        for start in range(0, len(uids), FETCH_CHUNK):
            chunk = uids[start:start + FETCH_CHUNK]
            fetched = _fetched(_check(connection.uid("FETCH", uid_set(chunk), "(UID BODY.PEEK[])"),
                                      "hämtade brev"))
            pending.extend((uid, fetched[uid]) for uid in chunk if uid in fetched)
            if len(pending) >= BATCH or sum(len(raw) for _uid, raw in pending) >= BATCH_BYTES:
                lines.extend(_process_and_move(pending, mailbox, process, Incoming))
                pending = []
        lines.extend(_process_and_move(pending, mailbox, process, Incoming))
        if mailbox.deleted:
            connection.expunge()
    finally:
        try:
            connection.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return lines


def _process_and_move(pending: list[tuple[bytes, bytes]], mailbox: _Mailbox, process, incoming) -> list[str]:
    """Process the messages as one batch (one by one when the batch fails), then move those processed."""
    if not pending:
        return []
    try:
        results = process([incoming(raw) for _uid, raw in pending], source="imap")
    except Exception:  # noqa: BLE001 - nothing of the batch was saved: each is tried on its own
        log.exception("could not process %s IMAP messages together; trying them one by one", len(pending))
        results = []
        for uid, raw in pending:
            try:
                results.extend(process([incoming(raw)], source="imap"))
            except Exception:  # noqa: BLE001 - stays in the mailbox, read again by the next poll
                log.exception("could not process IMAP message %s; it stays in the mailbox", uid)
                results.append(None)
    mailbox.move([uid for (uid, _raw), result in zip(pending, results) if result is not None])
    return [f"imap {uid.decode()}: {result.line()}" if result is not None
            else f"imap {uid.decode()}: kunde inte behandlas, ligger kvar"
            for (uid, _raw), result in zip(pending, results)]
