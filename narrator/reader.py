"""read_story: turn a story file into a Story whose `text` every later offset points into."""

from __future__ import annotations

import codecs
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
    except UnicodeDecodeError as exc:
        mixed = _mostly_utf8(data, exc.start)
        if mixed is not None:
            text, bad = mixed
            line = data.count(b"\n", 0, exc.start) + 1
            warnings.warn(
                f"{name} is UTF-8 but for {bad} byte{'s' if bad != 1 else ''} (the first on line {line}); read "
                f"{'those' if bad != 1 else 'that one'} as Windows-1252. If a letter there looks wrong, fix it and "
                "re-save the file as UTF-8.",
                NarratorWarning,
                stacklevel=2,
            )
            return text
        warnings.warn(
            f"{name} is not valid UTF-8; read it as Windows-1252. If letters look wrong, re-save the file as UTF-8.",
            NarratorWarning,
            stacklevel=2,
        )
        return data.decode("cp1252", errors="replace")


def _mostly_utf8(data: bytes, first_bad: int) -> tuple[str, int] | None:
    """(text, stray bytes) for UTF-8 with a few bytes of another encoding pasted in, else None.

    Text copied from a Windows program into a UTF-8 story leaves a stray byte or two (a cp1252 '€' or '’').
    Reading the whole file as Windows-1252 then turned every curly quote of the story into 'â€œ': no line was
    dialogue any more and the narrator read the mojibake. Only the stray bytes are read as Windows-1252.
    """
    stray = 0

    def one_byte(exc: UnicodeError) -> tuple[str, int]:
        nonlocal stray
        assert isinstance(exc, UnicodeDecodeError)
        stray += 1
        return exc.object[exc.start : exc.start + 1].decode("cp1252", errors="replace"), exc.start + 1

    codecs.register_error("narrator-stray-cp1252", one_byte)
    text = data.decode("utf-8", errors="narrator-stray-cp1252")
    # A Windows-1252 file has no UTF-8 sequence at all, only stray bytes; UTF-8 has many more sequences than strays.
    well_formed = sum(1 for ch in text if ord(ch) > 127) - stray
    return (text, stray) if well_formed > 2 * stray else None


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

# "Title - by Author" (common in fan-fiction exports) is a dash and a byline: the "by" is not part of the name.
_TITLE_AUTHOR = re.compile(r"^\s*(?P<title>[^\n]{1,150}?)\s+(?P<sep>-|–|—|by)\s+(?:(?P<by>(?i:by))\s+)?"
                           r"(?P<author>[^\n\-–—]{1,80}?)\s*$")
_DESCRIPTION = re.compile(r"^\s*(?:Description|Summary|Blurb)\s*:?\s*$", re.IGNORECASE)
# The label of a table of contents: the list under it is dropped with the headings (chapters.py); the label
# itself is no blurb (walk10: a book's description read "Contents").
_CONTENTS = re.compile(r"^\s*(?:(?:Table\s+of\s+)?Contents|TOC)\s*:?\s*$", re.IGNORECASE)
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
        if _DESCRIPTION.match(line) or (i > 0 and _CONTENTS.match(line)):
            i += 1
            continue
        byline = _byline(line)
        if byline and author is None and i <= 1:
            # "Written by Tom Reed" names the author; the book is not called "Written".
            author = byline
            i += 1
            continue
        if title is None and i == 0:
            split = _title_and_author(line)
            if split:
                title, author = split
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
        title = title_from_path(path)
    return Story(title=title.strip(), author=author, description=description, text=text, path=path,
                 body_start=body_start)


# After "by", calendar and daylight words are capitalised but name no one: "Home by Christmas", "Gone by Monday".
_NOT_A_NAME = frozenset(re.findall(r"\w+", """
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december christmas easter halloween spring summer autumn fall winter dawn dusk
    morning noon afternoon evening night midnight sunrise sunset daylight moonlight starlight candlelight firelight
    tomorrow today tonight yesterday the a an me you him her us them it myself yourself
    """))
