"""split_dialogue: cut a chapter into narration and quotations, keeping source offsets.

Contract: the heading, when there is one, is segment 0 (narration, heading=True, scene 0,
paragraph -1); then every paragraph of every scene, in order, is covered exactly once by
contiguous segments; paragraphs of a note scene are single narration segments with note=True;
`index` runs 0, 1, 2 ... through the chapter; `segment.text == story.text[start:end]`.

Quotations keep their quote marks. A quotation left open at the end of a paragraph runs to the
end of that paragraph (the multi-paragraph speech convention re-opens it in the next one). The
book's convention (double or single quotes) is detected once per story.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from narrator.chat import chat_line, is_chat
from narrator.models import Chapter, Segment, Span, Story

# Characters that may stand right before an opening quote mark.
_BEFORE_OPEN = set(" \t\r\n([{\u2014\u2013-:;,/*_\u2026")
# Every way a book marks a quotation, and the straight mark a quotation's delimiter and a nested mark
# become for the stages after this one (see plain_marks).
_OPENERS = "\"\u201c\u201e\u00ab'\u2018\u2039"
_CLOSERS = "\"\u201d\u00bb'\u2019\u203a"
_DOUBLE_MARKS = "\"\u201c\u201d\u201e\u00ab\u00bb"
_SINGLE_MARKS = "'\u2018\u2019\u2039\u203a"
_AS_DOUBLE = str.maketrans({c: '"' for c in _DOUBLE_MARKS})
_AS_SINGLE = str.maketrans({c: "'" for c in _SINGLE_MARKS})
_ALL_AS_SINGLE = str.maketrans({c: "'" for c in _DOUBLE_MARKS + _SINGLE_MARKS})
_NOT_STRAIGHT = re.compile("[" + (_DOUBLE_MARKS + _SINGLE_MARKS).replace('"', "").replace("'", "") + "]")
# Contractions that start with an apostrophe and are never quotations ('tis, 'em ...).
_ELISIONS = re.compile(
    r"'(?:tis|twas|twere|twill|twould|em|cause|cos|til|till|n|round|bout|nuff|ello|e|im|er|ad|ave)\b",
    re.IGNORECASE,
)


def split_dialogue(story: Story, chapter: Chapter) -> list[Segment]:
    """Segments of the chapter in reading order; together they cover every paragraph exactly."""
    text = story.text
    single = uses_single_quotes(text)
    segments: list[Segment] = []
    if chapter.heading is not None:
        h = chapter.heading
        segments.append(
            Segment(chapter.number, 0, 0, -1, h.start, h.end, "narration", text[h.start : h.end], heading=True)
        )
    para_no = 0
    for scene_no, scene in enumerate(chapter.scenes, start=1):
        chat = {} if scene.note else _chat_lines(text, scene.paragraphs)
        # Paragraphs since one left a quotation open (None: none is open), and their segments: a song's,
        # a poem's or a letter's lines that the paragraph closing the quotation makes speech.
        since_open: int | None = None
        held: list[int] = []
        for k, para in enumerate(scene.paragraphs):
            hold = False
            if scene.note:
                pieces = [(para.start, para.end, "narration")]
            elif k in chat:
                # "Rainbow: so??": the label is read by the narrator, the message by its writer.
                cut = para.start + chat[k]
                pieces = [(para.start, cut, "narration"), (cut, para.end, "dialogue")]
            else:
                pieces = split_paragraph(text, para.start, para.end, single=single)
                if since_open is not None and since_open <= _MAX_UNMARKED and _closes_only(text, para.start, para.end, single):
                    # No opening mark, one closing mark at its end, after a quotation left open (and at most a
                    # couple of unmarked paragraphs, a poem's stanzas, a letter's date): the quotation's last
                    # paragraph. All of it is speech, and so are those between: not a lone mark and narration.
                    pieces = [(para.start, para.end, "dialogue")]
                    for i in held:
                        segments[i] = replace(segments[i], kind="dialogue")
                    since_open, held = None, []
                elif pieces[-1][2] == "dialogue" or any(kind == "dialogue" for _, _, kind in pieces):
                    # (Read from the pieces: parsing the paragraph again made quote detection x1.5 slower.)
                    since_open = 0 if _left_open(text, pieces[-1], single) else None
                    held = []
                elif since_open is not None and _has_marks(text, para.start, para.end, single):
                    since_open, held = None, []  # a stray mark in narration: no speech runs on past it
                elif since_open is not None:
                    since_open, hold = since_open + 1, True
            first = len(segments)
            for start, end, kind in (cut for piece in pieces for cut in _cut_long_narration(text, *piece)):
                segments.append(
                    Segment(
                        chapter.number, len(segments), scene_no, para_no, start, end,
                        kind, text[start:end], note=scene.note,  # type: ignore[arg-type]
                    )
                )
            if hold:
                held.extend(range(first, len(segments)))
            para_no += 1
    return segments


# Paragraphs without marks that may stand between a quotation left open and the paragraph that closes it.
_MAX_UNMARKED = 2


def _has_marks(text: str, start: int, end: int, single: bool) -> bool:
    marks = _SINGLE_MARKS if single else _DOUBLE_MARKS
    return any(c in marks for c in text[start:end])


def _left_open(text: str, last: tuple[int, int, str], single: bool) -> bool:
    """Whether the paragraph whose last piece this is leaves a quotation open at its end."""
    start, end, kind = last
    body = text[start:end].rstrip()
    return kind == "dialogue" and not (len(body) >= 2 and body[-1] in (_SINGLE_MARKS if single else _DOUBLE_MARKS))


def _closes_only(text: str, start: int, end: int, single: bool) -> bool:
    """Whether the paragraph's one quotation mark closes it at its end, after a word or a stop ('late!"')."""
    marks = _SINGLE_MARKS if single else _DOUBLE_MARKS
    body = text[start:end].rstrip()
    if len(body) < 2 or body[-1] not in marks or body[-2].isspace() or sum(c in marks for c in body) != 1:
        return False
    return not single or body[-2] in ".,!?;:\u2014\u2026-"


