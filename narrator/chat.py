"""Chat logs and scripts written without quotation marks ("Rainbow: so??"): which lines are one.

Shared by paragraph splitting (each line of such a block is a turn of its own), quote detection (a run
of such lines is speech), character discovery and attribution (the label is the writer).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A chat line may start with its time: "[10:42] Rainbow: so??", "10:42 PM Rainbow: so??".
_CHAT_TIME = r"(?:\[?\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?\]?[ \t]+)?"
# A chat-log or script line in fan fiction: "Rainbow: ok party for pinkie", "pinkiepie42: omg". The label is
# one to three words (a handle or a name); the message follows on the same line. dialogue.py reads a run of
# such lines as speech, chapters.py makes each line of such a block a paragraph of its own, and
# attribution and character discovery give each message to its label.
_LABEL = r"(?P<label>[A-Za-z][\w'\u2019.\-]{0,23}(?: [A-Z][\w'\u2019.\-]{0,23}){0,2})"
CHAT_LINE = re.compile(r"[ \t]*" + _CHAT_TIME + _LABEL + r"[ \t]*:[ \t]+(?=\S)")
# Labels that head a line of a story's furniture, not a speaker ("Summary: ...", "Rating: T", "P.S.: ...").
CHAT_NOT_SPEAKERS = frozenset(
    ["summary", "description", "blurb", "chapter", "part", "book", "note", "notes", "a/n", "an", "author", "authors",
     "author's", "title", "rating", "rated", "warning", "warnings", "disclaimer", "fandom", "fandoms", "words", "status",
     "genre", "genres", "characters", "character", "pairing", "pairings", "relationship", "relationships", "tags",
     "update", "updated", "edit", "edited", "ps", "p.s.", "p.s", "pps", "dear", "to", "from", "subject", "re", "date",
     "time", "place", "location", "translation", "beta", "betas", "credits", "credit", "cover", "prompt", "series",
     "published", "completed", "language", "category", "categories", "stats", "source", "link", "dedication",
     "epilogue", "prologue", "interlude", "scene", "day", "night", "morning", "evening", "later", "meanwhile", "and",
     "but", "so", "or", "yes", "no", "well", "oh", "ok", "okay", "note to self", "question", "answer", "q", "a"]
)


def chat_line(line: str) -> tuple[str, int] | None:
    """(label, offset of the message) when `line` reads as one "Name: message" line of a chat, else None."""
    m = CHAT_LINE.match(line)
    if m is None or "\n" in line.strip() or any(q in line for q in '"\u201c\u201d'):
        return None
    label = m.group("label")
    if label.lower() in CHAT_NOT_SPEAKERS or label.split()[0].lower() in CHAT_NOT_SPEAKERS:
        return None
    return label, m.end()


def is_chat(labels: Sequence[str]) -> bool:
    """Whether consecutive "Name: message" lines with these labels are a conversation: three lines at least,
    by two writers at least. (One such line alone is more often a caption: "Location: the old mill".)"""
    return len(labels) >= 3 and len(set(labels)) >= 2


_CHAT_LABEL_ONLY = re.compile(r"\s*" + _CHAT_TIME + _LABEL + r"[ \t]*:[ \t]*")


def chat_label(narration: str, speech: str) -> str | None:
    """The writer's label when `narration` is only a chat line's "Name: " and `speech` its unquoted message."""
    m = _CHAT_LABEL_ONLY.fullmatch(narration)
    if m is None or not speech or speech[0] in "\"'\u201c\u2018":
        return None
    return m.group("label")
