"""EPUB 2 and 3: metadata and cover from the package, chapters from the TOC in spine order.

The package (container.xml, the OPF, the EPUB 3 nav or EPUB 2 NCX) is read here with zipfile and
lxml rather than with an EPUB library: the well-known one, EbookLib, is AGPL-3.0, and reading four
small XML files ourselves keeps narrator's dependencies permissive or GPL-compatible without the
AGPL's network clause (README, "Why narrator reads EPUB itself").
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag

from bs4 import BeautifulSoup
from lxml import etree

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
from narrator.reader import title_from_path

# Font obfuscation is not DRM: the text stays readable.
_FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
# epub:type / guide values of pages that are about the book rather than the story.
_MATTER_TYPES = frozenset(
    ["cover", "titlepage", "title-page", "halftitlepage", "toc", "dedication", "copyright-page", "colophon", "imprint", "acknowledgments", "acknowledgements", "landmarks", "loi", "lot", "other-credits", "contributors", "errata", "index", "bibliography", "afterword", "preface", "frontmatter", "backmatter", "appendix"]
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


_XHTML_TYPES = frozenset(["application/xhtml+xml", "text/html", "application/xml", "text/xml"])
# Never resolve entities or fetch anything: a book is untrusted input.
_XML = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
_EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def _local(el: etree._Element) -> str:
    # Books in the wild drop or rename namespaces: match elements by local name only.
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


@dataclass(frozen=True)
class _Item:
    """One manifest entry."""

    id: str
    href: str
    """Path inside the zip (resolved against the OPF's folder)."""
    media_type: str
    properties: frozenset[str]


@dataclass
class _Package:
    """What narrator needs of an EPUB package: metadata, manifest, spine, guide and table of contents."""

    zf: zipfile.ZipFile
    metadata: dict[str, list[str]]
    items: dict[str, _Item]
    spine: list[tuple[_Item, bool]]
    """Spine items with their `linear` flag."""
    guide: dict[str, str]
    """Document path -> guide reference type."""
    toc: list[tuple[str, str, str]]
    """(document path, fragment, label) in TOC order: the EPUB 3 nav, else the NCX."""
    cover_id: str | None
    _names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, zf: zipfile.ZipFile) -> _Package:
        names = {n.casefold(): n for n in zf.namelist()}
        container = etree.fromstring(zf.read("META-INF/container.xml"), _XML)
        rootfile = next((el.get("full-path") for el in container.iter() if _local(el) == "rootfile"), None)
        if not rootfile:
            raise ValueError("container.xml names no package document")
        opf_path = _norm(rootfile)
        real = names.get(opf_path.casefold())
        if real is None:
            raise KeyError(f"the package document {opf_path} is missing")
        opf = etree.fromstring(zf.read(real), _XML)
        if opf is None:
            raise ValueError(f"{opf_path} is not XML")
        base = posixpath.dirname(opf_path)
        metadata: dict[str, list[str]] = {}
        cover_id = None
        items: dict[str, _Item] = {}
        spine: list[tuple[_Item, bool]] = []
        guide: dict[str, str] = {}
        ncx_id = None
        for section in opf:
            kind = _local(section)
            if not kind:
                continue
            for el in section.iter() if kind == "metadata" else section:
                name = _local(el)
                if not name:
                    continue  # comments, processing instructions, unexpanded entities
                if kind == "metadata":
                    if el.get("name") == "cover" and el.get("content"):
                        cover_id = el.get("content")
                    elif etree.QName(el).namespace == "http://purl.org/dc/elements/1.1/":
                        metadata.setdefault(name, []).append(_text(el))
                elif kind == "manifest" and name == "item" and el.get("id") and el.get("href"):
                    items[el.get("id")] = _Item(el.get("id"), _join(base, el.get("href")),
                                                (el.get("media-type") or "").lower(),
                                                frozenset((el.get("properties") or "").split()))
                elif kind == "spine" and name == "itemref" and el.get("idref") in items:
                    spine.append((items[el.get("idref")], (el.get("linear") or "yes").lower() != "no"))
                elif kind == "guide" and name == "reference" and el.get("href"):
                    guide[_join(base, el.get("href"))] = (el.get("type") or "").lower()
            if kind == "spine":
                ncx_id = section.get("toc")
        package = cls(zf, metadata, items, spine, guide, [], cover_id, names)
        nav = next((i for i in items.values() if "nav" in i.properties), None)
        ncx = items.get(ncx_id or "") or next(
            (i for i in items.values() if i.media_type == "application/x-dtbncx+xml"), None)
        # Prefer the EPUB 3 nav; if it is missing, broken or empty, the NCX may still be fine.
        package.toc = (package._nav_toc(nav) if nav else []) or (package._ncx_toc(ncx) if ncx else [])
        return package

    def read(self, href: str) -> bytes | None:
        """A file of the book by its resolved path (case-insensitive: books made on Windows differ)."""
        real = self._names.get(href.casefold())
        return self.zf.read(real) if real else None

    def _xml(self, item: _Item) -> etree._Element | None:
        data = self.read(item.href)
        if not data:
            return None
        try:
            return etree.fromstring(data, _XML)
        except etree.XMLSyntaxError:
            return None

    def _nav_toc(self, item: _Item) -> list[tuple[str, str, str]]:
        root = self._xml(item)
        if root is None:
            return []
        navs = [el for el in root.iter() if _local(el) == "nav"]
        toc = next((n for n in navs if "toc" in (n.get(_EPUB_TYPE) or n.get("type") or "").split()), None)
        chosen = toc if toc is not None else (navs[0] if navs else None)
        if chosen is None:
            return []
        folder = posixpath.dirname(item.href)
        return [_entry(folder, a.get("href"), _text(a)) for a in chosen.iter()
                if _local(a) == "a" and a.get("href")]

    def _ncx_toc(self, item: _Item) -> list[tuple[str, str, str]]:
        root = self._xml(item)
        if root is None:
            return []
        folder = posixpath.dirname(item.href)
        out = []
        for point in root.iter():
            if _local(point) != "navPoint":
                continue
            label = next((_text(t) for t in point.iter() if _local(t) == "text"), "")
            src = next((c.get("src") for c in point if _local(c) == "content" and c.get("src")), None)
            if src:
                out.append(_entry(folder, src, label))
        return out


