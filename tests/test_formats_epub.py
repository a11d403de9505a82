"""EPUB reader: fixtures are built here (tests/_epub.py or a hand-made zip) with text written for these tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from narrator.errors import InputError
from narrator.formats import READERS, sniff
from narrator.formats.epub import read_epub
from narrator.models import Story
from narrator.reader import read_story

from ._epub import Page, write_epub

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # enough bytes to be recognisably a cover


def _read(path: Path) -> Story:
    data = path.read_bytes()
    assert sniff(data, path) == "epub"
    return READERS["epub"](data, path)


def _span(story: Story, span) -> str:
    return story.text[span.start : span.end]


def _ao3_like(tmp_path: Path) -> Path:
    """Archive-style export: story-info preface, chapters with notes before and after, an afterword."""
    preface = Page(
        "preface.xhtml",
        "Preface",
        """<div class="meta"><h1>The Lamplighter's Apprentice</h1>
        <div class="byline">by Quill Marrow</div>
        <dl class="tags"><dt>Rating:</dt><dd>General</dd><dt>Fandom:</dt><dd>Original Work</dd>
        <dt>Words:</dt><dd>900</dd><dt>Chapters:</dt><dd>2/2</dd></dl>
        <p>Summary</p><blockquote>Tamsin learns the old trade.</blockquote>
        <p>Notes</p><blockquote>Written for a prompt exchange.</blockquote></div>""",
    )
    ch1 = Page(
        "chapter1.xhtml",
        "Chapter 1: Oil and Wick",
        """<h2 class="toc-heading">Chapter 1: Oil and Wick</h2>
        <div class="meta"><h3>Chapter Notes</h3><blockquote><p>First chapter, be gentle.</p></blockquote></div>
        <div class="userstuff">
        <p>Tamsin carried the ladder down Gull Street while the fog rolled in.</p>
        <p>"Mind the third rung," said Old Bram. "It <em>creaks</em>."</p>
        <p><em>He always says that.</em></p>
        <hr/>
        <p>By midnight every lamp on the hill was burning.</p>
        </div>
        <div id="endnotes"><h3>Chapter End Notes</h3><blockquote><p>Thanks for the kudos!</p></blockquote></div>""",
    )
    ch2 = Page(
        "chapter2.xhtml",
        "Chapter 2: The Dark Quarter",
        """<h2 class="toc-heading">Chapter 2: The Dark Quarter</h2>
        <div class="userstuff"><p>No one had lit the lamps in the Dark Quarter for years.</p>
        <p>Tamsin struck a match anyway.</p></div>""",
    )
    after = Page(
        "afterword.xhtml",
        "Afterword",
        """<h1>Afterword</h1><h3>End Notes</h3><blockquote><p>That's all, folks.</p></blockquote>
        <p>Please drop by and leave a comment to let the author know what you thought.</p>""",
    )
    toc = [("preface.xhtml", "Preface"), ("chapter1.xhtml", "Chapter 1: Oil and Wick"),
           ("chapter2.xhtml", "Chapter 2: The Dark Quarter"), ("afterword.xhtml", "Afterword")]
    # EPUB 3 with an NCX as well, a cover page and the nav document in the spine, as exporters make them.
    return write_epub(tmp_path / "lamplighter.epub", title="The Lamplighter's Apprentice", author="Quill Marrow",
                      description="<p>Tamsin learns the <em>old</em> trade.</p>", pages=[preface, ch1, ch2, after],
                      toc=toc, cover=PNG, cover_page=True, nav_in_spine=True)


def test_epub_ao3_like_gives_exactly_the_story_chapters(tmp_path: Path) -> None:
    story = _read(_ao3_like(tmp_path))
    assert story.title == "The Lamplighter's Apprentice"
    assert story.author == "Quill Marrow"
    assert story.description == "Tamsin learns the old trade."
    assert story.cover == PNG and story.cover_mime == "image/png"
    assert [t for _, t in story.chapter_hints] == ["Chapter 1: Oil and Wick", "Chapter 2: The Dark Quarter"]
    assert [_span(story, s) for s, _ in story.chapter_hints] == [t for _, t in story.chapter_hints]
    for unwanted in ("Rating", "prompt exchange", "That's all", "leave a comment", "Afterword"):
        assert unwanted not in story.text
    assert story.text.startswith("Chapter 1: Oil and Wick\n\n")


def test_epub_ao3_like_notes_thoughts_emphasis_and_breaks(tmp_path: Path) -> None:
    story = _read(_ao3_like(tmp_path))
    notes = [_span(story, s) for s in story.notes]
    assert notes == [
        "Chapter Notes\n\nFirst chapter, be gentle.",
        "Chapter End Notes\n\nThanks for the kudos!",
    ]
    assert [_span(story, s) for s in story.thoughts] == ["He always says that."]
    assert [_span(story, s) for s in story.emphasis] == ["creaks"]
    assert "burning.\n\n* * *" not in story.text
    assert "He always says that.\n\n* * *\n\nBy midnight" in story.text
    # Chapter 1's notes sit inside chapter 1 (after its heading, before chapter 2's heading).
    ch2 = story.chapter_hints[1][0].start
    assert all(story.chapter_hints[0][0].end < s.start < ch2 for s in story.notes)


def _fanficfare_like(tmp_path: Path, with_description: bool) -> Path:
    """Downloader-style export: title_page/info page, a TOC page, file0001-style chapters, a log page."""
    title_page = Page(
        "OEBPS/title_page.xhtml",
        "Salt and Starlight",
        """<h3><a href="#">Salt and Starlight</a> by <a href="#">Fen Aldous</a></h3>
        <div><b>Category:</b> Adventure<br/><b>Genre:</b> Drama<br/><b>Status:</b> Completed<br/>
        <b>Words:</b> 1,204<br/><b>Summary:</b> Two sailors and one map.<br/></div>""",
    )
    toc_page = Page(
        "OEBPS/toc_page.xhtml",
        "Table of Contents",
        """<h3>Table of Contents</h3><p><a href="file0001.xhtml">Setting Out</a></p>
        <p><a href="file0002.xhtml">Landfall</a></p>""",
    )
    ch1 = Page(
        "OEBPS/file0001.xhtml",
        "Setting Out",
        """<h3>Setting Out</h3><div>
        <p>A/N: This is my first story here, reviews welcome!</p>
        <p>Ivo checked the map for the fourth time before dawn.</p>
        <p><i>If the stars lie, we drown.</i></p>
        <p>* * *</p>
        <p>The harbour fell behind them.</p></div>""",
    )
    ch2 = Page(
        "OEBPS/file0002.xhtml",
        "Landfall",
        """<h3>Landfall</h3><div><p>Sand, at last, and a lighthouse nobody kept.</p>
        <p>Author's Note:</p><p>Thank you all for reading to the end.</p></div>""",
    )
    log = Page(
        "OEBPS/log_page.xhtml",
        "Update Log",
        "<h3>Update Log</h3><p>Updated: 2020-01-01 Chapters: 2</p>",
    )
    toc = [("OEBPS/title_page.xhtml", "Title Page"), ("OEBPS/toc_page.xhtml", "Table of Contents"),
           ("OEBPS/file0001.xhtml", "1. Setting Out"), ("OEBPS/file0002.xhtml", "2. Landfall"),
           ("OEBPS/log_page.xhtml", "Update Log")]
    # EPUB 2: an NCX and no nav document, pages in a subfolder of the package folder.
    return write_epub(tmp_path / "salt.epub", title="Salt and Starlight", author="Fen Aldous",
                      description="Two sailors and one map." if with_description else None,
                      pages=[title_page, toc_page, ch1, ch2, log], toc=toc, nav=False)


