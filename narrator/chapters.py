"""split_chapters: find chapter headings, author's notes, scene breaks and paragraphs in a story."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from narrator.chat import chat_line, is_chat
from narrator.dialogue import uses_single_quotes, verse_joins
from narrator.models import Chapter, Scene, Span, Story

_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|first|second|"
    r"third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final)"
)
_NUMBER = rf"(?:\d+|[ivxlcdm]+\b|{_NUMBER_WORD}(?:[\s\-]+{_NUMBER_WORD})*)"
_WRAP = r"[\s—–\-~=*#_·•]*"
_NUMBERED = re.compile(
    rf"^{_WRAP}(?P<kw>chapter|part|book|volume|act|episode)\s+(?P<num>{_NUMBER})(?P<rest>.*?){_WRAP}$",
    re.IGNORECASE,
)
_NAMED = re.compile(
    rf"^{_WRAP}(?P<kw>prologue|epilogue|interlude|afterword|foreword|preface|introduction)\b(?P<rest>.*?){_WRAP}$",
    re.IGNORECASE,
)
_BARE_NUMERAL = re.compile(r"^(?P<num>[IVXLC]{1,7}|\d{1,3})\.?$")
_MARKDOWN = re.compile(r"^#{1,3}\s+(?P<rest>\S.*?)\s*#*\s*$")
_SUBTITLE_WRAPPED = re.compile(r"^\s*(?:[\-–—~=*]{2,}|[—–])\s*(?P<t>[^\-–—~=*].*?)\s*(?:[\-–—~=*]{2,}|[—–])\s*$")
_SEPARATOR = re.compile(r"^\s*(?:[*~\-=_#+•·⁂§]\s*){3,}$|^\s*⁂\s*$|^\s*(?:o0o|oOo|xXx|-x-|OoO|0o0)\s*$")
# The dash must stand apart ("Note - ..."): a hard-wrapped line starting "note-book. He wondered" was a note.
_NOTE = re.compile(r"^\s*(?:author['’]?s['’]?\s+notes?|a/n|notes?)\s*(?::|[-–](?=\s|$))\s*(?P<rest>.*)$|^\s*author['’]?s['’]?\s+notes?\s*$",
                   re.IGNORECASE)
# Only the writer's own note says so ("Author's note", "A/N"); a bare "Note:" may be part of the story.
_AUTHORS_NOTE = re.compile(r"\s*(?:author|a/n)", re.IGNORECASE)
_TIME_SKIP = re.compile(
    r"^\s*(?:(?:\w+[\s\-]+){0,3}(?:later|earlier|afterwards?|before)|(?:the\s+)?next\s+(?:morning|day|evening|night|week)"
    r"|meanwhile\b.{0,30}|that\s+(?:night|evening|morning))\s*[.…]*\s*$",
    re.IGNORECASE,
)
# A line of dialogue: a double quotation mark anywhere, or a single one that opens a quotation before a capital
# (the UK style, 'Are you cold?'); an apostrophe ("don't", "the Potters' house") is neither.
_SPEECH = re.compile(r'["“”«»„]|(?:^|(?<=[\s(\u2014]))[\'‘](?=[A-Z])')
_SENTENCE_END = re.compile(r"[.!?,;:\"”’']\s*$")


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    kind: str  # "blank" | "break" | "note" | "text"


def find_first_heading(text: str, start: int = 0) -> int | None:
    """Offset of the first line that is a chapter heading, or None."""
    for line in _scan(text, start, len(text)):
        if line.kind == "text" and _heading_title(text[line.start : line.end]) is not None:
            return line.start
    return None


def split_chapters(story: Story, include_notes: bool = False) -> list[Chapter]:
    """Chapters of the story, each with its heading, scenes (paragraphs) and author's notes."""
    text = story.text
    lines = _scan(text, story.body_start, len(text))
    by_paragraph = _one_paragraph_per_line(text, lines)
    headings = _headings(story, lines)
    chapters: list[Chapter] = []
    pending_notes: list[Span] = []
    bounds = [h[0] for h in headings] + [len(lines)]
    if headings and bounds[0] > 0:
        pre = _body(text, lines[: bounds[0]], by_paragraph, story.notes)
        if pre.paragraphs:
            chapters.append(_chapter(len(chapters) + 1, story.title, None, pre, include_notes))
        else:
            pending_notes = list(pre.notes)
    if not headings:
        body = _body(text, lines, by_paragraph, story.notes)
        return [_chapter(1, story.title, None, body, include_notes)]
    for i, (_first_line, next_line, span, title) in enumerate(headings):
        body = _body(text, lines[next_line : bounds[i + 1]], by_paragraph, story.notes)
        if pending_notes:
            body = _Body([Scene(tuple(pending_notes), note=True), *body.blocks], [*pending_notes, *body.notes])
            pending_notes = []
        chapters.append(_chapter(len(chapters) + 1, title, span, body, include_notes))
    return _merge_empty(chapters, include_notes)


