"""EPUB 2 and 3: metadata and cover from the package, chapters from the TOC in spine order."""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag

from bs4 import BeautifulSoup

from narrator.errors import InputError
from narrator.formats._blocks import (
    Block,
    TextBuilder,
    html_blocks,
    is_chapter_heading,
    parse_html,
    write_blocks,
    write_chapters,
)
from narrator.models import Story

# Font obfuscation is not DRM: the text stays readable.
_FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
# epub:type / guide values of pages that are about the book rather than the story.
_MATTER_TYPES = frozenset(
    ["cover", "titlepage", "title-page", "halftitlepage", "toc", "copyright-page", "colophon", "imprint", "acknowledgments", "acknowledgements", "landmarks", "loi", "lot", "other-credits", "contributors", "errata", "index", "bibliography", "afterword", "preface", "frontmatter", "backmatter", "appendix"]
)
_MATTER_TITLE = re.compile(
    r"^\W*(?:title\s*page|cover(?:\s*page)?|(?:table\s+of\s+)?contents|toc(?:\s*page)?|copyright(?:\s*page)?|"
    r"about\s+(?:the\s+)?authors?|also\s+by\b.*|other\s+(?:books|works)\b.*|acknowledge?ments?|"
    r"dedication|information|(?:story|work|fic)\s*info(?:rmation)?|info(?:\s*page)?|preface|afterword|"
    r"update\s*log|log\s*page|colophon|imprint|index|nav|landmarks|credits)\W*$",
    re.IGNORECASE,
)
# Lines of a story-info page (AO3 preface, FanFicFare title page).
_INFO_LINE = re.compile(
    r"^\s*(?:rating|rated|warnings?|archive warnings?|category|categories|fandoms?|relationships?|pairings?|"
    r"characters|additional tags|tags|language|series|stats|published|updated|completed|words|word count|"
    r"chapters|status|genres?|source|kudos|hits|bookmarks|comments|reviews|favs|follows|story url|"
    r"packaged|collections)\s*:",
    re.IGNORECASE,
)


@dataclass
class _Doc:
    name: str
    """Path of the document inside the package, relative to the OPF folder."""
    blocks: list[Block]
    title: str
    types: set[str] = field(default_factory=set)
    matter: bool = False


def read_epub(data: bytes, path: Path | None) -> Story:
    """Read an EPUB 2 or 3 book into a Story with its chapters, notes, thoughts and cover."""
    label = path.name if path else "the EPUB input"
    _check_package(data, label)
    book = _load(data, label)
    guide = {_norm(g.get("href") or ""): (g.get("type") or "").lower() for g in getattr(book, "guide", [])}
    docs = _spine_docs(book, guide)
    title = _first_meta(book, "title") or (path.stem if path else "Untitled")
    toc = _toc(book)
    builder = TextBuilder()
    used = _write_toc_chapters(builder, docs, toc, title) if toc else False
    if not used:
        write_chapters(builder, [b for d in docs if not d.matter for b in d.blocks], title)
    text = builder.finish()
    if not text.strip():
        raise InputError(f"{label}: the EPUB holds no readable story text; check it opens in an e-book reader.")
    cover, cover_mime = _cover(book)
    authors = [v for v, _ in book.get_metadata("DC", "creator") if v and v.strip()]
    return Story(
        title=" ".join(title.split()),
        author=", ".join(" ".join(a.split()) for a in authors) or None,
        description=_description(book, docs),
        text=text,
        path=path,
        **builder.marks(),
        cover=cover,
        cover_mime=cover_mime,
    )


