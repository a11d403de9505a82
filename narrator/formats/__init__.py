"""Readers for structured story formats (EPUB, HTML, Markdown); plain text stays in `narrator.reader`."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from narrator.formats.epub import read_epub
from narrator.formats.html import read_html
from narrator.formats.markdown import read_markdown
from narrator.models import Story

READERS: dict[str, Callable[[bytes, Path | None], Story]] = {
    "epub": read_epub,
    "html": read_html,
    "markdown": read_markdown,
}

_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
                         re.IGNORECASE | re.DOTALL)


def sniff(data: bytes, path: Path | None) -> str | None:
    """Which reader fits: "epub", "html", "markdown", or None for plain text."""
    suffix = path.suffix.lower() if path else ""
    if data[:2] == b"PK":
        # An EPUB is a zip whose first entry, "mimetype", says so; a damaged one still goes to the
        # EPUB reader when the name says .epub, so the user hears why it cannot be read.
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if zf.read("mimetype").strip() == b"application/epub+zip":
                    return "epub"
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            pass
        if suffix == ".epub":
            return "epub"
    if suffix == ".epub":
        return "epub"
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head) or suffix in {".html", ".htm", ".xhtml"}:
        return "html"
    if suffix in {".md", ".markdown"} or (not suffix and _looks_markdown(head)):
        return "markdown"
    return None


_FRONT_MATTER = re.compile(rb"\A---[ \t]*\r?\n(?:[\w-]+[ \t]*:.*\r?\n)+(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")
_ATX = re.compile(rb"^ {0,3}#{1,6}[ \t]+\S", re.MULTILINE)
_MARKUP = re.compile(rb"\]\([^)\s]+\)|\*\*\S|\S\*\*|\\[*_#]|^ {0,3}(?:```|~~~)", re.MULTILINE)


def _looks_markdown(head: bytes) -> bool:
    """Markdown with no file name to go by (stdin): front matter, or headings together with Markdown markup.

    A "# Title" heading alone is also a plain-text habit, which the plain-text reader handles.
    """
    return bool(_FRONT_MATTER.match(head) or (_ATX.search(head) and _MARKUP.search(head)))


__all__ = ["READERS", "read_epub", "read_html", "read_markdown", "sniff"]
