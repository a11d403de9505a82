"""Shared machinery: HTML to a flat list of blocks, and blocks to the plain-text shape with spans."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Literal

from bs4 import BeautifulSoup, Comment, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from narrator.chapters import holds_speech
from narrator.dialogue import uses_single_quotes, verse_joins
from narrator.models import Span

BlockKind = Literal["para", "heading", "break"]

SCENE_BREAK = "* * *"

# Separator paragraphs people type by hand ("* * *", "~~~", "o0o", "⁂") mean a scene break.
_BREAK_TEXT = re.compile(
    r"^\s*(?:(?:[*~\-_=#⁂•·+◇◆○●§]\s*)+|(?:(?:o0o|oOo|OoO|0o0|xXx|XxX)\s*)+)\s*$"
)
# "Notes:", "Chapter End Notes", "Author's Note:", "A/N" standing alone as a label. AO3's "Chapter Summary" (its
# downloads) and "Summary:" (its saved work pages) box is the writer's blurb for the chapter, like a note: it was
# read aloud after the label, and on a saved page "Summary:" ran into the chapter title ("The Lamp Room, Summary:").
_NOTE_LABEL = re.compile(
    r"^\s*(?:chapter\s+|end\s+|story\s+|beginning\s+)*(?:author'?s'?\s+|a/?n\s*)?notes?\s*:?\s*$|^\s*a/n\s*:?\s*$"
    r"|^\s*(?:chapter\s+)?summary\s*:?\s*$",
    re.IGNORECASE,
)
# A paragraph that opens with "A/N:" or "Author's note -" is a one-paragraph note.
_NOTE_PREFIX = re.compile(r"^\s*(?:\(|\[)?\s*(?:a/n|author'?s'?\s+notes?)\s*[:\-–—]", re.IGNORECASE)
# Only the writer's own note says so ("Author's Note", "A/N"); a bare "Notes:" label may be the story's own.
_AUTHORS_LABEL = re.compile(r"\bauthor|\ba/?n\b", re.IGNORECASE)

_BLOCK_TAGS = frozenset(
    ["p", "div", "section", "article", "blockquote", "li", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "header", "footer", "main", "aside", "figure", "figcaption", "pre", "center", "address", "body", "html", "details", "summary", "hgroup"]
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_DROP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "head", "title", "nav", "form", "button", "select", "option", "textarea", "input", "iframe", "svg", "math", "img", "audio", "video", "canvas", "object", "embed", "map", "area", "label", "meta", "link"]
)
_ITALIC_TAGS = frozenset({"i", "em", "cite", "dfn", "var"})
# Web-page furniture: class/id words that never hold story text.
_WEB_FURNITURE = frozenset(
    ["comments", "comment", "commentlist", "respond", "footer", "nav", "navbar", "navigation", "menu", "sidebar", "share", "sharing", "social", "breadcrumb", "breadcrumbs", "kudos", "feedback", "advertisement", "advert", "ad", "ads", "banner", "cookie", "cookies", "skip", "login", "search", "pagination", "pager", "actions", "chapter-select", "chapterselect", "review", "reviews", "review-form", "masthead", "landmark", "skiplinks",
     # A blog's chapter page (WordPress, where web serials live): the site's name and tagline, the "Posted on ...
     # by ..." line, the "Like this:" box (it became a chapter of its own) and related posts.
     "site-header", "site-branding", "site-title", "site-description", "entry-meta", "post-meta", "entry-footer",
     "flair", "likebox", "relatedposts"]
)
# A paragraph of links between a serial's chapters ("Previous Chapter | Table of Contents | Next Chapter"),
# above and below the text of nearly every web-serial chapter page: it was read aloud twice per chapter.
_NAV_WORD = r"(?:(?:previous|prev|next|first|last|latest)(?:\s+(?:chapter|part|page|post|episode))?|" \
            r"table\s+of\s+contents|contents|index|toc|home|chapter\s+list)"
_NAV_LINE = re.compile(rf"^[\s«»<>←→‹›|/·•\-–—]*{_NAV_WORD}(?:[\s«»<>←→‹›|/·•\-–—]+{_NAV_WORD})*[\s«»<>←→‹›|/·•\-–—]*$",
                       re.IGNORECASE)
_WEB_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu"})


@dataclass
class Block:
    """One paragraph, heading or scene break, as found in the source document."""

    kind: BlockKind
    runs: list[tuple[str, bool]] = field(default_factory=list)
    """(text, italic) pieces in order; whitespace not yet collapsed."""
    level: int = 0
    """Heading level (1..6) for headings."""
    note: int = 0
    """Author's-note group (0 = story text); consecutive blocks of one group form one note."""
    ids: set[str] = field(default_factory=set)
    """Anchors (id/name) that point at or into this block, for TOC links with a #fragment."""
    parents: tuple[int, ...] = ()
    """Identities of the enclosing elements, outermost first (to tell where a labelled note ends)."""
    line_break: bool = False
    """A single <br> ends this block: the next one is the next line of the same paragraph (a verse's line)."""

    @property
    def text(self) -> str:
        return " ".join("".join(t for t, _ in self.runs).split())