def test_epub_fanficfare_like_skips_title_toc_and_log_pages(tmp_path: Path) -> None:
    story = _read(_fanficfare_like(tmp_path, with_description=True))
    assert [t for _, t in story.chapter_hints] == ["1. Setting Out", "2. Landfall"]
    assert [_span(story, s) for s, _ in story.chapter_hints] == ["Setting Out", "Landfall"]
    for unwanted in ("Category", "Table of Contents", "Update Log", "Words:"):
        assert unwanted not in story.text
    assert [_span(story, s) for s in story.notes] == [
        "A/N: This is my first story here, reviews welcome!",
        "Author's Note:\n\nThank you all for reading to the end.",
    ]
    assert [_span(story, s) for s in story.thoughts] == ["If the stars lie, we drown."]
    assert "drown.\n\n* * *\n\nThe harbour" in story.text
    assert story.cover is None


def test_epub_summary_from_info_page_when_metadata_has_none(tmp_path: Path) -> None:
    story = _read(_fanficfare_like(tmp_path, with_description=False))
    assert story.description == "Two sailors and one map."


def _zip_epub(path: Path, files: dict[str, str | bytes], mimetype: bytes = b"application/epub+zip") -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        for name, content in files.items():
            zf.writestr(name, content)
    path.write_bytes(buffer.getvalue())
    return path


