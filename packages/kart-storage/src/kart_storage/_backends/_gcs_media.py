"""What a GCS media download says about the generation it served: its response headers.

google-cloud-storage reads a few headers of the media response (`_extract_headers_from_download`:
generation, hashes) and drops the rest, among them the object's custom metadata (`x-goog-meta-*`),
which real GCS and gcp-storage-emulator send with the bytes. `keep_download_headers` keeps them all, so
a seal can come from the very response that carried the bytes. A library without that hook leaves the
headers empty; the reader then asks for the metadata of the downloaded generation instead.
"""

from __future__ import annotations

from typing import Any

_META_PREFIX = "x-goog-meta-"


def keep_download_headers(blob: Any, into: dict[str, str]) -> None:
    """Fill `into` with the (lower-cased) headers of `blob`'s next media download."""
    extract = getattr(blob, "_extract_headers_from_download", None)
    if extract is None:
        return

    def keep(response: Any) -> None:
        into.update({str(name).lower(): str(value) for name, value in response.headers.items()})
        extract(response)

    blob._extract_headers_from_download = keep


def custom_metadata(headers: dict[str, str]) -> dict[str, str]:
    """The object's custom metadata as the media response carried it (names lower-cased)."""
    return {
        name[len(_META_PREFIX) :]: value for name, value in headers.items() if name.startswith(_META_PREFIX)
    }