# --- lines and headings ------------------------------------------------------------------------


def _scan(text: str, start: int, end: int) -> list[_Line]:
    out: list[_Line] = []
    pos = start
    for raw in text[start:end].splitlines(keepends=True):
        content = raw.rstrip("\r\n")
        s, e = pos, pos + len(content)
        stripped = content.strip()
        # Spans hug the visible text: indentation and trailing spaces are not part of a paragraph.
        if stripped:
            s += len(content) - len(content.lstrip())
            e -= len(content) - len(content.rstrip())
        if not stripped:
            kind = "blank"
        elif _SEPARATOR.match(stripped):
            kind = "break"
        elif _NOTE.match(stripped) and len(stripped) < 400:
            kind = "note"
        else:
            kind = "text"
        out.append(_Line(s, e, kind))
        pos += len(raw)
    return out


# A labelled title may be long ("Chapter 1: In Which Our Heroes ..."): at 100 characters a 110-character one was
# no heading, the reader took the chapter for the header's blurb and that whole chapter was never read.
_MAX_HEADING = 160


def _heading_title(line: str) -> str | None:
    stripped = line.strip()
    if len(stripped) > _MAX_HEADING:
        return None
    m = _NUMBERED.match(stripped)
    if m and _rest_ok(m["rest"]):
        return _compose(f"{_word_case(m['kw'])} {_word_case(m['num'], keep_roman=True)}", m["rest"])
    m = _NAMED.match(stripped)
    if m and _rest_ok(m["rest"]):
        return _compose(_word_case(m["kw"]), m["rest"])
    m = _MARKDOWN.match(stripped)
    if m:
        return m["rest"].strip()
    m = _BARE_NUMERAL.match(stripped)
    if m:
        return f"Chapter {m['num']}"
    return None


def spoken_title(title: str) -> str:
    """A chapter title as the narrator announces it, label and title as sentences: "Chapter One. The Unlit Street."."""
    # Read with its colon, "Chapter One: The Unlit Street" ran label and title together in one breath; a
    # listener expects the pause of a full stop between them, and one at the end.
    said = re.sub(r"\s*:\s+", ". ", title.strip())
    return said if _ENDS_SENTENCE.search(said) else f"{said}."


_ENDS_SENTENCE = re.compile(r"[.!?…][\"”’')]*$")


def _rest_ok(rest: str) -> bool:
    """What follows "Chapter 3" must look like a title, not like the rest of a sentence."""
    rest = rest.strip()
    if not rest:
        return True
    if rest[0] in ".:-–—)":
        # A title may ask ("Chapter 1: Who Goes There?"), a sentence goes on in lower case ("Part 2 - or was it?").
        asks = rest.endswith("?") and not rest.lstrip(".:-–—) ")[:1].isupper()
        return len(rest) < _MAX_HEADING - 10 and not rest.endswith(",") and not asks
    return rest[0].isupper() and len(rest) < 60 and not _SENTENCE_END.search(rest)


def holds_speech(text: str) -> bool:
    """True for a paragraph with a line of dialogue in it: the story going on, not more of an author's note."""
    return _SPEECH.search(text) is not None


def _compose(label: str, rest: str) -> str:
    rest = _clean_rest(rest)
    return f"{label}: {rest}" if rest else label