def _check_package(data: bytes, label: str) -> None:
    """Refuse what is not an EPUB, or an EPUB whose text is encrypted, with a plain reason."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(
            f"{label}: not a readable EPUB (the zip container is damaged: {exc}); download it again."
        ) from exc
    if "META-INF/container.xml" not in names:
        raise InputError(f"{label}: not a valid EPUB (META-INF/container.xml is missing); download it again.")
    drm = "META-INF/rights.xml" in names
    if "META-INF/encryption.xml" in names:
        algorithms = set(re.findall(rb'Algorithm="([^"]+)"', zf.read("META-INF/encryption.xml")))
        drm = drm or any(a.decode("utf-8", "replace") not in _FONT_OBFUSCATION for a in algorithms)
    if drm:
        raise InputError(
            f"{label}: this EPUB is DRM-protected (its text is encrypted); narrator can only read "
            "DRM-free books, so use a DRM-free copy from the seller or the author."
        )


def _load(data: bytes, label: str):  # -> ebooklib.epub.EpubBook
    from ebooklib import epub  # imported here: only EPUB input needs it

    last: Exception | None = None
    # Prefer the EPUB 3 nav; if it is broken, the NCX may still be fine.
    for ignore_ncx in (True, False):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return epub.read_epub(io.BytesIO(data), {"ignore_ncx": ignore_ncx})
        except Exception as exc:  # ebooklib raises anything from KeyError to lxml errors on bad books
            last = exc
    raise InputError(f"{label}: the EPUB package could not be read ({last}); download it again.")


def _norm(href: str) -> str:
    return posixpath.normpath(unquote(urldefrag(href)[0])) if href else ""


def _spine_docs(book, guide: dict[str, str]) -> list[_Doc]:
    from ebooklib import epub

    docs: list[_Doc] = []
    note_base = 0
    for idref, linear in book.spine:
        item = book.get_item_with_id(idref)
        if not isinstance(item, epub.EpubHtml) or isinstance(item, (epub.EpubNav, epub.EpubCoverHtml)):
            continue
        if str(linear).lower() == "no":
            continue  # pop-up footnotes and the like, outside the reading order
        soup = parse_html(item.content or b"")
        root = soup.body or soup
        blocks = html_blocks(root, first_note=note_base)
        note_base = max([note_base, *(b.note for b in blocks)])
        types = set()
        for tag in [root, *root.find_all(["section", "div"], limit=3)]:
            value = tag.get("epub:type") or tag.get("type") or ""
            types.update(str(value).lower().split())
        doc = _Doc(
            name=_norm(item.file_name),
            blocks=blocks,
            title=soup.title.get_text(" ", strip=True) if soup.title else "",
            types=types,
        )
        doc.matter = _is_matter(doc, guide.get(doc.name, ""))
        docs.append(doc)
    return docs


def _is_matter(doc: _Doc, guide_type: str) -> bool:
    """True for a title page, TOC, copyright or info page, an afterword or "about the author"."""
    if doc.types & _MATTER_TYPES or guide_type.replace("-", "") in {t.replace("-", "") for t in _MATTER_TYPES}:
        return True
    stem = re.sub(r"[_\-]+", " ", posixpath.splitext(posixpath.basename(doc.name))[0])
    stem = re.sub(r"\s*\d+$", "", stem)
    if _MATTER_TITLE.match(stem) or (doc.title and _MATTER_TITLE.match(doc.title)):
        return True
    texts = [b.text for b in doc.blocks if b.kind != "break"]
    if not texts:
        return True
    if texts[0] and _MATTER_TITLE.match(texts[0]) and not is_chapter_heading(texts[0]):
        return True
    if sum(bool(_INFO_LINE.match(t)) for t in texts) >= 3:
        return True
    body = " ".join(texts)
    # A short page that states a copyright; a chapter merely mentioning one is long or says it later.
    return bool(re.search(r"©|all rights reserved|^\W*copyright\b", body, re.IGNORECASE)) and len(body) < 1500


def _toc(book) -> list[tuple[str, str, str]]:
    """The TOC flattened in order: (document path, fragment, label)."""
    from ebooklib import epub

    ncx = next((i for i in book.get_items() if isinstance(i, epub.EpubNcx)), None)
    has_nav = any(isinstance(i, epub.EpubNav) for i in book.get_items())
    # ebooklib resolves nav hrefs against the nav's folder but leaves NCX hrefs as written.
    base = "" if has_nav or ncx is None else posixpath.dirname(ncx.file_name)
    out: list[tuple[str, str, str]] = []

    def walk(entries) -> None:
        for entry in entries:
            if isinstance(entry, tuple) and len(entry) == 2:
                section, children = entry
                href = getattr(section, "href", None)
                if href:
                    out.append(_entry(base, href, section.title))
                walk(children)
            elif isinstance(entry, (list, tuple)):
                walk(entry)
            elif getattr(entry, "href", None):
                out.append(_entry(base, entry.href, entry.title))

    walk(book.toc or [])
    return out


def _entry(base: str, href: str, label: str | None) -> tuple[str, str, str]:
    target, fragment = urldefrag(href)
    name = posixpath.normpath(posixpath.join(base, unquote(target)))
    return name, unquote(fragment), " ".join((label or "").split())


def _write_toc_chapters(builder: TextBuilder, docs: list[_Doc], toc: list[tuple[str, str, str]], title: str) -> bool:
    """Cut the spine at TOC entries; False when the TOC names no story document."""
    index = {d.name: k for k, d in enumerate(docs)}
    starts: dict[tuple[int, int], str] = {}
    for name, fragment, label in toc:
        if name not in index:
            continue
        d = index[name]
        b = next((k for k, blk in enumerate(docs[d].blocks) if fragment in blk.ids), 0) if fragment else 0
        if docs[d].matter or _MATTER_TITLE.match(label):
            continue
        starts[(d, b)] = label  # a later (deeper) entry at the same place wins: "Part One" > "Chapter 1"
    if not starts:
        return False
    order = sorted(starts)
    for n, (d, b) in enumerate(order):
        end = order[n + 1] if n + 1 < len(order) else (len(docs), 0)
        blocks: list[Block] = []
        for k in range(d, min(end[0], len(docs) - 1) + 1):
            if docs[k].matter and k != d:
                continue
            lo = b if k == d else 0
            hi = end[1] if k == end[0] else len(docs[k].blocks)
            blocks.extend(docs[k].blocks[lo:hi])
        _write_chapter(builder, starts[(d, b)], blocks, title)
    return True


def _write_chapter(builder: TextBuilder, label: str, blocks: list[Block], book_title: str) -> None:
    """A chapter's own heading (if it opens the chapter) is its heading line; else the TOC label is."""
    heading: Block | None = None
    for k, block in enumerate(blocks):
        if block.kind == "heading" and not block.note:
            if _key(block.text) == _key(book_title) and not is_chapter_heading(block.text):
                blocks = blocks[:k] + blocks[k + 1 :]
                continue
            heading = block
            break
        if block.kind == "para" and not block.note:
            break
    if heading is not None:
        blocks = [b for b in blocks if b is not heading]
    builder.heading(heading.text if heading else label, label or (heading.text if heading else ""))
    write_blocks(builder, blocks)


