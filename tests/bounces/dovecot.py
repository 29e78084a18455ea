"""A real IMAP server for the tests: Debian's dovecot with its own configuration in a temporary directory, on a
free port of 127.0.0.1 (no system service). Missing dovecot is a visible skip outside CI and a failure in CI."""
from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from hti_comms.delivery.sink import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "studs", "hemligt-for-prov"
START_TIMEOUT = 30.0

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {group}
default_login_user = {login_user}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    user = {user}
  }}
  unix_listener stats-writer {{
    user = {user}
  }}
}}
"""


def require(available: bool, message: str) -> None:
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must run the IMAP tests; `make imap` installs dovecot-imapd)")
    pytest.skip(message)


def start_dovecot(root: Path) -> tuple[subprocess.Popen, int]:
    """Start dovecot in the foreground with a configuration under `root`; return the process and its port."""
    require(Path(DOVECOT).exists(), "dovecot is missing (Debian package dovecot-imapd); the IMAP poll is not tested")
    import grp

    port = free_port()
    for name in ("run", "state", "mail", "home"):
        (root / name).mkdir(parents=True, exist_ok=True)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    import pwd

    user = getpass.getuser()
    mail_uid, mail_gid = ((pwd.getpwnam("dovecot").pw_uid, pwd.getpwnam("dovecot").pw_gid) if os.getuid() == 0
                          else (os.getuid(), os.getgid()))
    # Dovecot's login and internal processes refuse to run as root: as root they use Debian's own users.
    internal_user, login_user = ("dovecot", "dovenull") if os.getuid() == 0 else (user, user)
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, user=internal_user, internal_user=internal_user,
                                    login_user=login_user, group=grp.getgrgid(os.getgid()).gr_name,
                                    uid=mail_uid, gid=mail_gid, port=port))
    if os.getuid() == 0:
        os.chmod(root, 0o755)  # the unprivileged login processes reach the sockets under it
        for name in ("mail", "home"):  # and mail is never kept as root: the mailbox belongs to Debian's dovecot user
            os.chown(root / name, mail_uid, mail_gid)
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT
    import socket

    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            require(False, f"dovecot did not start: {log[-1000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port
        except OSError:
            time.sleep(0.05)  # polling for the listening port, not waiting for state
    process.kill()
    require(False, "dovecot did not listen within 30 s")
    raise AssertionError("unreachable")
