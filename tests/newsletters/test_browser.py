"""Compose and preview in Debian's chromium: the live Markdown preview, then the preview at 360 px and desktop
width with the text part beside them."""
import pytest

from tests.conftest import TEST_PASSWORD
from tests.helpers import browser_second_step, follow

from .helpers import png_bytes

pytestmark = pytest.mark.browser


def test_compose_a_section_with_live_preview_and_preview_the_email(app, db, make_contact, staff_user, live_server,
                                                                     browser_page):
    make_contact("eva@exempel.se", name="Eva Ek")
    page = browser_page
    page.goto(f"{live_server}/logga-in?next=/admin/nyhetsbrev/")
    page.get_by_label("E-postadress").fill(staff_user.email)
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    browser_second_step(page, staff_user.email)

    follow(page, page.get_by_role("link", name="Nytt nyhetsbrev"))
    page.get_by_label("Ämnesrad").fill("Ny rapport om hemtjänsten")
    follow(page, page.get_by_role("button", name="Skapa utkastet"))
    follow(page, page.get_by_role("link", name="Lägg till avsnitt: Text"))

    page.get_by_label("Rubrik").fill("Ny nationell rapport")
    body = page.get_by_label("Text", exact=True)
    body.fill("Rapporten är **viktig**.\n\n- kontinuitet\n- bemötande\n\n"
              "Läs [sammanfattningen](https://spfseniorerna.se/rapport). <script>alert(1)</script>")
    preview = page.locator("#body-preview")
    preview.locator("strong", has_text="viktig").wait_for()
    assert preview.locator("li").all_inner_texts() == ["kontinuitet", "bemötande"]
    assert preview.locator("a").get_attribute("href") == "https://spfseniorerna.se/rapport"
    assert preview.locator("script").count() == 0 and "<script>alert(1)</script>" in preview.inner_text()
    page.get_by_label("Bild (valfri, JPEG, PNG eller GIF)").set_input_files(
        files=[{"name": "omslag.png", "mimeType": "image/png", "buffer": png_bytes(300, 150)}])
    page.get_by_label("Bildens alternativtext").fill("Rapportens omslag")
    follow(page, page.get_by_role("button", name="Spara avsnittet"))
    assert "Avsnittet är sparat." in page.locator(".flash.success").inner_text()

    follow(page, page.get_by_role("link", name="Förhandsgranska"))
    assert "Eva Ek <eva@exempel.se>" in page.locator("main").inner_text()
    for selector in ("iframe.phone", "iframe.desktop"):
        frame = page.frame_locator(selector)
        frame.get_by_role("heading", name="Hemtjänstindex nyhetsbrev #1").wait_for()
        assert frame.locator("strong", has_text="viktig").count() == 1
    phone = page.locator("iframe.phone").element_handle().content_frame()
    desktop = page.locator("iframe.desktop").element_handle().content_frame()
    assert phone.evaluate("window.innerWidth") == 360
    assert desktop.evaluate("window.innerWidth") > 600
    image = page.frame_locator("iframe.phone").get_by_role("img", name="Rapportens omslag")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 300  # it loads inside the sandbox
    # One column at 360 px: nothing is wider than the phone (no sideways scrolling).
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    text = page.locator(".preview-frames pre").inner_text()
    assert "NY NATIONELL RAPPORT" in text and "sammanfattningen (https://spfseniorerna.se/rapport)" in text
