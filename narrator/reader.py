"""read_story: turn a story file into a Story whose `text` every later offset points into."""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

from narrator.errors import InputError
from narrator.models import Story

# Magic numbers of files people drop on us by mistake, so the error can say what the file is.
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document (export it to text, EPUB or HTML first)"),
    (b"ID3", "an MP3 file"),
    (b"RIFF", "a RIFF (WAV/AVI) file"),
    (b"\x7fELF", "a program"),
    (b"\x1f\x8b", "a gzip archive"),
    # Where stories are written: RTF is text, so it was read aloud control words and all ("rtf1 ansi ...").
    (b"{\\rtf", "an RTF document (save it as plain text, .txt, in your editor first)"),
    (b"\xd0\xcf\x11\xe0", "a Word 97-2003 document (save it as plain text, web page or EPUB first)"),
)
# Zip files that are not EPUBs (those are read before this): what is inside says what they are.
_ZIPPED = (
    (b"word/", "a Word document (save it as plain text, web page or EPUB first)"),
    (b"application/vnd.oasis.opendocument.text", "an OpenDocument text (save it as plain text, web page or EPUB first)"),
    (b"", "a zip archive (unpack it and give the story file inside)"),
)


class NarratorWarning(UserWarning):
    """Something the user should know about that does not stop the build."""


def read_story(path: str | Path) -> Story:
    """Read a story file (or "-" for stdin) into a Story; raise InputError with advice if it can't be read."""
    source = None if str(path) == "-" else Path(path)
    data = _stdin_bytes() if source is None else _read_bytes(source)
    name = "stdin" if source is None else str(source)
    # EPUB, HTML and Markdown (by content, then suffix) have readers of their own in narrator.formats.
    from narrator.formats import READERS, sniff

    kind = sniff(data, source)
    if kind is not None:
        return READERS[kind](data, source)
    text = decode_text(data, name)
    if not text.strip():
        raise InputError(f"{name} is empty: there is no story to read. Check that you picked the right file.")
    return parse_plain_text(text, source)


_stdin: dict[int, tuple[object, bytes]] = {}


def _stdin_bytes() -> bytes:
    """Standard input, read once: a command that reads the story twice (`narrator cast -`) gets it both times."""
    # Keyed by the stream itself (kept alive here, so its id is not reused): another stdin is read afresh.
    stream = sys.stdin
    if id(stream) not in _stdin:
        _stdin.clear()
        _stdin[id(stream)] = (stream, stream.buffer.read())
    return _stdin[id(stream)][1]


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file. Check the path (run `ls {path.parent}` to see what is there).")
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a story file. Give the path of a .txt, .md, .html or .epub file.")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}. Check the file's permissions.") from None


