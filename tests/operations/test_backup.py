"""`hti backup OUT` while the worker sends and the scheduler sweeps; `hti restore IN [--force]` into an empty
database gives back every table; a non-empty database and a damaged file are refused and nothing changes."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select

from hti_comms.delivery.models import OutboxMessage, OutboxStatus
from tests.conftest import fresh_database
from tests.delivery.helpers import enqueue_people, slow_sink_running
from tests.processes import FlaskProcess, wait_until

from .helpers import flask_command, snapshot, table_count

pytestmark = pytest.mark.slow


@pytest.fixture
def slow_sink():
    """A few milliseconds per message, like a real relay, so the backup lands in the middle of the send."""
    with slow_sink_running(0.01) as sink:
        yield sink


def sent_count(url: str) -> tuple[int, int]:
    """Return (rows, sent rows) of the outbox in the database at `url`."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            total = connection.scalar(select(func.count()).select_from(OutboxMessage))
            sent = connection.scalar(select(func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.status == OutboxStatus.SENT))
            return total, sent
    finally:
        engine.dispose()


def backend(app) -> str:
    return "sqlite" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql"


def test_a_backup_made_while_sending_and_sweeping_restores_every_table(app, db, runner, tmp_path, slow_sink):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    total = 300
    enqueue_people(total)
    db.session.remove()
    worker = FlaskProcess(["hti", "send-worker"], url, tmp_path / "worker.log", SMTP_HOST="127.0.0.1",
                          SMTP_PORT=slow_sink.port, SMTP_POOL_SIZE=1, SEND_BATCH_SIZE=20)
    scheduler = FlaskProcess(["hti", "scheduler"], url, tmp_path / "scheduler.log")
    try:
        wait_until(lambda: len(slow_sink.raw_messages) >= 30, timeout=120, message="the worker sending")
        sent_before = sent_count(url)[1]
        result = runner.invoke(args=["hti", "backup", str(tmp_path / "live.bak")])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("Säkerhetskopian är skriven: ")
        sent_after = sent_count(url)[1]
        assert sent_after < total, "the send was over before the backup: nothing was tested while it ran"

        with fresh_database(backend(app), tmp_path) as target:
            restored = flask_command(["hti", "restore", str(tmp_path / "live.bak")], target)
            assert restored.returncode == 0, restored.stdout + restored.stderr
            assert "har den senaste versionen" in restored.stdout
            rows, sent = sent_count(target)
            assert rows == total                         # one moment's state: every row of the send is there
            assert sent_before <= sent <= sent_after     # … as it was while the backup ran
    finally:
        codes = worker.stop(), scheduler.stop()
    assert codes == (0, 0), worker.output + scheduler.output
    assert "Traceback" not in worker.output + scheduler.output

    # Now quiet: a backup restored into an empty database equals the source, table by table.
    result = runner.invoke(args=["hti", "backup", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = result.output.split(": ", 1)[1].rsplit(" (", 1)[0]
    with fresh_database(backend(app), tmp_path) as target:
        restored = flask_command(["hti", "restore", written], target)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        source, copy = snapshot(url), snapshot(target)
        assert source.keys() == copy.keys() and len(source) > 40
        for name in source:
            assert copy[name] == source[name], name
        assert source["outbox_message"][0] == total and source["municipality"][0] == 290


def test_restore_refuses_a_database_that_is_not_empty(app, db, runner, tmp_path):
    enqueue_people(3)
    result = runner.invoke(args=["hti", "backup", str(tmp_path / "copy.bak")])
    assert result.exit_code == 0, result.output
    enqueue_people(2, prefix="later")
    before = snapshot(app.config["SQLALCHEMY_DATABASE_URI"])
    db.session.remove()

    result = runner.invoke(args=["hti", "restore", str(tmp_path / "copy.bak")])
    assert result.exit_code == 1
    assert "Databasen är inte tom" in result.output and "--force" in result.output
    assert snapshot(app.config["SQLALCHEMY_DATABASE_URI"]) == before

    with fresh_database(backend(app), tmp_path) as target:
        assert flask_command(["hti", "init-db"], target).returncode == 0
        forced = flask_command(["hti", "restore", "--force", str(tmp_path / "copy.bak")], target)
        assert forced.returncode == 0, forced.stdout + forced.stderr
        assert snapshot(target)["outbox_message"][0] == 3


@pytest.mark.parametrize("damage", ["truncated", "corrupt", "not a backup"])
def test_a_damaged_backup_is_refused_in_swedish_and_changes_nothing(app, db, runner, tmp_path, damage):
    enqueue_people(50)
    result = runner.invoke(args=["hti", "backup", str(tmp_path / "whole.bak")])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "whole.bak").read_bytes()
    if damage == "truncated":
        data = data[: len(data) * 2 // 3]
    elif damage == "corrupt":
        middle = len(data) // 2
        data = data[:middle] + bytes(4096) + data[middle + 4096:]
    else:
        data = "kommunkod;index\n0180;97,9\n".encode()
    (tmp_path / "damaged.bak").write_bytes(data)

    with fresh_database(backend(app), tmp_path) as target:
        refused = flask_command(["hti", "restore", str(tmp_path / "damaged.bak")], target)
        assert refused.returncode == 1
        assert "Ingenting har ändrats i databasen" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
        assert table_count(target) == 0
    # Forced over a database in use, a damaged file changes nothing either.
    before = snapshot(app.config["SQLALCHEMY_DATABASE_URI"])
    db.session.remove()
    result = runner.invoke(args=["hti", "restore", "--force", str(tmp_path / "damaged.bak")])
    assert result.exit_code == 1 and "Ingenting har ändrats" in result.output
    assert snapshot(app.config["SQLALCHEMY_DATABASE_URI"]) == before