def _opf(version: str, manifest: str, spine: str, extra: str = "", toc_attr: str = ' toc="ncx"') -> str:
    return (
        f'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="{version}" '
        'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:opf="http://www.idpf.org/2007/opf"><dc:identifier id="id">x</dc:identifier>'
        '<dc:title>Ferry Tales</dc:title><dc:creator opf:role="aut">Ada Penrose</dc:creator>'
        f'<dc:language>en</dc:language><meta name="cover" content="cov"/></metadata>'
        f"<manifest>{manifest}</manifest><spine{toc_attr}>{spine}</spine>{extra}</package>"
    )


def _xhtml(body: str, title: str = "x") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>{title}</title></head><body>{body}</body></html>"
    )


def test_epub2_ncx_only_with_fragments_and_subfolders(tmp_path: Path) -> None:
    ncx = (
        '<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>'
        '<navPoint id="a"><navLabel><text>Copyright</text></navLabel><content src="Text/legal.html"/></navPoint>'
        '<navPoint id="b"><navLabel><text>One: The Crossing</text></navLabel>'
        '<content src="Text/part1.html#c1"/></navPoint>'
        '<navPoint id="c"><navLabel><text>Two: The Island</text></navLabel>'
        '<content src="Text/part1.html#c2"/></navPoint>'
        '<navPoint id="d"><navLabel><text>Three: Home</text></navLabel><content src="Text/part2.html"/></navPoint>'
        "</navMap></ncx>"
    )
    manifest = (
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        '<item id="legal" href="Text/legal.html" media-type="application/xhtml+xml"/>'
        '<item id="p1" href="Text/part1.html" media-type="application/xhtml+xml"/>'
        '<item id="p2" href="Text/part2.html" media-type="application/xhtml+xml"/>'
        '<item id="cov" href="Images/cover.jpg" media-type="image/jpeg"/>'
    )
    files = {
        "OEBPS/content.opf": _opf(
            "2.0",
            manifest,
            '<itemref idref="legal"/><itemref idref="p1"/><itemref idref="p2"/>',
            '<guide><reference type="copyright-page" href="Text/legal.html" title="Copyright"/></guide>',
        ),
        "OEBPS/toc.ncx": ncx,
        "OEBPS/Images/cover.jpg": b"\xff\xd8\xff\xe0fakejpeg",
        "OEBPS/Text/legal.html": _xhtml("<p>Copyright 2024 Ada Penrose. All rights reserved.</p>"),
        "OEBPS/Text/part1.html": _xhtml(
            '<h2 id="c1">One: The Crossing</h2><p>The ferry left at nine.</p>'
            '<h2 id="c2">Two: The Island</h2><p>Gulls argued on the pier.</p>'
        ),
        "OEBPS/Text/part2.html": _xhtml("<p>We came home on the last boat.</p>"),
    }
    story = _read(_zip_epub(tmp_path / "ferry.epub", files))
    assert (story.title, story.author) == ("Ferry Tales", "Ada Penrose")
    assert story.cover == b"\xff\xd8\xff\xe0fakejpeg" and story.cover_mime == "image/jpeg"
    assert [t for _, t in story.chapter_hints] == ["One: The Crossing", "Two: The Island", "Three: Home"]
    assert story.text == (
        "One: The Crossing\n\nThe ferry left at nine.\n\n"
        "Two: The Island\n\nGulls argued on the pier.\n\n"
        "Three: Home\n\nWe came home on the last boat."
    )