def parse_html(data: bytes | str) -> BeautifulSoup:
    """Parse (X)HTML leniently: lxml copes with both and with broken markup."""
    with warnings.catch_warnings():
        # EPUB chapters are XHTML; the HTML parser reads them fine and forgives broken markup.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(data, "lxml")


def _tokens(tag: Tag) -> set[str]:
    classes = tag.get("class") or []
    if isinstance(classes, str):
        classes = classes.split()
    words = {c.lower() for c in classes}
    ident = tag.get("id")
    if isinstance(ident, str):
        words.add(ident.lower())
    return words


def is_furniture(tag: Tag) -> bool:
    """True for a web page's navigation, comments, footer and the like."""
    if tag.name in {"footer", "nav", "aside"}:
        return True
    role = tag.get("role")
    if isinstance(role, str) and role.lower() in _WEB_ROLES:
        return True
    for word in _tokens(tag):
        if word in _WEB_FURNITURE or any(p in _WEB_FURNITURE for p in re.split(r"[-_]", word) if len(p) > 2):
            return True
    return False


def _is_note_container(tag: Tag) -> bool:
    return any("note" in w and "footnote" not in w for w in _tokens(tag))


def _is_italic(tag: Tag) -> bool:
    if tag.name in _ITALIC_TAGS:
        return True
    style = tag.get("style")
    if isinstance(style, str) and re.search(r"font-style\s*:\s*(italic|oblique)", style, re.IGNORECASE):
        return True
    return any(w in {"italic", "italics", "ital", "em", "emphasis"} for w in _tokens(tag))


class _Walker:
    def __init__(self, web: bool) -> None:
        self.web = web
        self.blocks: list[Block] = []
        self.runs: list[tuple[str, bool]] = []
        self.pending_ids: set[str] = set()
        self.note = 0
        self.note_counter = 0
        self.parents: list[int] = []

    def flush(self, kind: BlockKind = "para", level: int = 0) -> None:
        runs, self.runs = self.runs, []
        if not "".join(t for t, _ in runs).strip():
            return
        block = Block(kind, runs, level, self.note, self.pending_ids, tuple(self.parents))
        self.pending_ids = set()
        if kind == "para" and _BREAK_TEXT.match(block.text):
            block = Block("break", [], 0, self.note, block.ids, block.parents)
        self.blocks.append(block)

    def end_line(self) -> None:
        """A block element starts or ends: the text before it is no line of the paragraph after it."""
        if self.blocks:
            self.blocks[-1].line_break = False

    def visit(self, node: Tag, italic: bool) -> None:
        for child in node.children:
            if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction, CData)):
                continue
            if isinstance(child, NavigableString):
                self.runs.append((str(child), italic))
                continue
            if not isinstance(child, Tag):
                continue
            self.element(child, italic)

    def element(self, tag: Tag, italic: bool) -> None:
        name = (tag.name or "").lower().split(":")[-1]
        if name in _DROP_TAGS or (self.web and is_furniture(tag)):
            return
        for attr in ("id", "name"):
            value = tag.get(attr)
            if isinstance(value, str) and value:
                self.pending_ids.add(value)
        if name == "br":
            if "".join(t for t, _ in self.runs).strip():
                self.flush()
                if self.blocks and self.blocks[-1].kind == "para":
                    self.blocks[-1].line_break = True
            elif self.blocks:
                self.blocks[-1].line_break = False  # <br><br>: a blank line, the paragraph break of many pages
            return
        if name == "hr":
            self.flush()
            self.blocks.append(Block("break", [], 0, self.note, self.pending_ids, tuple(self.parents)))
            self.pending_ids = set()
            return
        enters_note = not self.note and _is_note_container(tag)
        if enters_note:
            self.flush()
            self.note_counter += 1
            self.note = self.note_counter
        if name in _HEADINGS:
            self.flush()
            self.visit(tag, italic)
            self.flush("heading", _HEADINGS[name])
        elif name in _BLOCK_TAGS:
            self.flush()
            self.end_line()
            self.parents.append(id(tag))
            self.visit(tag, italic or _is_italic(tag))
            self.parents.pop()
            self.flush()  # a block's parents are its enclosing elements, not itself
            self.end_line()
        else:
            self.visit(tag, italic or _is_italic(tag))
        if enters_note:
            self.flush()
            self.note = 0


