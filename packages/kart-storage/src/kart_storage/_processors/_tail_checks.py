"""Damage a load can see without a seal, from the size and the last byte of the stored file.

Without `verify_integrity` nothing records what a file should hold, but some formats are never written
in a shape a truncation leaves: a csv/tsv written by kart or gokart (pandas or polars) is never empty
(an empty frame is one newline) and always ends with a line end; json, and gzip's framing, are never
empty either. A file that breaks such a rule was cut (or replaced) after it was written, and loading it
would hand back fewer rows, or a half row, as if they were the data. The check costs two seeks and a
one-byte read, whatever the file's size, so the fast read paths keep handing the library the file.

What these rules cannot see (a cut exactly at a line end, changed bytes) only `verify_integrity` finds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import BinaryIO

_LINE_ENDS = (b"\n", b"\r")


@dataclass(frozen=True)
class TailRule:
    """What every file written by a format looks like at its ends."""

    #: the format's name in messages ("csv", "json"...)
    what: str
    #: the smallest file the writer produces (an empty frame as csv is b"\n"): a zero-byte file is damaged
    never_empty: str | None = None
    #: the writer always ends the file with a line end (only for encodings where it is the byte 0x0A)
    line_ended: bool = False

    def damage(self, raw: BinaryIO) -> str | None:
        """Why the stored bytes cannot be what the writer wrote, or None when their ends look right (or
        the stream cannot seek: then nothing is checked). The stream is left where it was."""
        if not raw.seekable():
            return None
        start = raw.tell()
        try:
            size = raw.seek(0, os.SEEK_END) - start
            if size <= 0:
                if self.never_empty is None:
                    return None
                return (
                    f"it is empty (0 bytes), but a {self.what} file written by kart or gokart always"
                    f" holds something (at least {self.never_empty}): it was truncated or replaced"
                )
            if not self.line_ended:
                return None
            raw.seek(-1, os.SEEK_END)
            if raw.read(1) in _LINE_ENDS:
                return None
            return (
                f"its last line has no line end, but kart and gokart always end a {self.what} file with"
                " one: it was cut in the middle of its last row"
            )
        finally:
            raw.seek(start)


def encodes_newline_as_lf(encoding: str) -> bool:
    """Whether a line end is the single byte 0x0A in `encoding` (UTF-8, Latin-1, ...; not UTF-16)."""
    try:
        return "\n".encode(encoding) == b"\n"
    except (LookupError, UnicodeError):
        return False


def csv_rule(sep: str, encoding: str) -> TailRule:
    """pandas' `to_csv` and polars' `write_csv` write a header line even for an empty frame and end
    every line, the last one included, with a newline."""
    what = "tsv" if sep == "\t" else "csv"
    return TailRule(what, never_empty="a newline", line_ended=encodes_newline_as_lf(encoding))


#: pandas writes at least `{}`, polars `[]`
JSON_RULE = TailRule("json", never_empty="'{}' or '[]'")
#: the gzip header and trailer are written even around no data
GZIP_RULE = TailRule("gzip", never_empty="the 20 bytes of gzip's framing")

__all__ = ["GZIP_RULE", "JSON_RULE", "TailRule", "csv_rule", "encodes_newline_as_lf"]
