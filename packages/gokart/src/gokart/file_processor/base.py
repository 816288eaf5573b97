"""gokart.file_processor.base: the processor protocol and the format-independent processors."""

from kart_storage import (
    BinaryFileProcessor,
    FileProcessor,
    GzipFileProcessor,
    NpzFileProcessor,
    PickleFileProcessor,
    TextFileProcessor,
    XmlFileProcessor,
)

__all__ = [
    "BinaryFileProcessor",
    "FileProcessor",
    "GzipFileProcessor",
    "NpzFileProcessor",
    "PickleFileProcessor",
    "TextFileProcessor",
    "XmlFileProcessor",
]