def html_blocks(root: Tag, *, web: bool = False, first_note: int = 0) -> list[Block]:
    """Flatten an element into blocks; `web` drops page furniture (menus, comments, footers)."""
    walker = _Walker(web)
    walker.note_counter = first_note
    walker.visit(root, False)
    walker.flush()
    walker.blocks = _join_verse(walker.blocks)
    if web:
        walker.blocks = [b for b in walker.blocks if not (b.kind == "para" and _NAV_LINE.match(b.text))]
    mark_labelled_notes(walker.blocks, first_note=walker.note_counter)
    return walker.blocks


def _join_verse(blocks: list[Block]) -> list[Block]:
    """Lines parted by a single <br> that one quotation runs over (a song, a letter read aloud) as one block:
    the same reading as for a plain-text story's lines (dialogue.verse_joins)."""
    if not any(b.line_break for b in blocks):
        return blocks
    texts = [b.text for b in blocks]
    joined = "\n".join(texts)
    lines: list[tuple[int, int] | None] = []
    owner: list[int] = []  # the block of each entry in `lines`
    pos = 0
    for i, (block, text) in enumerate(zip(blocks, texts, strict=True)):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        lines.append((pos, pos + len(text)) if block.kind == "para" else None)
        owner.append(i)
        if not (block.line_break and nxt is not None and nxt.kind == "para" and nxt.note == block.note):
            lines.append(None)
            owner.append(i)
        pos += len(text) + 1
    carried = {owner[j] for j in verse_joins(joined, lines, uses_single_quotes(joined))}
    out: list[Block] = []
    for i, block in enumerate(blocks):
        if i in carried:
            out[-1].runs.extend([("\n", False), *block.runs])
            out[-1].ids |= block.ids
        else:
            out.append(block)
    return out


def is_note_label(text: str) -> bool:
    """True for a line that only announces an author's note ("Notes:", "Author's Note")."""
    return bool(_NOTE_LABEL.match(text))


def mark_labelled_notes(blocks: list[Block], first_note: int = 0) -> None:
    """Group blocks that follow a "Notes:"/"A/N" label (or open with "A/N:") into author's notes."""
    group = max([first_note, *(b.note for b in blocks)])
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.note or block.kind == "break":
            i += 1
            continue
        text = block.text
        if block.kind == "para" and _NOTE_PREFIX.match(text) and not is_note_label(text):
            group += 1
            block.note = group
            i += 1
            continue
        if not is_note_label(text):
            i += 1
            continue
        group += 1
        block.note = group
        end = _labelled_note_end(blocks, i)
        for j in range(i + 1, end):
            blocks[j].note = group
        i = max(end, i + 1)


