"""The scheduler's nightly backup into BACKUP_DIR: once a night after 02.30 Stockholm time, the last BACKUP_KEEP
kept, its outcome on the staff overview."""
from __future__ import annotations

from datetime import datetime, timedelta

from hti_comms import clock
from hti_comms.operations.models import NightlyBackup
from hti_comms.scheduling.localtime import stockholm_to_utc
from hti_comms.scheduling.sweeps import run_sweep

SWEEP = "operations.nightly_backup"


def backups(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_one_backup_a_night_after_half_past_two_keeping_the_last_ones(app, db, staff_login, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    suffix = ".sqlite3" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else ".pgdump"
    for day in range(1, 5):  # four older nights
        (folder / f"hti-2026-11-0{day}T023000{suffix}").write_bytes(b"old")
    (folder / "anteckningar.txt").write_text("not ours")
    app.config.update(BACKUP_DIR=str(folder), BACKUP_KEEP=3)

    clock.stop_at(stockholm_to_utc(datetime(2026, 12, 7, 2, 29)))
    assert run_sweep(SWEEP)
    assert db.session.get(NightlyBackup, "2026-12-07") is None and len(backups(folder)) == 5

    clock.stop_at(stockholm_to_utc(datetime(2026, 12, 7, 2, 31)))
    assert run_sweep(SWEEP)
    night = db.session.get(NightlyBackup, "2026-12-07")
    assert night.error is None and night.path == str(folder / f"hti-2026-12-07T023100{suffix}")
    assert night.size_bytes > 10_000
    assert backups(folder) == ["anteckningar.txt", f"hti-2026-11-03T023000{suffix}",
                               f"hti-2026-11-04T023000{suffix}", f"hti-2026-12-07T023100{suffix}"]

    clock.stop_at(stockholm_to_utc(datetime(2026, 12, 7, 4, 0)))
    assert run_sweep(SWEEP)
    assert len(backups(folder)) == 4  # the night is done: no second backup

    page = staff_login.get("/admin/").get_data(as_text=True)
    assert "Senaste säkerhetskopian gjordes" in page and f"hti-2026-12-07T023100{suffix}" in page
    assert "misslyckades" not in page


def test_a_failed_night_is_shown_on_the_staff_overview(app, db, staff_login, tmp_path):
    app.config.update(BACKUP_DIR=str(tmp_path / "saknas"))
    clock.stop_at(stockholm_to_utc(datetime(2026, 12, 7, 3, 0)))
    assert run_sweep(SWEEP)
    night = db.session.get(NightlyBackup, "2026-12-07")
    assert night.path is None and f"Mappen {tmp_path / 'saknas'} (BACKUP_DIR) finns inte" in night.error

    page = staff_login.get("/admin/").get_data(as_text=True)
    assert "Nattens säkerhetskopia misslyckades" in page and "finns inte" in page
    assert "Ingen säkerhetskopia har gjorts ännu" in page

    clock.stop_at(stockholm_to_utc(datetime(2026, 12, 7, 3, 0)) + timedelta(days=1))
    (tmp_path / "saknas").mkdir()
    assert run_sweep(SWEEP)
    page = staff_login.get("/admin/").get_data(as_text=True)
    assert "misslyckades" not in page and "Senaste säkerhetskopian gjordes" in page
