"""The sends a worker has made ready to send: rendered once and their message skeleton encoded once, kept for the
claims that follow (the most recently used ones)."""
from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .mime import build_skeleton
from .models import Send
from .outbox import Attachment, describe_build_error
from .pool import PreparedSend
from .render import rendering_of

log = logging.getLogger("hti_comms.delivery.worker")
#: Sends kept ready between claims.
KEEP = 32
ID_CHUNK = 500


class PreparedSends:
    """The sends this worker has prepared, the `KEEP` used last."""

    def __init__(self, app: Flask):
        self.app = app
        self._kept: OrderedDict[int, PreparedSend] = OrderedDict()

    def of(self, send_ids: Iterable[int]) -> dict[int, PreparedSend | str]:
        """Return each send prepared, or a Swedish description of why it cannot be built. The sends not kept are
        read with their attachments in two queries, however many there are (a release starts hundreds at once)."""
        found: dict[int, PreparedSend | str] = {}
        missing = []
        for send_id in send_ids:
            prepared = self._kept.get(send_id)
            if prepared is None:
                missing.append(send_id)
            else:
                self._kept.move_to_end(send_id)
                found[send_id] = prepared
        for start in range(0, len(missing), ID_CHUNK):
            for send in db.session.scalars(select(Send).where(Send.id.in_(missing[start:start + ID_CHUNK]))
                                           .options(selectinload(Send.attachments))):
                found[send.id] = self._prepare(send)
        return found

    def _prepare(self, send: Send) -> PreparedSend | str:
        """Return the send rendered once, or a Swedish description of why it cannot be built."""
        try:
            rendered = rendering_of(send)
            attachments = tuple(Attachment(a.filename, a.content_type, a.data, a.content_id, a.is_personal)
                                for a in send.attachments)
            skeleton = build_skeleton(send_id=send.id, mail_from=self.app.config["MAIL_FROM"], subject=send.subject,
                                      list_key=send.list_key, list_name=(send.context or {}).get("list_name")
                                      or "Hemtjänstindex", attachments=attachments,
                                      reply_to=self.app.config["MAIL_REPLY_TO"])
        except Exception as exc:  # noqa: BLE001 - one broken send must never stop the others
            log.exception("send %s cannot be built; pausing it", send.id)
            return describe_build_error(send.template, exc)
        prepared = PreparedSend(rendered=rendered, skeleton=skeleton, list_key=send.list_key, template=send.template)
        self._kept[send.id] = prepared
        while len(self._kept) > KEEP:
            self._kept.popitem(last=False)
        return prepared