def _labelled_note_end(blocks: list[Block], label: int) -> int:
    """Index after the last block of the note a label opens."""
    lab = blocks[label]
    nxt = label + 1
    if nxt >= len(blocks):
        return nxt
    depth = len(lab.parents)
    follow = blocks[nxt]
    # The label introduces a box of its own (AO3: "Notes:" then a blockquote): the note is that box.
    if len(follow.parents) > depth and follow.parents[:depth] == lab.parents:
        box = follow.parents[depth]
        end = nxt
        while end < len(blocks) and len(blocks[end].parents) > depth and blocks[end].parents[depth] == box:
            end += 1
        return end
    if not _AUTHORS_LABEL.search(lab.text):
        # A bare "Notes:" among flat paragraphs is the label and the one paragraph after it, as in plain text
        # (chapters.py): it may be the note a character finds, and reaching to the break hid the story after it.
        return nxt + 1 if follow.kind == "para" else nxt
    # Flat paragraphs after an author's note label: the note runs to the next break or heading if one comes
    # soon, to the end of its container if that is near (closing notes), and otherwise covers just the next
    # paragraph.
    parent = lab.parents[-1] if lab.parents else None
    inside = nxt
    while inside < len(blocks) and (parent is None or parent in blocks[inside].parents):
        inside += 1
    stop = nxt
    while stop < inside and blocks[stop].kind == "para" and not blocks[stop].note:
        stop += 1
    if any(holds_speech(b.text) for b in blocks[nxt + 1 : stop]):
        # The story resumes inside that reach (a line of dialogue is story, not a note): the label and the one
        # paragraph after it are the note. The chapter splitter leaves note spans out, so a wider reach is lost text.
        return nxt + 1 if follow.kind == "para" else nxt
    if stop < inside and blocks[stop].kind in {"break", "heading"} and stop - label <= 8:
        return stop
    if inside == stop and inside - label <= 8:
        return inside
    return nxt + 1 if follow.kind == "para" else nxt


# ---------------------------------------------------------------- text building


class TextBuilder:
    """Write blocks in the plain-text shape (one blank line between paragraphs) and record spans."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.chapter_hints: list[tuple[Span, str]] = []
        self.notes: list[Span] = []
        self.thoughts: list[Span] = []
        self.emphasis: list[Span] = []
        self._break_pending = False
        self._note_key: object = None
        self._note_start = 0
        self._note_end = 0
        self._since_heading = True

    def _write(self, line: str) -> int:
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        start = self.length
        self.parts.append(line)
        self.length += len(line)
        return start

    def _close_note(self) -> None:
        if self._note_key is not None:
            self.notes.append(Span(self._note_start, self._note_end))
            self._note_key = None

    def heading(self, line: str, title: str) -> None:
        """Start a chapter: its heading line as it reads, and its clean title."""
        self._close_note()
        self._break_pending = False
        line = " ".join(line.split())
        start = self._write(line)
        self.chapter_hints.append((Span(start, start + len(line)), " ".join(title.split()) or line))
        self._since_heading = True

    def scene_break(self) -> None:
        """Ask for a scene break before the next paragraph (dropped at a chapter's start or end)."""
        if not self._since_heading:
            self._break_pending = True

    def paragraph(self, runs: list[tuple[str, bool]], note: object = None) -> None:
        """Add one paragraph; italic runs become emphasis, an all-italic paragraph a thought."""
        text, italic_spans = _collapse(runs)
        if not text:
            return
        if note != self._note_key:
            self._close_note()
        if self._break_pending:
            self._break_pending = False
            self._write(SCENE_BREAK)
        start = self._write(text)
        self._since_heading = False
        if note is not None:
            if self._note_key is None:
                self._note_key = note
                self._note_start = start
            self._note_end = start + len(text)
            return
        if italic_spans and _covers_words(text, italic_spans):
            self.thoughts.append(Span(start, start + len(text)))
        else:
            self.emphasis.extend(Span(start + a, start + b) for a, b in italic_spans)

    def finish(self) -> str:
        """The text built so far (closing any open note)."""
        self._close_note()
        return "".join(self.parts)

    def marks(self) -> dict[str, tuple]:
        """The Story fields this builder recorded: chapter hints, notes, thoughts and emphasis."""
        return {"chapter_hints": tuple(self.chapter_hints), "notes": tuple(self.notes),
                "thoughts": tuple(self.thoughts), "emphasis": tuple(self.emphasis)}


def _collapse(runs: list[tuple[str, bool]]) -> tuple[str, list[tuple[int, int]]]:
    """Join runs with HTML whitespace rules; return the text and the italic ranges with words in them."""
    out: list[str] = []
    size = 0
    spans: list[tuple[int, int]] = []
    for raw, italic in runs:
        piece = re.sub(r"\s+", " ", raw.replace("\u00ad", ""))
        if not piece:
            continue
        if piece.startswith(" ") and (size == 0 or out[-1].endswith(" ")):
            piece = piece[1:]
        if not piece:
            continue
        start = size
        out.append(piece)
        size += len(piece)
        if italic and re.search(r"\w", piece):
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece.rstrip())
            a, b = start + lead, start + trail
            if spans and not "".join(out)[spans[-1][1] : a].strip():
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
    text = "".join(out)
    stripped = text.rstrip()
    spans = [(a, min(b, len(stripped))) for a, b in spans if a < len(stripped)]
    return stripped, spans


