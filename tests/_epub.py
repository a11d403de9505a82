"""A tiny EPUB writer for test fixtures: the package files written by hand, as e-book tools lay them out.

Tests build their books with this instead of an EPUB library, so the fixtures show exactly which
structure (EPUB 3 nav, EPUB 2 NCX, guide, cover page, linear="no") each test reproduces.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="EPUB/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)


@dataclass(frozen=True)
class Page:
    """One XHTML document of the book; `name` is relative to the package folder."""

    name: str
    title: str
    body: str
    linear: bool = True


def xhtml(title: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
        f'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{escape(title)}</title></head>'
        f"<body>{body}</body></html>"
    )


def write_epub(path: Path, *, title: str, pages: list[Page], toc: list[tuple[str, str]],
               author: str | None = None, description: str | None = None, nav: bool = True, ncx: bool = True,
               cover: bytes | None = None, cover_page: bool = False, nav_in_spine: bool = False,
               guide: list[tuple[str, str]] = ()) -> Path:  # type: ignore[assignment]
    """Write an EPUB (3.0 with `nav`, 2.0 without) whose spine is `pages` in order and whose TOC is `toc`."""
    manifest, spine = [], []
    files: dict[str, str | bytes] = {}
    if cover is not None:
        kind = "png" if cover.startswith(b"\x89PNG") else "jpeg"
        props = ' properties="cover-image"' if nav else ""  # EPUB 3 marks it; EPUB 2 has only the <meta>
        manifest.append(f'<item id="cover-img" href="cover.{kind}" media-type="image/{kind}"{props}/>')
        files[f"EPUB/cover.{kind}"] = cover
        if cover_page:
            manifest.append('<item id="cover" href="cover.xhtml" media-type="application/xhtml+xml"/>')
            spine.append('<itemref idref="cover"/>')
            files["EPUB/cover.xhtml"] = xhtml("Cover", f'<img src="cover.{kind}" alt="Cover"/>')
    if nav:
        links = "".join(f'<li><a href="{escape(href)}">{escape(label)}</a></li>' for href, label in toc)
        files["EPUB/nav.xhtml"] = xhtml("Contents", f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{links}</ol></nav>')
        manifest.append('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>')
        if nav_in_spine:
            spine.append('<itemref idref="nav"/>')
    if ncx:
        points = "".join(
            f'<navPoint id="np{k}" playOrder="{k}"><navLabel><text>{escape(label)}</text></navLabel>'
            f'<content src="{escape(href)}"/></navPoint>'
            for k, (href, label) in enumerate(toc, 1)
        )
        files["EPUB/toc.ncx"] = (
            '<?xml version="1.0" encoding="utf-8"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
            f'<head/><docTitle><text>{escape(title)}</text></docTitle><navMap>{points}</navMap></ncx>'
        )
        manifest.append('<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
    for k, page in enumerate(pages):
        manifest.append(f'<item id="p{k}" href="{escape(page.name)}" media-type="application/xhtml+xml"/>')
        linear = "" if page.linear else ' linear="no"'
        spine.append(f'<itemref idref="p{k}"{linear}/>')
        files[f"EPUB/{page.name}"] = xhtml(page.title, page.body)
    meta = (f"<dc:title>{escape(title)}</dc:title><dc:language>en</dc:language>"
            f'<dc:identifier id="uid">{escape(title)}</dc:identifier>')
    if author:
        meta += f"<dc:creator>{escape(author)}</dc:creator>"
    if description:
        meta += f"<dc:description>{escape(description)}</dc:description>"
    if cover is not None:
        meta += '<meta name="cover" content="cover-img"/>'
    refs = "".join(f'<reference type="{t}" href="{escape(h)}" title="{t}"/>' for h, t in guide)
    toc_attr = ' toc="ncx"' if ncx else ""
    guide_xml = f"<guide>{refs}</guide>" if refs else ""
    files["EPUB/content.opf"] = (
        f'<?xml version="1.0" encoding="utf-8"?><package xmlns="http://www.idpf.org/2007/opf" '
        f'version="{"3.0" if nav else "2.0"}" unique-identifier="uid">'
        f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">{meta}</metadata>'
        f'<manifest>{"".join(manifest)}</manifest><spine{toc_attr}>{"".join(spine)}</spine>{guide_xml}</package>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", CONTAINER)
        for name, content in files.items():
            zf.writestr(name, content)
    return path