def _chat_lines(text: str, paras: tuple[Span, ...]) -> dict[int, int]:
    """Paragraph index -> message offset, for the paragraphs of a chat log or a script.

    A run of "Name: message" paragraphs by two writers or more is a conversation written without quote
    marks (group chats, texts, a play scene).
    """
    found: dict[int, int] = {}
    run: list[tuple[int, str, int]] = []
    for k, para in enumerate([*paras, None]):
        got = chat_line(text[para.start : para.end]) if para is not None else None
        if got is not None:
            run.append((k, *got))
            continue
        if is_chat([label for _, label, _ in run]):
            found.update((i, off) for i, _, off in run)
        run = []
    return found


# A segment is rendered, held and cached whole: one narration paragraph of 30,000 characters (a wall of
# text, or a story saved without paragraph breaks) made its worker peak at 242 MB against 92 MB for the same
# words in paragraphs. Longer narration is cut at sentence ends into segments of at most about this size
# (~3 minutes of speech), so memory does not grow with a paragraph's length.
MAX_NARRATION_CHARS = 4000
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u2019\u201d)\]]*\s+")


def _cut_long_narration(text: str, start: int, end: int, kind: str) -> list[tuple[int, int, str]]:
    """The piece itself, or a long narration piece as consecutive pieces cut after sentence ends (after a
    space when a stretch has no sentence end; hard at the limit when it has no space either)."""
    if kind != "narration" or end - start <= MAX_NARRATION_CHARS:
        return [(start, end, kind)]
    cuts: list[tuple[int, int, str]] = []
    pos = start
    while end - pos > MAX_NARRATION_CHARS:
        limit = pos + MAX_NARRATION_CHARS
        ends = [m.end() for m in _SENTENCE_END.finditer(text, pos + MAX_NARRATION_CHARS // 4, limit)]
        if not ends:
            space = text.rfind(" ", pos + 1, limit)
            ends = [space + 1] if space > pos else [limit]
        cuts.append((pos, ends[-1], kind))
        pos = ends[-1]
    cuts.append((pos, end, kind))
    return cuts


def uses_single_quotes(text: str) -> bool:
    """True when the book quotes speech with single marks (UK style) rather than double ones."""
    return _single_quote_convention(text)


@lru_cache(maxsize=8)
def _single_quote_convention(text: str) -> bool:
    doubles = sum(text.count(c) for c in _DOUBLE_MARKS)
    # Count single marks that open a quotation: after a space or line start, before a letter,
    # and not an elision such as 'tis.
    opens = 0
    for m in re.finditer(r"(?:^|(?<=[\s(\u2014]))['\u2018](?=[A-Za-z])", text, re.MULTILINE):
        if text[m.start()] == "\u2018" or not _ELISIONS.match(text, m.start()):
            opens += 1
    # A story with no double mark at all has nothing else to quote speech with: a short one (a drabble,
    # one scene) is read in single marks from its second opener on.
    return (opens >= 20 and opens > 2 * doubles) or (doubles == 0 and opens >= 2)


def split_paragraph(text: str, start: int, end: int, *, single: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, kind) pieces of one paragraph: quotations (with their marks) and narration."""
    spans = _single_spans(text, start, end) if single else _double_spans(text, start, end)
    pieces: list[tuple[int, int, str]] = []
    pos = start
    for qs, qe in spans:
        if qs > pos:
            pieces.append((pos, qs, "narration"))
        pieces.append((qs, qe, "dialogue"))
        pos = qe
    if pos < end:
        pieces.append((pos, end, "narration"))
    # A lone quotation mark (the closing mark of a song whose first lines were another paragraph, a typo) is no
    # one's speech: it stays with the narration or the quotation before it, never a line of its own.
    pieces = [(s, e, "narration") if k == "dialogue" and _lone_mark(text[s:e]) else (s, e, k) for s, e, k in pieces]
    # A piece made only of whitespace (or a lone mark) is folded into its neighbour so no segment is empty noise.
    merged: list[tuple[int, int, str]] = []
    for piece in pieces:
        if merged and _lone_mark(text[piece[0] : piece[1]]) and piece[2] == "narration":
            s, _, k = merged[-1]
            merged[-1] = (s, piece[1], k)
        elif merged and _lone_mark(text[merged[-1][0] : merged[-1][1]]) and merged[-1][2] == "narration":
            merged[-1] = (merged[-1][0], piece[1], piece[2])
        else:
            merged.append(piece)
    return merged


def _lone_mark(piece: str) -> bool:
    """Whether a piece holds nothing to say: white space, or one quotation mark alone."""
    stripped = piece.strip()
    return not stripped or (len(stripped) == 1 and stripped in _DOUBLE_MARKS + _SINGLE_MARKS)


def _double_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Quotation spans delimited by straight or curly double quotes, or by guillemets («French»,
    »German«) and German low-high marks („so“)."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for i in range(start, end):
        ch = text[i]
        if ch not in _DOUBLE_MARKS:
            continue
        if ch in "\u00ab\u00bb":
            ch = _guillemet(text, i, start, end)
        elif ch == "\u201c" and open_at is not None and text[open_at] == "\u201e":
            ch = "\u201d"  # „so“: the high mark closes what the low one opened
        if open_at is None:
            if ch == "\u201d":
                continue  # a stray closing curly quote: unbalanced marks, read as narration
            if ch == '"' and i + 1 < end and text[i + 1] in " \t\r\n" and i > start and text[i - 1] not in _BEFORE_OPEN:
                # Looks like a closer with no opener (e.g. unbalanced marks); skip it.
                continue
            open_at = i
        else:
            if ch in "\u201c\u201e":
                # A new opener while one is open: the earlier quote was left unclosed.
                spans.append((open_at, _rstrip(text, open_at, i)))
                open_at = i
                continue
            spans.append((open_at, i + 1))
            open_at = None
    if open_at is not None:
        spans.append((open_at, _rstrip(text, open_at, end)))
    return spans


def _guillemet(text: str, i: int, start: int, end: int) -> str:
    """A guillemet read as the curly mark it stands for: it opens (“) when a word follows it and white space
    or a bracket comes before, or when it points the way a French opener does («) and does not end a
    word (« so »); otherwise it closes (”). Both directions are in use («so» in French, »so« in German), and
    French sets them off with spaces (« so »)."""
    prev = text[i - 1] if i > start else " "
    nxt = text[i + 1] if i + 1 < end else " "
    if prev in _BEFORE_OPEN and (nxt.isalnum() or nxt in "_'\u2018\u2039"):
        return "\u201c"
    if text[i] == "\u00ab" and (prev.isspace() or prev in "([{" or nxt.isalnum()):
        return "\u201c"
    return "\u201d"


_TAG_START = re.compile(r"(?:said|says|asked|asks|cried|cries|replied|replies|he|she|I|they)\b")
_WORD_BEFORE = re.compile(r"[A-Za-z]+$")


def _single_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Quotation spans delimited by single marks, telling them apart from apostrophes."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    # Where an open quotation could have closed but a lower-case word after the mark made it look like a
    # plural possessive ("the dogs' bone"): the first one, and what to do with it if nothing closes later.
    weak: int | None = None
    elided = _elided_words(text)
    i = start
    while i < end:
        ch = text[i]
        if ch in "'\u2018\u2019":
            prev = text[i - 1] if i > start else " "
            nxt = text[i + 1] if i + 1 < end else " "
            alone = prev.isspace() and nxt.isspace()
            if open_at is None:
                # An opener stands before its first word -- or alone between spaces, as a double mark may
                # (", ' after what you said", "' Why, that's rum" opening the paragraph): a word's
                # apostrophe never stands alone. A capitalised elision outside a quotation opens one
                # ("'Er--no,' said Meg") unless it is 'Tis / 'Twas, which a narrator may write.
                if ch != "\u2019" and prev in _BEFORE_OPEN and (not nxt.isspace() or alone or i == start) \
                        and not (_ELISIONS.match(text, i) and (nxt.islower() or nxt in "Tt")):
                    open_at, weak = i, None
            else:
                inside_word = prev.isalnum() and nxt.isalnum()
                # A mark alone between spaces inside a quotation closes it: an opener has its word after
                # it, and the closer of a broken-off speech may follow a space ("'How I wish ' Ann began").
                closes = alone or (not inside_word and not prev.isspace() and (
                    nxt.isspace() or nxt in ",.;:!?)\u2014-" or i + 1 >= end
                ))
                if closes and prev.isalpha() and not alone:
                    word = _WORD_BEFORE.search(text, max(start, i - 20), i)
                    after = text[i + 1 : i + 3]
                    if after[:1] in ",.;:!?" and after[1:] in ("'", "\u2019"):
                        # "'I'm goin',' said Tam": the mark after the comma closes; this one ends a word.
                        closes = False
                    elif nxt == " ":
                        rest = text[i + 2 : i + 20]
                        if rest[:1].islower() and not _TAG_START.match(rest):
                            # "the dogs' bone": a plural possessive when a lower-case word follows (held in
                            # case nothing closes later).
                            closes = False
                            weak = i if weak is None else weak
                        elif word is not None and word.group(0).lower() in elided and not _TAG_START.match(rest):
                            # A word this book writes clipped ("an' Miss Lessing", "goin' Sunday").
                            closes = False
                if closes:
                    spans.append((open_at, i + 1))
                    open_at = None
        i += 1
        if i >= end and open_at is not None and weak is not None and (
                text[start:open_at].rstrip()[-1:].isalpha() or not _reopens(text, end)):
            # Nothing closed the quotation, and it is a word or two quoted mid-sentence ("the 'seconds' on
            # the train") or the next paragraph does not re-open it (the convention for a speech running
            # on): the lower-case word after the first likely closer was no possessive's noun ("'Tosca'
            # and 'Faust'", "'the house' from time to time"). Close there and read on.
            spans.append((open_at, weak + 1))
            open_at, i, weak = None, weak + 1, None
    if open_at is not None:
        spans.append((open_at, _rstrip(text, open_at, end)))
    return spans


_SPACE = re.compile(r"\s*")


def _reopens(text: str, end: int) -> bool:
    """Whether the paragraph after `end` opens with a single mark (a speech running on across paragraphs)."""
    m = _SPACE.match(text, end)
    nxt = text[m.end() : m.end() + 1] if m else ""
    return nxt in ("'", "\u2018")


@lru_cache(maxsize=8)
def _elided_words(text: str) -> frozenset[str]:
    """Words the book writes clipped with an apostrophe at their end in the middle of a sentence ("an'",
    "goin'", "o'"), three times or more: a dialect's spelling, not a quotation's end. Plural possessives
    ("dogs'") are left out: they are told apart by what follows them."""
    counts: dict[str, int] = {}
    for m in re.finditer(r"\b([A-Za-z]+)['\u2019] [a-z]", text):
        w = m.group(1).lower()
        if not w.endswith("s"):
            counts[w] = counts.get(w, 0) + 1
    return frozenset(w for w, n in counts.items() if n >= 3)


def _rstrip(text: str, start: int, end: int) -> int:
    """End offset with trailing whitespace removed (never before start + 1)."""
    while end > start + 1 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def plain_marks(segments: list[Segment] | tuple[Segment, ...]) -> list[Segment]:
    """Copies of the segments as if the book quoted speech with straight double marks and wrote straight
    apostrophes: a quotation's own opening and closing marks become '"', marks nested inside it (whatever
    their convention: "..." inside '...', \u2018...\u2019 inside \u201c...\u201d) and apostrophes become "'".

    Who speaks does not depend on the book's typography, so the stages that read the words (characters,
    attribution) read this one spelling, whose cues they know ('"Yes," said Ann.' reads as '\u2018Yes,\u2019 said
    Ann.' and '\u00abYes,\u00bb said Ann.'). Offsets and lengths are kept; these copies are for reading only and
    are never rendered or written (their text is not the story's).
    """
    out: list[Segment] = []
    for seg in segments:
        t = seg.text
        if not (t[:1] == "'" and seg.kind == "dialogue") and _NOT_STRAIGHT.search(t) is None:
            out.append(seg)  # straight double marks and straight apostrophes already (one C-level scan)
            continue
        if seg.kind == "dialogue" and t and t[0] in _OPENERS:
            closed = len(t) > 1 and t[-1] in _CLOSERS
            inner = t[1 : -1 if closed else None]
            inner = inner.translate(_ALL_AS_SINGLE if t[0] in _SINGLE_MARKS else _AS_SINGLE).translate(_AS_DOUBLE)
            new = '"' + inner + ('"' if closed else "")
        else:
            new = t.translate(_AS_SINGLE).translate(_AS_DOUBLE)
        out.append(seg if new == t else replace(seg, text=new))
    return out


# --- verse: one quotation over several lines ---------------------------------------------------

# A song, a rhyme, a letter or a sign quoted line by line: at most this many lines run on inside one pair of
# marks, each no longer than this. A one-paragraph-per-line export's paragraphs run longer than verse lines,
# and a quotation that stays open longer than that is an unbalanced mark, not a song.
MAX_VERSE_LINES = 16
MAX_VERSE_LINE_CHARS = 100
_SENTENCE_DONE = ".!?\u2026"


def verse_joins(text: str, lines: Sequence[tuple[int, int] | None], single: bool) -> set[int]:
    """Indices of the lines that carry on a quotation the line before them left open: the second and later
    lines of a song, a rhyme or a letter written line by line inside one pair of marks. `lines` are (start,
    end) offsets into `text` of consecutive lines parted by single line breaks; None stands for a paragraph
    break (blank lines, a scene break). Such lines belong to the paragraph of the line before them.

    A reader takes the next lines into the quotation when they reach its closing mark within a few short
    lines, none of them opening a mark of its own ('"Over the ditch and under the gate, / Hurry, old Toad,
    for the hour is late!"'); or when the quotation runs on, still open, to a paragraph that opens a new mark
    (a stanza left open as multi-paragraph speech is) and its first line stops mid-sentence as a verse line
    does. A line that opens with a mark is a new paragraph of speech (one paragraph a line, as many exports
    write), and a quotation left open after a finished sentence is the multi-paragraph speech convention or
    an unbalanced mark: those lines stay paragraphs of their own."""
    joins: set[int] = set()
    k = 0
    while k < len(lines):
        line = lines[k]
        opened = None if line is None else _open_at_end(text, *line, single)
        last = None if opened is None else _verse_end(text, lines, k, opened, single)
        if last is None:
            k += 1
            continue
        joins.update(range(k + 1, last + 1))
        k = last + 1
    return joins


def _spans(text: str, start: int, end: int, single: bool) -> list[tuple[int, int]]:
    return _single_spans(text, start, end) if single else _double_spans(text, start, end)


def _open_at_end(text: str, start: int, end: int, single: bool) -> int | None:
    """Where the quotation opens that is still open at the end of this line, or None."""
    marks = _SINGLE_MARKS if single else _DOUBLE_MARKS
    if not any(c in marks for c in text[start:end]):
        return None
    spans = _spans(text, start, end, single)
    if not spans:
        return None
    qs, qe = spans[-1]
    if qe != _rstrip(text, qs, end) or (qe - qs >= 2 and text[qe - 1] in marks):
        return None  # closed on this line (or before its end)
    return qs


def _opens_quote(text: str, start: int, end: int, single: bool) -> bool:
    """Whether the line opens with a quotation mark followed by words (a lone mark, or a closing one, does not)."""
    first, second = text[start : start + 1], text[start + 1 : start + 2]
    if single:
        return first in "'\u2018\u2039" and not second.isspace() and not _ELISIONS.match(text, start)
    return first in "\"\u201c\u201e\u00ab\u00bb" and (not second.isspace() or first == "\u00ab") and end > start + 1


def _verse_end(text: str, lines: Sequence[tuple[int, int] | None], k: int, opened: int, single: bool) -> int | None:
    """The last line of the verse whose quotation opens at `opened` on line k, or None when it is not verse."""
    marks = _SINGLE_MARKS if single else _DOUBLE_MARKS
    m = k + 1
    while m < len(lines) and m <= k + MAX_VERSE_LINES:
        line = lines[m]
        if line is None or _opens_quote(text, *line, single):
            break
        start, end = line
        if end - start > MAX_VERSE_LINE_CHARS:
            return None
        span = next((s for s in _spans(text, lines[k][0], end, single) if s[0] == opened), None)  # type: ignore[index]
        if span is None:
            return None
        qe = span[1]
        if qe - opened >= 2 and text[qe - 1] in marks and qe <= end:
            # Closed on this line: by a closing mark after a word ('late!"'), or a mark alone on its line. A
            # mark after a space opens a new quotation ('Ann said, "Hi."'): the first one was left unclosed.
            alone = not text[start : qe - 1].strip()
            return m if alone or not text[qe - 2].isspace() else None
        m += 1
    # Still open after line m - 1: verse only when it stops where a paragraph opens a new mark (the next stanza,
    # the next speech) and its first line ended mid-sentence.
    if m == k + 1 or m > k + MAX_VERSE_LINES:
        return None
    after = next((ln for ln in lines[m:] if ln is not None), None)
    first_end = text[lines[k][0] : lines[k][1]].rstrip().rstrip(marks)  # type: ignore[index]
    if after is None or not _opens_quote(text, *after, single) or first_end[-1:] in _SENTENCE_DONE:
        return None
    return m - 1