def _covers_words(text: str, spans: list[tuple[int, int]]) -> bool:
    """True when every letter or digit of the paragraph is inside an italic range."""
    inside = [False] * len(text)
    for a, b in spans:
        for k in range(a, b):
            inside[k] = True
    return all(inside[k] for k, ch in enumerate(text) if ch.isalnum())


def is_chapter_heading(text: str) -> bool:
    """True for text that reads like a chapter heading ("Chapter 3", "Part Two", "Prologue")."""
    return bool(
        re.match(
            r"^\W*(?:chapter|chap\.|part|book|act|volume|prologue|epilogue|interlude|afterword|"
            r"foreword|intermission|\d+\s*[.:)\-]|[ivxlc]+\s*[.:)\-])",
            text.strip(),
            re.IGNORECASE,
        )
    )


def write_blocks(builder: TextBuilder, blocks: list[Block]) -> None:
    """Write body blocks (paragraphs, sub-headings, breaks) into the builder."""
    for block in blocks:
        if block.kind == "break":
            if not block.note:
                builder.scene_break()
        else:
            if block.kind == "heading" and not block.note:
                # A section heading inside a chapter ("## The Gate" under "# Chapter 1") opens a new scene: a
                # pause and a chapter mark before it, its title read as the scene's first line.
                builder.scene_break()
            builder.paragraph(block.runs, note=block.note or None)


def write_chapters(builder: TextBuilder, blocks: list[Block], title: str | None) -> None:
    """Write blocks chapter by chapter: each chapter-level heading, then its body."""
    for heading, body in heading_split(blocks, title):
        if heading is not None:
            builder.heading(heading.text, heading.text)
        write_blocks(builder, body)


def heading_split(blocks: list[Block], title: str | None = None) -> list[tuple[Block | None, list[Block]]]:
    """Cut blocks into chapters at their chapter-level headings (the level chapters use most)."""
    candidates = [
        b for b in blocks
        if b.kind == "heading" and not b.note and not is_note_label(b.text)
        and not (title and _same(b.text, title))
    ]
    if not candidates:
        return [(None, blocks)]
    chosen = {id(b) for b in candidates}
    named = [b for b in candidates if is_chapter_heading(b.text)]
    if named:
        level = min(b.level for b in named)
    else:
        levels = sorted({b.level for b in candidates})
        repeated = [lv for lv in levels if sum(b.level == lv for b in candidates) >= 2]
        level = repeated[0] if repeated else levels[0]
    chapters: list[tuple[Block | None, list[Block]]] = [(None, [])]
    for block in blocks:
        if id(block) in chosen and block.level == level:
            chapters.append((block, []))
        else:
            chapters[-1][1].append(block)
    return chapters


def _same(a: str, b: str) -> bool:
    def key(s: str) -> str:
        return re.sub(r"\W+", " ", s).strip().casefold()

    return key(a) == key(b)