def decode_text(data: bytes, name: str) -> str:
    """Decode story bytes: UTF-8 (BOM tolerated) or UTF-16 with a BOM, else cp1252 with a warning."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{name} claims to be UTF-16 but is not valid UTF-16. Re-save it as UTF-8.") from None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name} is {what}, not a story. Give narrator a text, Markdown, HTML or EPUB file.")
    if data.startswith(b"PK\x03\x04"):
        what = next(w for inside, w in _ZIPPED if inside in data[:65536])
        raise InputError(f"{name} is {what}, not a story. Give narrator a text, Markdown, HTML or EPUB file.")
    if data[60:68] == b"BOOKMOBI":
        raise InputError(f"{name} is a Kindle (MOBI/AZW) e-book: convert it to EPUB first (Calibre does), "
                         "then give narrator the .epub file.")
    bomless = _utf16_without_bom(data)
    if bomless is not None:
        return bomless
    if b"\x00" in data[:4096] or _looks_binary(data[:4096]):
        raise InputError(f"{name} is not a text file (it holds binary data). Give narrator a text, Markdown, HTML or EPUB file.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warnings.warn(
            f"{name} is not valid UTF-8; read it as Windows-1252. If letters look wrong, re-save the file as UTF-8.",
            NarratorWarning,
            stacklevel=2,
        )
        return data.decode("cp1252", errors="replace")


def _utf16_without_bom(data: bytes) -> str | None:
    """The text of UTF-16 written without a byte-order mark (some converters and `iconv -t UTF-16LE` do), else None.

    Such a file is full of NULs and was called binary. It is recognised by its shape: in Latin-script text
    every other byte is zero (the high byte of each character), on one side only.
    """
    head = data[:4096]
    n = len(head) // 2
    if n < 8 or len(data) % 2:
        return None
    low, high = head[0 : 2 * n : 2], head[1 : 2 * n : 2]
    for codec, zeros, text in (("utf-16-le", high, low), ("utf-16-be", low, high)):
        if zeros.count(0) >= 0.9 * n and text.count(0) <= 0.01 * n:
            try:
                decoded = data.decode(codec)
            except UnicodeDecodeError:
                return None
            return None if _looks_binary(decoded[:4096].encode("utf-8")) else decoded
    return None


def _looks_binary(head: bytes) -> bool:
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return len(head) > 0 and controls / len(head) > 0.05


# --- the plain-text header --------------------------------------------------------------------

_TITLE_AUTHOR = re.compile(r"^\s*(?P<title>[^\n]{1,150}?)\s+(?:-|–|—|by)\s+(?P<author>[^\n\-–—]{1,80}?)\s*$")
_DESCRIPTION = re.compile(r"^\s*(?:Description|Summary|Blurb)\s*:?\s*$", re.IGNORECASE)
_NOTES = re.compile(r"^\s*(?:author['’]?s['’]?\s+notes?|a/n)\b", re.IGNORECASE)
_LABELLED = re.compile(r"^\s*(?P<key>Title|Author|By)\s*:\s*(?P<value>.+?)\s*$", re.IGNORECASE)


def parse_plain_text(text: str, path: Path | None) -> Story:
    """Find the optional header (title/author line, blurb or Description block) of a plain-text story."""
    # Imported here: chapters imports this module's Story users, and the header ends where chapters begin.
    from narrator.chapters import find_first_heading

    title = author = description = None
    body_start = 0
    first_heading = find_first_heading(text)
    header_end = first_heading if first_heading is not None else 0
    header = text[:header_end]
    lines = _lines_with_offsets(header)
    nonblank = [(s, e) for s, e in lines if text[s:e].strip()]
    blurb: list[str] = []
    note_start: int | None = None
    i = 0
    while i < len(nonblank) and first_heading is not None:
        s, e = nonblank[i]
        line = text[s:e]
        labelled = _LABELLED.match(line)
        if labelled:
            key = labelled["key"].lower()
            if key == "title":
                title = labelled["value"]
            else:
                author = labelled["value"]
            i += 1
            continue
        if _NOTES.match(line):
            note_start = s
            break
        if _DESCRIPTION.match(line):
            i += 1
            continue
        if title is None and i == 0:
            match = _TITLE_AUTHOR.match(line)
            if match:
                title, author = match["title"].strip(), match["author"].strip()
            else:
                title = line.strip()
            i += 1
            continue
        # Anything else between the title line and the first heading (or author's note) is the blurb.
        blurb.append(line.strip())
        i += 1
    if first_heading is None:
        title, author, body_start = _one_shot_header(text, nonblank_lines=_lines_with_offsets(text[:2000]))
    description = " ".join(blurb) or None
    if len(description or "") > 2000:
        # That much text before the first heading is story, not a blurb: read it as an untitled opening.
        description, note_start = None, None
        body_start = nonblank[1][0] if title and len(nonblank) > 1 else 0
    elif first_heading is not None and (title or description):
        body_start = note_start if note_start is not None else first_heading
    if not title:
        title = _title_from_path(path)
    return Story(title=title.strip(), author=author, description=description, text=text, path=path,
                 body_start=body_start)


_AUTHOR_NAME = re.compile(r"^(?:\S+|(?:[A-Z][\w.'’]*\s*){1,4})$")


def _one_shot_header(text: str, nonblank_lines: list[tuple[int, int]]) -> tuple[str | None, str | None, int]:
    """A story without chapter headings may still open with its "Title - Author" line (a one-shot export):
    that line is the book's title and author, not the first words read. Only a short line on its own, with
    no sentence punctuation at its end, an author of one word or a few capitalised ones, and story after it."""
    lines = [(s, e) for s, e in nonblank_lines if text[s:e].strip()]
    if len(lines) < 2:
        return None, None, 0
    (s, e), (next_start, _) = lines[0], lines[1]
    line = text[s:e].strip()
    match = _TITLE_AUTHOR.match(line)
    alone = not text[e:next_start].strip("\r\n \t") and text[e:next_start].count("\n") >= 2
    if not match or not alone or len(line) > 100 or line[-1] in ".!?,;:\"”…" or not _AUTHOR_NAME.match(match["author"]):
        return None, None, 0
    return match["title"].strip(), match["author"].strip(), next_start


def _lines_with_offsets(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        out.append((pos, pos + len(content)))
        pos += len(line)
    return out


def _title_from_path(path: Path | None) -> str:
    if path is None:
        return "Untitled story"
    stem = re.sub(r"[_\-]+", " ", path.stem).strip()
    return stem[:1].upper() + stem[1:] if stem else "Untitled story"