def _join(base: str, href: str) -> str:
    return _norm(posixpath.join(base, unquote(urldefrag(href)[0])))


def read_epub(data: bytes, path: Path | None) -> Story:
    """Read an EPUB 2 or 3 book into a Story with its chapters, notes, thoughts and cover."""
    label = path.name if path else "the EPUB input"
    _check_package(data, label)
    book = _load(data, label)
    docs = _spine_docs(book, book.guide)
    title = _first_meta(book, "title") or (title_from_path(path) if path else "Untitled")
    toc = book.toc
    builder = TextBuilder()
    used = _write_toc_chapters(builder, docs, toc, title) if toc else False
    if not used:
        write_chapters(builder, [b for d in docs if not d.matter for b in d.blocks], title)
    text = builder.finish()
    if not text.strip():
        raise InputError(f"{label}: the EPUB holds no readable story text; check it opens in an e-book reader.")
    cover, cover_mime = _cover(book)
    authors = [v for v in book.metadata.get("creator", []) if v.strip()]
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


def _load(data: bytes, label: str) -> _Package:
    try:
        return _Package.open(zipfile.ZipFile(io.BytesIO(data)))
    except InputError:
        raise
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise InputError(f"{label}: the EPUB package could not be read ({exc}); download it again.") from None


def _norm(href: str) -> str:
    return posixpath.normpath(unquote(urldefrag(href)[0])) if href else ""


def _spine_docs(book: _Package, guide: dict[str, str]) -> list[_Doc]:
    docs: list[_Doc] = []
    note_base = 0
    for item, linear in book.spine:
        if item.media_type not in _XHTML_TYPES or "nav" in item.properties:
            continue
        if not linear:
            continue  # pop-up footnotes and the like, outside the reading order
        soup = parse_html(book.read(item.href) or b"")
        root = soup.body or soup
        blocks = html_blocks(root, first_note=note_base)
        note_base = max([note_base, *(b.note for b in blocks)])
        types = set()
        for tag in [root, *root.find_all(["section", "div"], limit=3)]:
            value = tag.get("epub:type") or tag.get("type") or ""
            types.update(str(value).lower().split())
        doc = _Doc(
            name=item.href,
            blocks=blocks,
            title=soup.title.get_text(" ", strip=True) if soup.title else "",
            types=types,
        )
        doc.matter = _is_matter(doc, guide.get(doc.name, "") or guide.get(item.href, ""))
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


def _entry(base: str, href: str, label: str | None) -> tuple[str, str, str]:
    """A TOC link as (document path inside the zip, fragment, label); hrefs are relative to the TOC file."""
    target, fragment = urldefrag(href)
    name = posixpath.normpath(posixpath.join(base, unquote(target)))
    return name, unquote(fragment), " ".join((label or "").split())


def _write_toc_chapters(builder: TextBuilder, docs: list[_Doc], toc: list[tuple[str, str, str]], title: str) -> bool:
    """Cut the spine at TOC entries; False when the TOC names no story document."""
    index = {d.name.casefold(): k for k, d in enumerate(docs)}
    starts: dict[tuple[int, int], str] = {}
    for name, fragment, label in toc:
        if name.casefold() not in index:
            continue
        d = index[name.casefold()]
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


def _first_meta(book: _Package, name: str) -> str | None:
    return next((v for v in book.metadata.get(name, []) if v.strip()), None)


def _description(book: _Package, docs: list[_Doc]) -> str | None:
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


def _cover(book: _Package) -> tuple[bytes | None, str | None]:
    """The cover image: EPUB 3's cover-image item, EPUB 2's <meta name="cover">, else an image named cover."""
    images = [i for i in book.items.values() if i.media_type.startswith("image/")]
    chosen = next((i for i in images if "cover-image" in i.properties), None)
    if chosen is None and book.cover_id in book.items and book.items[book.cover_id].media_type.startswith("image/"):
        chosen = book.items[book.cover_id]
    if chosen is None:
        chosen = next((i for i in images if "cover" in (i.id + posixpath.basename(i.href)).lower()), None)
    data = book.read(chosen.href) if chosen else None
    if chosen is None or not data:
        return None, None
    return data, chosen.media_type