def test_epub3_nav_only_uses_toc_labels_and_spine_order(tmp_path: Path) -> None:
    a = Page("a.xhtml", "a", "<h1>The Climb</h1><p>Rook climbed Kettle Hill at noon.</p>")
    b = Page("b.xhtml", "b", "<p>The view was worth it.</p>")
    c = Page("c.xhtml", "c", "<h1>About the Author</h1><p>The author lives by a hill.</p>")
    # The TOC lists b before a; the spine (reading order) decides.
    toc = [("b.xhtml", "The Summit"), ("a.xhtml", "The Climb"), ("c.xhtml", "About the Author")]
    path = write_epub(tmp_path / "kettle.epub", title="Kettle Hill", pages=[a, b, c], toc=toc, ncx=False,
                      nav_in_spine=True)
    with zipfile.ZipFile(path) as zf:
        assert not any(n.endswith(".ncx") for n in zf.namelist())
    story = _read(path)
    assert story.text == "The Climb\n\nRook climbed Kettle Hill at noon.\n\nThe Summit\n\nThe view was worth it."
    assert [t for _, t in story.chapter_hints] == ["The Climb", "The Summit"]


def test_epub_without_toc_falls_back_to_headings(tmp_path: Path) -> None:
    manifest = (
        '<item id="t" href="title.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="a" href="a.xhtml" media-type="application/xhtml+xml"/>'
        '<item id="b" href="b.xhtml" media-type="application/xhtml+xml"/>'
    )
    files = {
        "OEBPS/content.opf": _opf(
            "3.0", manifest, '<itemref idref="t"/><itemref idref="a"/><itemref idref="b"/>', toc_attr=""
        ),
        "OEBPS/title.xhtml": _xhtml('<section epub:type="titlepage"><h1>Ferry Tales</h1></section>'),
        "OEBPS/a.xhtml": _xhtml("<h1>Chapter One</h1><p>Morning.</p><h2>Aside</h2><p>Still morning.</p>"),
        "OEBPS/b.xhtml": _xhtml("<h1>Chapter Two</h1><p>Evening.</p>"),
    }
    story = _read(_zip_epub(tmp_path / "plain.epub", files))
    assert [t for _, t in story.chapter_hints] == ["Chapter One", "Chapter Two"]
    # The h2 inside the chapter is a section: a scene break, then its title read as the scene's first line.
    assert story.text == "Chapter One\n\nMorning.\n\n* * *\n\nAside\n\nStill morning.\n\nChapter Two\n\nEvening."


def test_epub_drm_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    enc = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
        '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
        "</enc:EncryptedData></encryption>"
    )
    path = _zip_epub(tmp_path / "locked.epub", {"META-INF/encryption.xml": enc, "OEBPS/content.opf": "x"})
    with pytest.raises(InputError, match="DRM"):
        read_epub(path.read_bytes(), path)


def test_epub_font_obfuscation_is_not_drm(tmp_path: Path) -> None:
    enc = '<encryption><EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/></encryption>'
    manifest = '<item id="a" href="a.xhtml" media-type="application/xhtml+xml"/>'
    files = {
        "META-INF/encryption.xml": enc,
        "OEBPS/content.opf": _opf("3.0", manifest, '<itemref idref="a"/>', toc_attr=""),
        "OEBPS/a.xhtml": _xhtml("<p>Readable.</p>"),
    }
    story = _read(_zip_epub(tmp_path / "fonts.epub", files))
    assert story.text == "Readable."


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 this is not really a zip", b"just some bytes", b""],
)
def test_epub_corrupt_file_raises_input_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.epub"
    assert sniff(data, path) == "epub"
    with pytest.raises(InputError, match=r"broken\.epub"):
        read_epub(data, path)


def test_epub_with_broken_package_raises_input_error(tmp_path: Path) -> None:
    path = _zip_epub(tmp_path / "noopf.epub", {"OEBPS/other.txt": "hello"})
    with pytest.raises(InputError, match="could not be read"):
        read_epub(path.read_bytes(), path)


def test_epub_with_no_text_raises_input_error(tmp_path: Path) -> None:
    manifest = '<item id="a" href="a.xhtml" media-type="application/xhtml+xml"/>'
    files = {
        "OEBPS/content.opf": _opf("3.0", manifest, '<itemref idref="a"/>', toc_attr=""),
        "OEBPS/a.xhtml": _xhtml("<div><img src='x.png'/></div>"),
    }
    path = _zip_epub(tmp_path / "empty.epub", files)
    with pytest.raises(InputError, match="no readable story text"):
        read_epub(path.read_bytes(), path)