def _clean_rest(rest: str) -> str:
    rest = rest.strip().lstrip(".:-–—)").strip().rstrip(".").strip()
    # "Into the *Dark*": the heading's trailing wrap takes the closing marker, so drop the markers at word edges
    # rather than tag the chapter "Into the *Dark" (the speech side drops them too).
    rest = re.sub(r"(?<!\w)[*_]+(?=\w)|(?<=\w)[*_]+(?!\w)", "", rest)
    return _title_case_if_shouting(rest)


def _word_case(word: str, keep_roman: bool = False) -> str:
    if keep_roman and re.fullmatch(r"[ivxlcdm]+", word, re.IGNORECASE):
        return word.upper()
    return word if not word.isupper() and not word.islower() else word.title() if word.isupper() else word.capitalize()


def _title_case_if_shouting(s: str) -> str:
    return s.title() if s.isupper() and len(s) > 3 else s


def _headings(story: Story, lines: list[_Line]) -> list[tuple[int, int, Span, str]]:
    """(first line, line after the heading, heading span, title) for every heading, in order."""
    text = story.text
    hints = {h.start: (h, title) for h, title in story.chapter_hints}
    found: list[tuple[int, int, Span, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.kind != "text":
            i += 1
            continue
        if hints:
            hit = hints.get(line.start)
            if hit is None:
                i += 1
                continue
            span, title = hit
            title = _tidy_title(title)
            nxt = i + 1
            while nxt < len(lines) and lines[nxt].start < span.end:
                nxt += 1
            found.append((i, nxt, span, title))
            i = nxt
            continue
        title = _heading_title(text[line.start : line.end])
        if title is None or (_BARE_NUMERAL.match(text[line.start : line.end].strip()) and _runs_on(text, lines, i)):
            i += 1
            continue
        span_end, nxt = line.end, i + 1
        j = _next_nonblank(lines, i + 1, max_blank=2)
        if j is not None and lines[j].kind == "text":
            candidate = text[lines[j].start : lines[j].end]
            sub = _subtitle(candidate, bare=":" not in title)
            if sub and _heading_title(candidate) is None:
                title, span_end, nxt = f"{title}: {sub}", lines[j].end, j + 1
        found.append((i, nxt, Span(line.start, span_end), title))
        i = nxt
    return found


def _runs_on(text: str, lines: list[_Line], i: int) -> bool:
    """Whether line `i` finishes the sentence of the line before it: a hard-wrapped '"Come in," said' / 'I.'
    puts the first-person "I." at the start of a line, where it looks like a bare numeral heading."""
    if i == 0 or lines[i - 1].kind != "text":
        return False
    before = text[lines[i - 1].start : lines[i - 1].end].rstrip()
    return before[-1:].islower() or before.endswith(",")


def _tidy_title(title: str) -> str:
    """A heading the format's structure gave ("~~~ Chapter 1: The Gate ~~~" in an EPUB's <h2>) as a title: the
    same reading as a text heading, else the text inside its decorations. The title tags the MP3, names its
    file and marks the M4B chapter, where the tildes and asterisks were kept."""
    flat = " ".join(title.split())
    parsed = _heading_title(flat)
    if parsed is not None:
        return parsed
    m = _SUBTITLE_WRAPPED.match(flat)
    return _clean_rest(m["t"] if m else flat.strip("—–-~=*#_·• ")) or title


def _subtitle(line: str, bare: bool) -> str | None:
    m = _SUBTITLE_WRAPPED.match(line)
    if m:
        return m["t"].strip()
    s = line.strip()
    if bare and len(s) <= 60 and s[0] not in "\"“'‘(" and not _SENTENCE_END.search(s) and (s.isupper() or s.istitle()):
        return _title_case_if_shouting(s)
    return None


def _next_nonblank(lines: list[_Line], i: int, max_blank: int) -> int | None:
    blanks = 0
    while i < len(lines) and lines[i].kind == "blank":
        blanks += 1
        i += 1
    return i if i < len(lines) and blanks <= max_blank else None


# --- bodies: paragraphs, scene breaks, notes -----------------------------------------------------


@dataclass
class _Body:
    blocks: list[Scene]
    notes: list[Span]

    @property
    def paragraphs(self) -> list[Span]:
        return [p for b in self.blocks if not b.note for p in b.paragraphs]


_LINE_FINISHED = frozenset(".!?\"”’'…")  # what the last character of a finished sentence can be


def _one_paragraph_per_line(text: str, lines: list[_Line]) -> bool:
    """True when lines, not blank-line blocks, are the paragraphs (no blank lines, or unwrapped long lines)."""
    inner: list[_Line] = []  # lines that are followed by another text line in the same block
    for a, b in itertools.pairwise(lines):
        if a.kind == "text" and b.kind == "text":
            inner.append(a)
    if len(inner) < 3:
        return False
    # Hard-wrapped prose (Gutenberg) breaks lines at 60-80 columns, mid-sentence: 3-6 % of such lines end a
    # sentence in the development novels. One-per-line exports have ragged lengths, but a dialogue-heavy one
    # has most lines in that band too ('"Hold still," she told it.'), and nearly every one of them ends a
    # sentence: the band alone read such a story as one wrapped paragraph.
    wrapped = sum(1 for line in inner if 45 <= line.end - line.start <= 90 and text[line.end - 1] not in _LINE_FINISHED)
    return wrapped / len(inner) < 0.6


def _body(text: str, lines: list[_Line], by_line: bool, marked: Sequence[Span] = ()) -> _Body:
    # 1. paragraphs with the gap (blank lines / separators) before each
    paras: list[tuple[Span, int, bool, bool]] = []  # span, blanks before, separator before, is-note-heading
    blanks, separator = 0, False
    current: list[_Line] = []

    def flush() -> None:
        nonlocal current
        if current:
            # (The first line decides whether the others are looked at: a novel's blocks are never chats.)
            labels = [got[0] for ln in current if (got := chat_line(text[ln.start : ln.end])) is not None] \
                if len(current) >= 3 and chat_line(text[current[0].start : current[0].end]) else []
            if len(labels) == len(current) and is_chat(labels):
                # A block of "Rainbow: so??" lines is a chat log: every line is a turn of its own writer.
                paras.extend((Span(ln.start, ln.end), blanks_before if k == 0 else 0, sep_before and k == 0, False)
                             for k, ln in enumerate(current))
            else:
                paras.append((Span(current[0].start, current[-1].end), blanks_before, sep_before,
                              current[0].kind == "note"))
            current = []

    blanks_before, sep_before = 0, False
    # A song or a letter quoted line by line is one paragraph, though each line of the document is one.
    verse = verse_joins(text, [(ln.start, ln.end) if ln.kind == "text" else None for ln in lines],
                        uses_single_quotes(text)) if by_line else set()
    for i, line in enumerate(lines):
        if line.kind == "blank":
            flush()
            blanks += 1
            continue
        if line.kind == "break":
            flush()
            separator = True
            continue
        if current and ((by_line and i not in verse) or line.kind == "note" or current[0].kind == "note"):
            flush()
        if not current:
            blanks_before, sep_before = blanks, separator
            blanks, separator = 0, False
        current.append(line)
    flush()

    # 2. group into scenes; carve out author's notes
    break_blanks = 1 if by_line else 3
    blocks: list[Scene] = []
    notes: list[Span] = []
    scene: list[Span] = []
    i = 0
    while i < len(paras):
        span, gap, sep, is_note = paras[i]
        box = next((m for m in marked if m.start <= span.start and span.end <= m.end), None)
        if box is not None:
            # A note the format's reader found (an AO3 "Chapter Notes" box, an EPUB's note page) is exactly that
            # box. These spans were recorded on the Story but never consulted here, so they were read aloud.
            j = i + 1
            while j < len(paras) and box.start <= paras[j][0].start and paras[j][0].end <= box.end:
                j += 1
            if scene:
                blocks.append(Scene(tuple(scene)))
                scene = []
            notes.append(Span(span.start, paras[j - 1][0].end))
            blocks.append(Scene(tuple(p[0] for p in paras[i:j]), note=True))
            i = j
            continue
        if is_note:
            start_of_chapter = not scene and not any(not b.note for b in blocks)
            rest = _NOTE.match(text[span.start : span.end].strip())
            inline = bool(rest and rest["rest"])
            own = min(len(paras), i + (1 if inline else 2))  # "A/N: ..." alone, or a "Notes:" label + one paragraph
            if not _AUTHORS_NOTE.match(text[span.start : span.end]):
                # A bare "Note:" may be the story's own (the note a character finds: "Note: meet me at the
                # mill."): it is no more than its own reach, or it silenced the scene or the rest of the chapter.
                j = own
            elif start_of_chapter:
                # A leading note runs to the next scene break; without one, it is the heading's own paragraph
                # plus the one after it (the usual "Author's Notes:" line followed by a paragraph).
                end_j = next((k for k in range(i + 1, len(paras)) if paras[k][2] or paras[k][1] >= break_blanks), None)
                j = end_j if end_j is not None else own
            else:
                j = len(paras)  # an author's note after the story runs to the end of the chapter
            # ... unless the story goes on inside that reach: a line of dialogue is story, not a note. Without
            # this, "A/N: Sorry for the wait!" before the first scene (or after a blurb read as the opening)
            # silenced the story up to the scene break or the chapter's end.
            if j > own and any(holds_speech(text[p[0].start : p[0].end]) for p in paras[own:j]):
                j = own
            note = Span(span.start, paras[j - 1][0].end)
            if scene:
                blocks.append(Scene(tuple(scene)))
                scene = []
            notes.append(note)
            blocks.append(Scene(tuple(p[0] for p in paras[i:j]), note=True))
            i = j
            continue
        new_scene = sep or (gap >= break_blanks and scene) or (
            scene and _TIME_SKIP.match(text[span.start : span.end]) and span.end - span.start <= 40
        )
        if new_scene and scene:
            blocks.append(Scene(tuple(scene)))
            scene = []
        scene.append(span)
        i += 1
    if scene:
        blocks.append(Scene(tuple(scene)))
    return _Body(blocks, notes)


def _chapter(number: int, title: str, heading: Span | None, body: _Body, include_notes: bool) -> Chapter:
    scenes = tuple(b for b in body.blocks if include_notes or not b.note)
    return Chapter(number=number, title=title, heading=heading, scenes=scenes, notes=tuple(body.notes))


def _merge_empty(chapters: list[Chapter], include_notes: bool) -> list[Chapter]:
    """A heading with nothing under it ("VOLUME I" right before "CHAPTER I") joins the next chapter."""
    out: list[Chapter] = []
    carry: Chapter | None = None
    carried: list[str] = []  # the titles of the empty headings merged into `carry`
    for i, ch in enumerate(chapters):
        titles = [ch.title]
        if carry is not None and carry.heading is not None and ch.heading is not None:
            if ch.title in carried:
                # The empty headings were a table of contents ("Chapter 1: Start" / "Chapter 2: Middle" ... then
                # "Chapter 1: Start" again): they made the first chapter's title "Chapter 1: Start, Chapter 2:
                # Middle, ..., Chapter 1: Start", read aloud and used as its file name. The heading's span still
                # takes the list in (every character of the story belongs to one heading or paragraph), but the
                # title, which is what is said, is the chapter's own.
                ch = Chapter(ch.number, ch.title, Span(carry.heading.start, ch.heading.end), carry.scenes + ch.scenes,
                             carry.notes + ch.notes)
            else:
                ch = Chapter(ch.number, f"{carry.title}, {ch.title}", Span(carry.heading.start, ch.heading.end),
                             carry.scenes + ch.scenes, carry.notes + ch.notes)
                titles = [*carried, *titles]
            carry = None
        if not any(s.paragraphs for s in ch.scenes if not s.note) and i < len(chapters) - 1:
            carry, carried = ch, titles
            continue
        out.append(ch)
    return [Chapter(i, c.title, c.heading, c.scenes, c.notes) for i, c in enumerate(out, start=1)]
