"""Small helpers shared by tests: result files with known values, CSRF tokens from rendered forms."""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from hti_comms.results.models import SUB_INDICES

HEADER = ["kommunkod", "kommun", "index", *[name for name, _label in SUB_INDICES]]


def reference_codes() -> list[tuple[str, str]]:
    """Return (code, short name) of the 290 municipalities from the shipped reference file."""
    from hti_comms.geo.services import REFERENCE_DIR

    with (REFERENCE_DIR / "municipalities.csv").open(encoding="utf-8") as handle:
        return [(r["municipality_code"], r["municipality_name_short"]) for r in csv.DictReader(handle)]


def known_values(position: int, offset: Decimal = Decimal(0)) -> list[Decimal]:
    """Return index and sub-indices for the n-th municipality: distinct, predictable values."""
    index = Decimal("90.0") - Decimal(position) * Decimal("0.2") + offset
    return [index, index + 1, index - 1, index + Decimal("0.5"), index - Decimal("0.5")]


def results_rows(count: int = 290, offset: Decimal = Decimal(0)) -> list[list[str]]:
    rows = []
    for position, (code, name) in enumerate(reference_codes()[:count]):
        rows.append([code, name, *[str(v) for v in known_values(position, offset)]])
    return rows


def to_csv(rows: list[list[str]], *, delimiter: str = ",", decimal_comma: bool = False, bom: bool = False,
           header: list[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header or HEADER)
    for row in rows:
        writer.writerow([cell.replace(".", ",") if decimal_comma and i >= 2 else cell for i, cell in enumerate(row)])
    data = buffer.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


#: The second factor of the staff the tests make (`make_staff`): codes come from it as an app would show them.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def make_staff(email: str, *, roles=None, name: str = "", second_factor: bool = True):
    """Create a staff member with the test password (administrator unless `roles`) and, by default, the test key.

    The key is stored as an enrolment leaves it, without the email a real enrolment sends (tests count emails).
    """
    from hti_comms import clock
    from hti_comms.auth.roles import Role
    from hti_comms.auth.services import create_staff
    from hti_comms.extensions import db
    from tests.conftest import TEST_PASSWORD

    user = create_staff(email, TEST_PASSWORD, name=name, roles=(Role.ADMINISTRATOR,) if roles is None else roles)
    if second_factor:
        user.totp_secret, user.totp_enabled_at = TEST_TOTP_SECRET, clock.now()
        db.session.commit()
    return user


def totp_code(email: str) -> str:
    """Return the code the person's app shows now, first moving the clock past a step already used.

    A code works once per 30-second step; a test that logs the same person in twice within one step moves on.
    """
    from datetime import timedelta

    from hti_comms import clock
    from hti_comms.auth.second_factor import code_at, current_step
    from hti_comms.auth.services import find_staff
    from hti_comms.extensions import db

    user = find_staff(email)
    db.session.refresh(user)
    if user.totp_last_step is not None and user.totp_last_step >= current_step():
        clock.set_now(clock.now() + timedelta(seconds=30 * (user.totp_last_step - current_step() + 1)))
    return code_at(user.totp_secret, current_step())


def second_step(client, response, email: str, *, csrf: bool = True):
    """Finish a login whose password step answered `response`: type the code when the login asks for one."""
    if response.status_code == 302 and response.headers["Location"].startswith("/logga-in/kod"):
        data = {"code": totp_code(email)}
        if csrf:
            data["csrf_token"] = form_csrf_token(client, "/logga-in/kod")
        response = client.post("/logga-in/kod", data=data)
    return response


def log_in(client, email: str, password: str | None = None, *, next_path: str = ""):
    """Log in through the login page, password and (when the account has one) the second factor's code."""
    from tests.conftest import TEST_PASSWORD

    data = {"email": email, "password": password or TEST_PASSWORD,
            "csrf_token": form_csrf_token(client, "/logga-in")}
    return second_step(client, client.post("/logga-in" + next_path, data=data), email)


def log_in_without_csrf(client, email: str) -> None:
    """Log in with CSRF switched off for these two posts only (the `staff_login` fixture)."""
    from tests.conftest import TEST_PASSWORD

    client.application.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post("/logga-in", data={"email": email, "password": TEST_PASSWORD})
        response = second_step(client, response, email, csrf=False)
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code == 302 and not response.headers["Location"].startswith("/logga-in"), \
        response.get_data(as_text=True)


def browser_log_in(page, base_url: str, email: str, password: str | None = None, next_path: str = "") -> None:
    """Log in with the browser: the login form, then the code from the app when the account has one."""
    from tests.conftest import TEST_PASSWORD

    page.goto(f"{base_url}/logga-in" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password or TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    browser_second_step(page, email)


def browser_second_step(page, email: str) -> None:
    """After the password was sent: type the code from the app when the login asks for it."""
    page.wait_for_url(lambda url: "/logga-in" not in url or "/logga-in/kod" in url)
    if "/logga-in/kod" in page.url:
        page.get_by_label("Kod", exact=True).fill(totp_code(email))
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(lambda url: "/logga-in" not in url)


def follow(page, target) -> None:
    """Click `target` (a link or a button that loads a new page) and return once that new page has loaded.

    A click returns as soon as the navigation has started; reading the page then may read the old page, or the new
    one half parsed (a 290-row table with no rows yet). Waiting for the new page's load event is waiting for the
    state the next line reads."""
    with page.expect_navigation(wait_until="load"):
        target.click()


def form_csrf_token(client, url: str) -> str:
    """Return the CSRF token from the form rendered at `url` (as a browser would submit it)."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token in the form at {url}"
    return match.group(1)


def declared_png(width: int, height: int, mode: str = "L") -> bytes:
    """Return a valid one-colour PNG of `width` × `height`, built without ever holding the pixels.

    A single colour compresses about a thousandfold, so a file of a few tens of kB can declare hundreds of
    millions of pixels (what a hostile upload looks like); `mode` is "1" (one bit), "L" (grey) or "RGB".
    """
    import struct
    import zlib

    depth, colour_type, row_bytes = {"1": (1, 0, (width + 7) // 8), "L": (8, 0, width),
                                     "RGB": (8, 2, 3 * width)}[mode]

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + row_bytes)  # filter byte "none", then the pixels
    rows_per_batch = max(1, (8 << 20) // len(row))
    parts = []
    for first in range(0, height, rows_per_batch):
        parts.append(compressor.compress(row * min(rows_per_batch, height - first)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts))
            + chunk(b"IEND", b""))
