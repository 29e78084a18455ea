"""Reading files for the importers: mixed encodings, UTF-16, the real extent of a sheet, zip bombs, NUL."""
import io
import re
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from hti_comms import tabular
from hti_comms.tabular import TableError, read_table

CONTACT_HEADER = "namn;e-post;roll;kommun"


def test_utf8_file_with_one_windows_1252_line_is_refused_naming_the_line():
    data = "\r\n".join([CONTACT_HEADER, "Åsa Öberg;asa@exempel.se;pensionärsråd;Borås",
                        "Bo Ek;bo@exempel.se;seniorråd;Habo"]).encode("utf-8")
    data += "\r\nÖrjan Å;orjan@exempel.se;pensionärsråd;Håbo".encode("cp1252")
    data += "\r\nPer Pål;per@exempel.se;pensionärsråd;Borås".encode("utf-8")
    with pytest.raises(TableError) as refused:
        read_table(data, "blandad.csv")
    message = str(refused.value)
    assert message.startswith("Filen blandar teckenkodningar: rad 4 är inte sparade som UTF-8")
    assert "Spara filen som ”CSV UTF-8”" in message


def test_a_file_with_a_utf8_bom_and_windows_1252_lines_is_refused_too():
    data = b"\xef\xbb\xbf" + f"{CONTACT_HEADER}\r\nÅsa;asa@exempel.se;;\r\nBo;bo@exempel.se;;".encode("cp1252")
    with pytest.raises(TableError, match="rad 2 är inte sparade som UTF-8"):
        read_table(data, "bom.csv")


def test_a_whole_windows_1252_file_is_still_read():
    data = f"{CONTACT_HEADER}\r\nÅsa Öberg;asa@exempel.se;pensionärsråd;Borås".encode("cp1252")
    table = read_table(data, "excel.csv")
    assert table.encoding == "cp1252" and table.rows[0].values["namn"] == "Åsa Öberg"


@pytest.mark.parametrize("codec, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b"")])
def test_utf16_text_as_excel_saves_unicode_text_is_read(codec, bom):
    text = "kommunkod\tkommun\tindex\r\n0114\tUpplands Väsby\t55,5\r\n2480\tUmeå\t60,1\r\n"
    table = read_table(bom + text.encode(codec), "resultat.txt")
    assert table.columns == ["kommunkod", "kommun", "index"]
    assert [row.values["kommun"] for row in table.rows] == ["Upplands Väsby", "Umeå"]


def test_broken_utf16_names_the_encoding():
    data = b"\xff\xfe" + "kommunkod\tindex\r\n0114\t55\r\n".encode("utf-16-le") + b"\x00\xd8"  # a lone surrogate
    with pytest.raises(TableError, match="Filen är sparad som UTF-16, men rad 3"):
        read_table(data, "trasig.txt")


def xlsx_with_declared_dimension(rows: list[list], declared: str) -> bytes:
    """Return an XLSX whose sheet says it spans `declared` (as some programs write it wrongly)."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content, count = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{declared}"'.encode(), content)
                assert count == 1
            target.writestr(item, content)
    return output.getvalue()


def test_xlsx_is_read_to_its_real_extent_not_its_declared_size():
    rows = [["Namn", "E-post", "Roll", "Kommun", "Listor"]] + \
        [[f"Person {n}", f"person{n}@exempel.se", "pensionärsråd", "Borås", "kurser"] for n in range(1, 8)]
    data = xlsx_with_declared_dimension(rows, "A1:C3")  # declares 3 rows and 3 columns; it has 8 and 5
    table = read_table(data, "kontakter.xlsx")
    assert len(table.rows) == 7
    assert [row.line for row in table.rows] == list(range(2, 9))
    assert table.rows[-1].values == {"namn": "Person 7", "e_post": "person7@exempel.se", "roll": "pensionärsråd",
                                     "kommun": "Borås", "listor": "kurser"}


def write_zip_bomb(path, unpacked_megabytes: int) -> None:
    """Write an .xlsx whose sheet inflates to `unpacked_megabytes` of spaces, streaming (never all in memory)."""
    chunk = b" " * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(unpacked_megabytes):
                sheet.write(chunk)


def test_an_xlsx_that_inflates_far_beyond_a_sane_size_is_refused_before_unpacking(tmp_path):
    path = tmp_path / "bomb.xlsx"
    write_zip_bomb(path, 400)
    data = path.read_bytes()
    assert len(data) < 4 * 1024 * 1024  # a small upload …

    tracemalloc.start()
    try:
        with pytest.raises(TableError) as refused:
            read_table(data, "bomb.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "packas upp till 400 MB, mer än de 200 MB" in str(refused.value)
    # … refused from the archive's directory alone: nothing near its 400 MB was ever inflated.
    assert peak < 2 * 1024 * 1024, f"reading the bomb took {peak / 1e6:.1f} MB"


def test_the_limit_leaves_room_for_large_real_sheets():
    assert tabular.MAX_XLSX_UNPACKED >= 100 * 1024 * 1024


@pytest.mark.parametrize("character, name", [("\x00", "NUL-tecken"), ("\x1b", "styrtecken (kod 27)")])
def test_a_control_character_in_a_cell_is_refused_naming_line_and_column(character, name):
    data = f"{CONTACT_HEADER}\r\nÅsa;asa@exempel.se;;\r\nBo{character}Ek;bo@exempel.se;;".encode()
    with pytest.raises(TableError) as refused:
        read_table(data, "nul.csv")
    assert str(refused.value) == (f"Rad 3, kolumn ”namn”: cellen innehåller ett osynligt {name} som inte kan "
                                  "sparas. Ta bort det och försök igen.")
