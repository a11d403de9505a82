"""split_dialogue: cut a chapter's paragraphs into narration and quotations, keeping source offsets.

PLACEHOLDER (foundation wiring): quotes are straight or curly double quotes inside one paragraph;
a quote left open runs to the end of the paragraph. Replaced by the attribution work.
"""

from __future__ import annotations

from narrator.models import Chapter, Segment, Story

_OPEN = {'"': '"', "\u201c": "\u201d"}


def split_dialogue(story: Story, chapter: Chapter) -> list[Segment]:
    """Segments of the chapter body in reading order; together they cover every paragraph exactly."""
    text = story.text
    segments: list[Segment] = []
    para_no = 0
    for scene_no, scene in enumerate(chapter.scenes, start=1):
        for para in scene.paragraphs:
            for start, end, kind in _split_paragraph(text, para.start, para.end):
                segments.append(
                    Segment(chapter.number, len(segments), scene_no, para_no, start, end, kind, text[start:end])
                )
            para_no += 1
    return segments


def _split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    pieces: list[tuple[int, int, str]] = []
    pos = start
    i = start
    while i < end:
        ch = text[i]
        if ch in _OPEN:
            close = _OPEN[ch]
            j = text.find(close, i + 1, end)
            if ch == '"' or j == -1:
                j = text.find('"', i + 1, end) if ch == '"' else j
            stop = end if j == -1 else j + 1
            if i > pos:
                pieces.append((pos, i, "narration"))
            pieces.append((i, stop, "dialogue"))
            pos = i = stop
            continue
        i += 1
    if pos < end:
        pieces.append((pos, end, "narration"))
    return pieces
