"""The scheduler reads the bounce mailbox by IMAP when one is set (BOUNCE_IMAP_HOST): no cron job to forget."""
from __future__ import annotations

import logging

from flask import current_app

from ..scheduling.sweeps import sweep

log = logging.getLogger(__name__)


@sweep("bounces.imap_poll", every_seconds=60)
def imap_poll() -> int | None:
    """Read the bounce mailbox as `hti bounces poll` does; return how many messages were read (None: no mailbox).

    A mailbox that cannot be opened raises (ImapError, in Swedish): the scheduler logs it and tries again at the
    next turn. Messages are moved out of the folder only after their commit, so a poll that overlaps another one,
    or stops halfway, acts on each message once (known by its digest)."""
    if not current_app.config.get("BOUNCE_IMAP_HOST"):
        return None
    from .imap import poll

    lines = poll(current_app.config)
    if lines:
        log.info("the bounce mailbox had %s messages", len(lines))
    return len(lines)