# Lower-case particles that may sit inside a name: "Ursula le Guin", "Ludwig van Beethoven".
_NAME_PARTICLES = frozenset(("van", "von", "de", "der", "den", "du", "da", "di", "del", "la", "le", "ten", "ter"))
# Any script's capital: "[A-Z]" took "The Salt Road - Émile Durand" (and Łucja, Ólafur, Анна) for a title of its own.
_NAME_WORD = re.compile(r"^(?=[^\W\d_])[\w.'’]*$")
# A site handle is one token a sentence would not hold: with a digit, an underscore or an inner capital.
_HANDLE = re.compile(r"^(?=\w*[A-Za-z])(?=\w*(?:\d|_|[a-z][A-Z]))\w{3,40}$")
# Quotation marks mean dialogue; an apostrophe inside a word ("O’Brien", "Mara's") is not one.
_QUOTE_MARK = re.compile(r"[\"“”„«»]|(?<!\w)['‘’]|['‘’](?!\w)")
_BYLINE_VERBS = frozenset(("written", "posted", "translated", "narrated", "edited", "illustrated", "told", "penned",
                           "story"))
_BYLINE = re.compile(r"^\s*(?:(?P<verb>[A-Za-z]+)\s+)?by\s+(?P<author>[^\n]{1,80}?)\s*$", re.IGNORECASE)


def _is_author(candidate: str, after_by: bool) -> bool:
    """Whether a reader would take these words for a person: one to four capitalised name words (lower-case
    particles allowed inside), or a single site handle. A lower-case word ("by candlelight") or a day
    after "by" ("by Christmas", "by Monday Morning") is the story talking, not a byline."""
    words = candidate.split()
    if len(words) == 1 and _HANDLE.match(words[0]):
        return True
    if not 1 <= len(words) <= 4 or words[0] in _NAME_PARTICLES or words[-1] in _NAME_PARTICLES:
        return False
    if after_by and any(w.lower() in _NOT_A_NAME for w in words):
        return False
    return all((_NAME_WORD.match(w) and w[0].isupper()) or w in _NAME_PARTICLES for w in words)


def _title_and_author(line: str) -> tuple[str, str] | None:
    """("Title", "Author") from a "Title - Author" or "Title by Author" line, or None when the line is not that."""
    match = _TITLE_AUTHOR.match(line)
    if not match or _QUOTE_MARK.search(line) or _byline(line) is not None:
        return None
    title, author = match["title"].strip(), match["author"].strip()
    if title.lower() in _BYLINE_VERBS or not _is_author(author, match["sep"] == "by" or bool(match["by"])):
        return None
    return title, author


def _byline(line: str) -> str | None:
    """The author of a byline ("By Tom Reed", "Written by Tom Reed"), else None."""
    match = _BYLINE.match(line)
    if not match or _QUOTE_MARK.search(line) or (match["verb"] and match["verb"].lower() not in _BYLINE_VERBS):
        return None
    author = match["author"].strip()
    return author if _is_author(author, after_by=True) else None


def header_line(line: str) -> tuple[str | None, str] | None:
    """(title, author) when a line on its own is a "Title - Author" line, (None, author) for a byline ("By Ada
    Finch"), else None: the same rule as the plain-text header, for the other formats' first paragraph."""
    if _QUOTE_MARK.search(line) or len(line) > 100 or not line.strip() or line.strip()[-1] in ".!?,;:\"”…":
        return None
    byline = _byline(line)
    if byline:
        return None, byline
    return _title_and_author(line)


def _one_shot_header(text: str, nonblank_lines: list[tuple[int, int]]) -> tuple[str | None, str | None, int]:
    """A story without chapter headings may still open with its "Title - Author" line (a one-shot export) or a
    byline: that line is the book's title and author, not the first words read. Only a short line on its own,
    with no sentence punctuation at its end and no quotation marks, whose author reads as a person's name, and
    story after it. When in doubt the line is read aloud: a lost first sentence is worse than a missing title."""
    lines = [(s, e) for s, e in nonblank_lines if text[s:e].strip()]
    if len(lines) < 2:
        return None, None, 0
    (s, e), (next_start, _) = lines[0], lines[1]
    line = text[s:e].strip()
    alone = not text[e:next_start].strip("\r\n \t") and text[e:next_start].count("\n") >= 2
    if not alone or len(line) > 100 or line[-1] in ".!?,;:\"”…":
        return None, None, 0
    byline = _byline(line)
    if byline:
        return None, byline, next_start
    split = _title_and_author(line)
    if not split:
        return None, None, 0
    return split[0], split[1], next_start


def _lines_with_offsets(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        out.append((pos, pos + len(content)))
        pos += len(line)
    return out


def title_from_path(path: Path | None) -> str:
    """A book title from a file name ("night_ferry-2.txt" -> "Night ferry 2"), the same for every format."""
    if path is None:
        return "Untitled story"
    stem = re.sub(r"[_\-]+", " ", path.stem).strip()
    return stem[:1].upper() + stem[1:] if stem else "Untitled story"
