"""Rendered public results pages kept in the process's memory, per page and publication state.

A key holds everything a page is made from: the page and its (normalised) query, and the publication state
of every public year with its data version (`PublicationState.public_version`). A new import, a year that
became public or a postponed one gives a new key, so a kept page is never out of date; old keys fall out of
the least-recently-used end. Only pages of public years are ever kept: the view decides that first, on every
request, and a 404 is never kept.
"""
from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import current_app

#: Pages kept per process: every sort × order × county of a few years fits, searches push out the oldest.
MAX_PAGES = 2048


#: Smaller bodies are not worth compressing (the headers are about as large).
GZIP_FROM_BYTES = 1024


@dataclass(frozen=True)
class KeptPage:
    body: bytes
    #: The body compressed once (None when it is too small to gain from it), as tightly as gzip can: it is made once
    #: per page and publication state and sent to every visitor (the ranking: 16.9 kB instead of 18.1 at level 6).
    gzipped: bytes | None

    @classmethod
    def of(cls, body: bytes) -> "KeptPage":
        return cls(body, gzip.compress(body, compresslevel=9, mtime=0) if len(body) >= GZIP_FROM_BYTES else None)


class PageCache:
    def __init__(self, size: int = MAX_PAGES) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, KeptPage] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], KeptPage]) -> KeptPage:
        """Return the page kept under `key`, or make, keep and return it."""
        with self._lock:
            body = self._pages.get(key)
            if body is not None:
                self._pages.move_to_end(key)
                return body
        body = make()
        with self._lock:
            self._pages[key] = body
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return body

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)


def page_cache() -> PageCache:
    """Return the page cache of the current app (per app: tests build many apps in one process)."""
    return current_app.extensions.setdefault("hti_page_cache", PageCache())