def test_formats_epub_cover_reaches_the_chapter_tags(tmp_path: Path) -> None:
    """The EPUB's own cover is embedded in every chapter MP3 (no cover.jpg beside the book needed)."""
    import shutil

    import pytest
    from mutagen.id3 import ID3

    from narrator.pipeline import build

    if not shutil.which("ffmpeg"):
        pytest.skip("needs ffmpeg")
    result = build(_ao3_like(tmp_path), tmp_path / "out", engine="silent", jobs=1)
    for chapter in result.chapters:
        pictures = ID3(chapter.file).getall("APIC")
        assert pictures and pictures[0].data == PNG and pictures[0].mime == "image/png"


def test_epub_nonlinear_pages_and_guide_marked_matter_are_skipped(tmp_path: Path) -> None:
    pages = [
        Page("ded.xhtml", "For M.", "<p>For Morwen, who kept the light.</p>"),
        Page("c1.xhtml", "Chapter 1", "<h1>Chapter 1</h1><p>The tide was out.</p>"),
        Page("fn.xhtml", "Notes", "<p>A footnote that pops up.</p>", linear=False),
        Page("c2.xhtml", "Chapter 2", "<h1>Chapter 2</h1><p>The tide came in.</p>"),
        Page("bio.xhtml", "Morgan Vale", "<p>Morgan Vale writes by the sea.</p>"),
    ]
    toc = [("ded.xhtml", "For M."), ("c1.xhtml", "Chapter 1"), ("c2.xhtml", "Chapter 2"), ("bio.xhtml", "Morgan Vale")]
    path = write_epub(tmp_path / "tide.epub", title="Tide", pages=pages, toc=toc,
                      guide=[("ded.xhtml", "dedication"), ("bio.xhtml", "colophon")])
    story = _read(path)
    assert story.text == "Chapter 1\n\nThe tide was out.\n\nChapter 2\n\nThe tide came in."


def test_epub3_nav_wins_over_a_stale_ncx(tmp_path: Path) -> None:
    """When a book carries both, the EPUB 3 nav is the table of contents (the NCX is for old readers)."""
    pages = [Page("a.xhtml", "a", "<p>Wind first.</p>"), Page("b.xhtml", "b", "<p>Rain second.</p>")]
    path = write_epub(tmp_path / "weather.epub", title="Weather", pages=pages,
                      toc=[("a.xhtml", "Wind"), ("b.xhtml", "Rain")])
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    files["EPUB/toc.ncx"] = files["EPUB/toc.ncx"].replace(b">Wind<", b">Old Wind<").replace(b">Rain<", b">Old Rain<")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    assert [t for _, t in _read(path).chapter_hints] == ["Wind", "Rain"]


def test_epub_paths_match_whatever_their_case_and_entities_are_not_expanded(tmp_path: Path) -> None:
    manifest = '<item id="a" href="Text/Chapter.xhtml" media-type="application/xhtml+xml"/>'
    opf = _opf("3.0", manifest, '<itemref idref="a"/>', toc_attr="").replace(
        '<?xml version="1.0"?>', '<?xml version="1.0"?><!DOCTYPE package [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    ).replace("<dc:title>Ferry Tales</dc:title>", "<dc:title>Ferry &x;Tales</dc:title>")
    files = {"OEBPS/content.opf": opf, "OEBPS/text/chapter.xhtml": _xhtml("<p>Made on a case-blind disk.</p>")}
    story = _read(_zip_epub(tmp_path / "case.epub", files))
    assert story.text == "Made on a case-blind disk."
    assert "root" not in story.title


def test_epub_ao3_like_notes_are_not_read_unless_asked_for(tmp_path: Path) -> None:
    # Found by the reader (story.notes) but read aloud by the build: the splitter never consulted them.
    from narrator.chapters import split_chapters

    story = read_story(_ao3_like(tmp_path))

    def said(**kw) -> str:  # type: ignore[no-untyped-def]
        return " ".join(story.text[p.start:p.end] for c in split_chapters(story, **kw) for p in c.paragraphs)

    assert "be gentle" not in said() and "Thanks for the kudos" not in said()
    assert "Tamsin carried the ladder" in said() and "every lamp on the hill" in said()
    assert "be gentle" in said(include_notes=True)
