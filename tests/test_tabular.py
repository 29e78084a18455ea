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


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Decode a few bytes at a time, so every kind of boundary falls inside a chunk somewhere."""
    from hti_comms import csvtext

    monkeypatch.setattr(csvtext, "CHUNK_BYTES", 5)


@pytest.mark.parametrize("codec, bom, name", [("utf-8", b"", "utf-8"), ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
                                              ("cp1252", b"", "cp1252"), ("utf-16-le", b"\xff\xfe", "utf-16")])
@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_lines_and_characters_cut_between_chunks_read_as_one(tiny_chunks, codec, bom, name, newline):
    text = newline.join([CONTACT_HEADER, "Åsa Öberg;asa@exempel.se;pensionärsråd;Borås",
                         '"Bo\r\nEk";bo@exempel.se;seniorråd;Håbo', "Örjan;orjan@exempel.se;;Västerås", ""])
    table = read_table(bom + text.encode(codec), "kontakter.csv")
    assert table.encoding == name
    assert [row.values["namn"] for row in table.rows] == ["Åsa Öberg", "Bo\r\nEk", "Örjan"]
    assert [row.values["kommun"] for row in table.rows] == ["Borås", "Håbo", "Västerås"]
    assert [row.line for row in table.rows] == [2, 4, 5]  # the quoted line break is a line of the file


def test_broken_utf16_is_named_by_its_line_across_chunks(tiny_chunks):
    data = b"\xff\xfe" + "kommunkod\tindex\r\n0114\t55\r\n0115\t56\r\n".encode("utf-16-le") + b"\x00\xd8"
    with pytest.raises(TableError, match="Filen är sparad som UTF-16, men rad 4"):
        read_table(data, "trasig.txt")


def test_mixed_encodings_name_the_first_lines_and_count_the_rest():
    lines = [CONTACT_HEADER.encode()] + [f"Åsa {n};a{n}@exempel.se;;Borås".encode("utf-8") for n in range(3)]
    lines += [f"Örjan {n};o{n}@exempel.se;;Håbo".encode("cp1252") for n in range(8)]
    with pytest.raises(TableError, match="Filen blandar teckenkodningar: raderna 5, 6, 7, 8, 9 och 3 till "):
        read_table(b"\r\n".join(lines), "blandad.csv")


def test_a_control_character_after_the_first_chunk_is_still_found(tiny_chunks):
    data = f"{CONTACT_HEADER}\r\nÅsa;asa@exempel.se;;\r\nBo;bo@exempel.se;;Ha\x00bo".encode()
    with pytest.raises(TableError, match="Rad 3, kolumn ”kommun”: cellen innehåller ett osynligt NUL-tecken"):
        read_table(data, "nul.csv")


def test_a_line_too_long_for_any_table_is_refused_naming_it(monkeypatch):
    from hti_comms import csvtext

    monkeypatch.setattr(csvtext, "MAX_LINE_CHARACTERS", 100)
    data = f"{CONTACT_HEADER}\r\nÅsa;asa@exempel.se;;\r\n{'x;' * 500}".encode()
    with pytest.raises(TableError, match="^Rad 3 är längre än 100 tecken. Filen är troligen inte en tabell"):
        read_table(data, "lang.csv")


def test_max_rows_refuses_at_the_first_row_too_many_and_not_before():
    rows = [f"Person {n};p{n}@exempel.se;;" for n in range(1, 4)]
    data = "\r\n".join([CONTACT_HEADER, rows[0], "", rows[1], rows[2]]).encode()
    assert len(read_table(data, "tre.csv", max_rows=3).rows) == 3  # the empty line does not count
    with pytest.raises(tabular.TooManyRows) as refused:
        read_table(data, "tre.csv", max_rows=2)
    assert (refused.value.line, refused.value.limit) == (5, 2)
    assert str(refused.value).startswith("Rad 5: filen har fler än 2 rader med innehåll")


def test_an_empty_file_or_one_with_a_bom_alone_is_empty():
    for data in (b"", b"  \r\n", b"\xef\xbb\xbf"):
        with pytest.raises(TableError, match="^Filen är tom.$"):
            read_table(data, "tom.csv")
