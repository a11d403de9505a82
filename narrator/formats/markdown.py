"""Markdown: a thin converter to the plain-text shape (headings, emphasis, scene breaks)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from narrator.errors import InputError
from narrator.formats._blocks import (
    Block,
    TextBuilder,
    is_chapter_heading,
    mark_labelled_notes,
    write_chapters,
)
from narrator.models import Story
from narrator.reader import NarratorWarning, header_line, title_from_path

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")
# Thematic breaks ("---", "***", "* * *", "___") and the separators writers type ("~~~", "⁂", "o0o").
_BREAK = re.compile(r"^ {0,3}(?:(?:[-*_~=#⁂•·+]\s*){3,}|⁂|(?:o0o|oOo|xXx)\s*)$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# A front-matter line: "key: value", "key:", a list item or an indented continuation. A Markdown heading or a
# line of prose means the "---" that closed it was the story's first scene break, not the fence.
_YAML_LINE = re.compile(r"^(?:[ \t]*$|[A-Za-z_][\w .\-]*:(?:\s.*)?$|[ \t]*-\s|[ \t]+\S)")
# Front matter whose closing "---" was forgotten: "key: value" lines from the opening fence to a blank line.
_OPEN_FRONT_MATTER = re.compile(r"\A---[ \t]*\n((?:[A-Za-z_][\w .\-]*:[^\n]*\n)+)[ \t]*(?:\n|\Z)")
# Inline syntax, first match wins: escapes, images (dropped), links (text kept), code, strong, emphasis.
_INLINE = re.compile(
    r"\\(?P<esc>[\\`*_{}\[\]()#+\-.!~>])"
    r"|!\[(?P<alt>[^\]]*)\]\([^)]*\)"
    r"|\[(?P<link>[^\]]+)\]\([^)]*\)"
    r"|`(?P<code>[^`]+)`"
    r"|(?<![\w*])\*\*(?=\S)(?P<strong1>.+?)(?<=\S)\*\*(?![\w*])"
    r"|(?<![\w_])__(?=\S)(?P<strong2>.+?)(?<=\S)__(?![\w_])"
    r"|(?<![\w*])\*(?=[^\s*])(?P<em1>.+?)(?<=[^\s*])\*(?![\w*])"
    r"|(?<![\w_])_(?=[^\s_])(?P<em2>.+?)(?<=[^\s_])_(?![\w_])"
)


def read_markdown(data: bytes, path: Path | None) -> Story:
    """Read a Markdown story: `#` headings are chapters, `*x*`/`_x_` emphasis, `---` scene breaks."""
    label = path.name if path else "the Markdown input"
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{label}: the Markdown file is not UTF-8 text ({exc}); re-save it as UTF-8.") from exc
    # Windows line ends: "---\r\n" was no front-matter fence, so "title: X author: Y" was read aloud as a chapter.
    # The story's offsets point into the text built below, not into this source, so normalising is safe.
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    meta, source = _front_matter(source, label)
    blocks = _blocks(source)
    title = meta.get("title")
    # A lone "# Title" on top of "##" chapters names the story rather than a chapter; so does the only heading
    # of a one-shot, unless it reads as a chapter ("# Chapter 1") (the book was named after its file).
    tops = [b for b in blocks if b.kind == "heading" and b.level == 1]
    chapters_below = any(b.kind == "heading" and b.level > 1 for b in blocks)
    if not title and len(tops) == 1 and blocks and blocks[0] is tops[0] and (
            chapters_below or not is_chapter_heading(tops[0].text)):
        title = tops[0].text
        blocks = blocks[1:]
    author = meta.get("author")
    header = header_line(blocks[0].text) if len(blocks) > 1 and blocks[0].kind == "para" and blocks[1].kind == "heading" \
        else None
    if header and not (meta.get("title") and meta.get("author")):
        # A plain-text habit kept in Markdown: "Title - Author" (or "By Author") above the first heading names the
        # book; it was read aloud as a prologue chapter named after the file.
        title, author = title or header[0], author or header[1]
        blocks = blocks[1:]
    title = title or (title_from_path(path) if path else "Untitled")
    if blocks and blocks[0].kind == "heading" and _key(blocks[0].text) == _key(title):
        blocks = blocks[1:]  # the title repeated as the first heading is not a chapter
    mark_labelled_notes(blocks)
    builder = TextBuilder()
    write_chapters(builder, blocks, title)
    text = builder.finish()
    if not text.strip():
        raise InputError(f"{label}: the Markdown file holds no story text; check you chose the right file.")
    return Story(
        title=" ".join(title.split()),
        author=author,
        description=meta.get("description") or meta.get("summary"),
        text=text,
        path=path,
        **builder.marks(),
    )


def _front_matter(source: str, label: str) -> tuple[dict[str, str], str]:
    """Simple `key: value` YAML front matter (title, author, summary); the rest of YAML is ignored."""
    match = _FRONT_MATTER.match(source)
    if match and not all(_YAML_LINE.match(line) for line in match.group(1).splitlines()):
        # "---" / "title: X" with the closing fence forgotten took everything up to the story's first "---" scene
        # break for front matter: the chapter heading and the lines before the break were never read.
        match = None
    if not match:
        match = _OPEN_FRONT_MATTER.match(source)
        if not match:
            return {}, source
        warnings.warn(NarratorWarning(f"{label}: the front matter on line 1 has no closing --- line; read its "
                                      "key: value lines up to the first blank line as it. Add a --- line after "
                                      "them."), stacklevel=3)
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and value.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, source[match.end() :]


def _blocks(source: str) -> list[Block]:
    blocks: list[Block] = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            # A backslash at a line's end is a hard line break (CommonMark), as two trailing spaces are: a line
            # of a song or a letter, read on as one paragraph, not a backslash in the text.
            kept = [s[:-1] if s.endswith("\\") and not s.endswith("\\\\") else s for s in lines[:-1]] + lines[-1:]
            blocks.append(Block("para", inline_runs(" ".join(s.strip() for s in kept))))
            lines.clear()

    for raw in source.splitlines():
        line = re.sub(r"^ {0,3}>[ ]?", "", raw.rstrip())  # block quotes read as plain paragraphs
        if not line.strip():
            flush()
        elif _BREAK.match(line):
            flush()
            blocks.append(Block("break"))
        elif match := _ATX.match(line):
            flush()
            blocks.append(Block("heading", inline_runs(match.group(2)), level=len(match.group(1))))
        elif _SETEXT_H1.match(line) and len(lines) == 1:
            text = lines.pop()
            blocks.append(Block("heading", inline_runs(text.strip()), level=1))
        else:
            lines.append(line)
    flush()
    return [b for b in blocks if b.kind == "break" or b.text]


def inline_runs(text: str, italic: bool = False) -> list[tuple[str, bool]]:
    """Markdown inline text as (text, italic) runs with the markers removed."""
    runs: list[tuple[str, bool]] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            runs.append((text[pos : match.start()], italic))
        kind = match.lastgroup
        inner = match.group(kind) if kind else ""
        if kind in {"esc", "code"}:
            runs.append((inner, italic))
        elif kind == "alt":
            pass  # pictures have nothing to say
        elif kind in {"link", "strong1", "strong2"}:
            runs.extend(inline_runs(inner, italic))
        else:
            runs.extend(inline_runs(inner, True))
        pos = match.end()
    if pos < len(text):
        runs.append((text[pos:], italic))
    return runs


def _key(s: str) -> str:
    return re.sub(r"\W+", " ", s).strip().casefold()
