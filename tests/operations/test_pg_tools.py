"""PostgreSQL's client programs must be of the server's major version: a missing or other one is named, in Swedish,
with the Debian package to install."""
from __future__ import annotations

import shutil

import pytest

from hti_comms.operations.backup import BackupError
from hti_comms.operations.postgres_backup import tool


def test_a_pg_dump_of_another_major_version_is_named_with_the_package_to_install():
    if shutil.which("pg_dump") is None:
        pytest.skip("no pg_dump on this machine to be of the wrong version")
    with pytest.raises(BackupError) as refused:
        tool("pg_dump", 99)
    assert "är version" in str(refused.value) and "databasservern är version 99" in str(refused.value)
    assert "postgresql-client-99" in str(refused.value)


def test_a_missing_program_is_named(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BackupError) as refused:
        tool("pg_dump", 98)
    assert str(refused.value) == ("Programmet pg_dump saknas. Installera PostgreSQL:s klientprogram av samma version "
                                  "som databasservern (98), på Debian paketet postgresql-client-98.")
