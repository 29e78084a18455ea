"""SMTP PIPELINING (RFC 2920): against a relay that advertises it, MAIL, RCPT and DATA go in one write, and a refusal
in the group is handled as it is one command at a time.

The relay here answers a group only once its DATA has arrived: a client that waited for the reply to MAIL FROM
before sending RCPT TO would wait until its command timeout and send nothing.
"""
from __future__ import annotations

import socket
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus
from hti_comms.delivery.outbox import Recipient, enqueue
from hti_comms.delivery.services import is_suppressed
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db

from .helpers import sample_spec


class PipeliningRelay:
    """Advertises PIPELINING; refuses the recipient `nobody@…` (550); keeps messages per recipient.

    `data_without_recipients`: answer DATA with 354 even when no recipient was accepted (a server that should
    not, but might); the client must then not hand over a message."""

    def __init__(self, data_without_recipients: bool = False):
        self.data_without_recipients = data_without_recipients
        self.kept: Counter[str] = Counter()
        #: The commands of each group the relay answered, in order.
        self.groups: list[list[bytes]] = []
        self.empty_messages = 0
        #: What the client wrote after a 354 in the transactions it left without a final dot.
        self.unfinished: list[list[bytes]] = []
        self._lock = threading.Condition()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self) -> None:
        self._listener.close()
        with self._lock:
            for connection in self._connections:
                connection.close()

    def unfinished_transactions(self, count: int) -> list[list[bytes]]:
        """Return the unfinished transactions once there are `count` (the relay notices a closed connection in
        its own thread, after the client has moved on)."""
        with self._lock:
            self._lock.wait_for(lambda: len(self.unfinished) >= count, timeout=10)
            return list(self.unfinished)

    def _accept(self) -> None:
        while True:
            try:
                connection, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        try:
            self._conversation(connection, reader)
        except OSError:
            pass
        finally:
            reader.close()
            connection.close()

    def _conversation(self, connection: socket.socket, reader) -> None:
        connection.sendall(b"220 relay ESMTP\r\n")
        while True:
            line = reader.readline()
            command = line[:4].upper()
            if not line or command == b"QUIT":
                return
            if command == b"EHLO":
                connection.sendall(b"250-relay\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            elif command == b"MAIL":
                if not self._transaction(connection, reader, line):
                    return
            else:  # RSET, NOOP
                connection.sendall(b"250 OK\r\n")

    def _transaction(self, connection: socket.socket, reader, mail: bytes) -> bool:
        """Read the group up to DATA, answer it at once, then take the message; return whether to go on."""
        group, replies, recipients = [mail[:4]], [b"250 OK\r\n"], []
        while group[-1] != b"DATA":
            line = reader.readline()
            if not line:
                return False
            group.append(line[:4].upper())
            if group[-1] == b"RCPT":
                address = line.split(b"<", 1)[1].split(b">", 1)[0].decode().lower()
                if address.startswith("nobody@"):
                    replies.append(b"550 5.1.1 No such user\r\n")
                else:
                    recipients.append(address)
                    replies.append(b"250 OK\r\n")
        with self._lock:
            self.groups.append(group)
        if not recipients and not self.data_without_recipients:
            connection.sendall(b"".join(replies) + b"554 5.5.1 No valid recipients\r\n")
            return True
        connection.sendall(b"".join(replies) + b"354 go ahead\r\n")
        lines = []
        while (line := reader.readline()) != b".\r\n":
            if not line:
                with self._lock:
                    self.unfinished.append(lines)
                    self._lock.notify_all()
                return False  # the client went away before the final dot: nothing is kept
            lines.append(line)
        with self._lock:
            if recipients:
                self.kept.update(recipients)
            else:
                self.empty_messages += 1
        connection.sendall(b"250 OK: kept\r\n")
        return True


@pytest.fixture
def pipelining_relay(app, request):
    relay = PipeliningRelay(**getattr(request, "param", {}))
    # A client that does not pipeline would wait for the reply to MAIL FROM until this runs out, and fail.
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=relay.port, SMTP_SECURITY="none", SMTP_POOL_SIZE=1,
                      SMTP_COMMAND_TIMEOUT=5.0)
    yield relay
    relay.stop()


def statuses() -> dict[str, OutboxStatus]:
    db.session.expire_all()
    return {row.email.split("@")[0]: row.status for row in db.session.scalars(select(OutboxMessage))}


def test_the_commands_of_each_message_go_in_one_group_and_a_refused_recipient_fails_as_before(app, db,
                                                                                              pipelining_relay):
    names = ["first", "nobody", "second", "third"]
    enqueue(sample_spec(list_key="nyhetsbrev"), [Recipient(f"{name}@example.se", name) for name in names])
    db.session.commit()
    assert deliver_due() == 3
    assert statuses() == {"first": OutboxStatus.SENT, "nobody": OutboxStatus.FAILED, "second": OutboxStatus.SENT,
                          "third": OutboxStatus.SENT}
    assert pipelining_relay.kept == Counter({"first@example.se": 1, "second@example.se": 1, "third@example.se": 1})
    assert pipelining_relay.groups == [[b"MAIL", b"RCPT", b"DATA"]] * 4
    # The refusal is the recipient's (a hard bounce, suppressed), not the server's: the send goes on.
    refused = db.session.scalar(select(OutboxMessage).where(OutboxMessage.email == "nobody@example.se"))
    assert refused.last_error.startswith("550 5.1.1")
    assert is_suppressed("nobody@example.se")
    assert db.session.scalar(select(Send.status)) is not SendStatus.PAUSED


@pytest.mark.parametrize("pipelining_relay", [{"data_without_recipients": True}], indirect=True)
def test_a_server_that_wants_data_after_refusing_the_recipient_gets_no_message(app, db, pipelining_relay):
    enqueue(sample_spec(), [Recipient("nobody@example.se"), Recipient("after@example.se")])
    db.session.commit()
    assert deliver_due() == 1
    assert statuses() == {"nobody": OutboxStatus.FAILED, "after": OutboxStatus.SENT}
    assert pipelining_relay.empty_messages == 0
    assert pipelining_relay.kept == Counter({"after@example.se": 1})
    # It closed the connection at once: nothing it wrote (such as an RSET) was taken for the message's lines.
    assert pipelining_relay.unfinished_transactions(1) == [[]]


def test_a_message_that_cannot_be_built_in_a_pipelined_group_is_never_handed_over(app, db, pipelining_relay,
                                                                                   tmp_path):
    broken_key = tmp_path / "dkim.pem"
    broken_key.write_text("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n")
    app.config.update(DKIM_PRIVATE_KEY_PATH=str(broken_key), DKIM_SELECTOR="hti", DKIM_DOMAIN="spfseniorerna.se")
    enqueue(sample_spec(), [Recipient(f"person{n}@example.se") for n in range(5)])
    db.session.commit()
    assert deliver_due() == 0
    # As without pipelining: failures, and after three in a row the send is paused with the others waiting.
    assert Counter(statuses().values()) == {OutboxStatus.FAILED: 3, OutboxStatus.QUEUED: 2}
    assert db.session.scalar(select(Send.status)) is SendStatus.PAUSED
    assert pipelining_relay.kept == Counter() and pipelining_relay.empty_messages == 0
    assert len(pipelining_relay.groups) == 3
