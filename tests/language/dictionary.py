"""The Swedish dictionary of the language check: Debian's hunspell-sv read by spylls, plus the project's words.

`make test` installs the Debian package (target `dictionary`); in CI (CI=true) a missing dictionary fails the
language tests instead of skipping them. Every word is looked up once per process (spylls takes a few
milliseconds for a compound such as "biståndshandläggning", and the texts repeat the same few thousand words).
"""
from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

import pytest

#: Debian's hunspell-sv installs sv_SE.aff and sv_SE.dic here.
DICTIONARY = Path(os.environ.get("HTI_HUNSPELL_SV", "/usr/share/hunspell/sv_SE"))
WORD_LIST = Path(__file__).with_name("words.txt")
REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


@lru_cache(maxsize=1)
def _hunspell():
    return load(DICTIONARY)


def load(path: Path):
    """Return the Hunspell dictionary at `path` (.aff and .dic beside each other); skip the test when it is
    missing, or fail it in CI (CI=true), where a language check that quietly did not run would pass."""
    if not path.with_name(path.name + ".dic").exists():
        message = (f"{path}.dic is missing; `make test` installs Debian's hunspell-sv (or set HTI_HUNSPELL_SV "
                   "to a Swedish Hunspell dictionary, without the suffix)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return _read(str(path))


def _read(path: str):
    """Return spylls' Dictionary of path.aff and path.dic, closing the files (`Dictionary.from_files` leaves them
    open, and a ResourceWarning is an error in this test suite)."""
    from spylls.hunspell import Dictionary, readers
    from spylls.hunspell.readers.file_reader import FileReader

    class ClosingReader(FileReader):
        def reset_io(self, obj):  # the .aff names its encoding and the reader opens the file again
            previous = getattr(self, "io", None)
            super().reset_io(obj)
            if previous is not None and previous is not obj:
                previous.close()

    aff_reader = ClosingReader(path + ".aff")
    try:
        aff, context = readers.read_aff(aff_reader)
    finally:
        aff_reader.io.close()
    dic_reader = ClosingReader(path + ".dic", encoding=context.encoding)
    try:
        dic = readers.read_dic(dic_reader, aff=aff, context=context)
    finally:
        dic_reader.io.close()
    return Dictionary(aff, dic)


@lru_cache(maxsize=1)
def project_words() -> frozenset[str]:
    """Return the words a general dictionary lacks: the project's terms, and every municipality and county name
    (each word of a name, and the name itself when it has a hyphen: "Malung-Sälen")."""
    words = {line.strip() for line in WORD_LIST.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")}
    names = []
    with (REFERENCE / "municipalities.csv").open(encoding="utf-8") as handle:
        names += [row["municipality_name_short"] for row in csv.DictReader(handle)]
    with (REFERENCE / "counties.csv").open(encoding="utf-8") as handle:
        names += [name for row in csv.DictReader(handle) for name in (row["county_name"], row["county_name_short"])]
    for name in names:
        words.update(name.split())
    return frozenset(words)


def ensure_loaded() -> None:
    """Load the dictionary now (skip or, in CI, fail when it is missing)."""
    _hunspell()


@lru_cache(maxsize=None)
def is_word(word: str) -> bool:
    """Return whether `word` is Swedish: in the project's list, a name's genitive, or in the dictionary.

    A name's genitive is the name + s, except for a name that already ends in s, x or z: "Lunds", but never
    "Boråss" (written here independently of `formatting.genitive`, so that a mistake there is caught).
    """
    words = project_words()
    if word in words or word.lower() in words or word.capitalize() in words:
        return True
    if word.endswith("s") and word[:-1] in words and word[-2:-1].lower() not in ("s", "x", "z"):
        return True
    if "-" in word:
        return all(is_word(part) for part in word.split("-") if part)
    return _hunspell().lookup(word)