def _key(s: str) -> str:
    return re.sub(r"\W+", " ", s).strip().casefold()


def _first_meta(book, name: str) -> str | None:
    for value, _ in book.get_metadata("DC", name):
        if value and value.strip():
            return value.strip()
    return None


def _description(book, docs: list[_Doc]) -> str | None:
    raw = _first_meta(book, "description")
    if raw:
        text = BeautifulSoup(raw, "html.parser").get_text(" ")  # descriptions are often escaped HTML
        return " ".join(text.split()) or None
    # Fan-fiction EPUBs keep the summary on the info page: "Summary:" then the blurb.
    for doc in docs:
        if not doc.matter:
            continue
        for k, block in enumerate(doc.blocks):
            match = re.match(r"^\s*(?:summary|description|blurb)\s*(?::\s*(.*))?$", block.text, re.IGNORECASE)
            if not match:
                continue
            if match.group(1):
                return match.group(1)
            if k + 1 < len(doc.blocks) and doc.blocks[k + 1].text:
                return doc.blocks[k + 1].text
    return None


def _cover(book) -> tuple[bytes | None, str | None]:
    from ebooklib import epub

    images = [i for i in book.get_items() if (i.media_type or "").startswith("image/")]
    chosen = next((i for i in images if isinstance(i, epub.EpubCover)), None)
    if chosen is None:
        for _, attrs in book.get_metadata("OPF", "cover"):
            item = book.get_item_with_id(attrs.get("content", ""))
            if item is not None and (item.media_type or "").startswith("image/"):
                chosen = item
                break
    if chosen is None:
        chosen = next((i for i in images if "cover" in (i.id or "").lower() + (i.file_name or "").lower()), None)
    if chosen is None or not chosen.content:
        return None, None
    return chosen.content, chosen.media_type
