"""split_dialogue: cut a chapter into narration and quotations, keeping source offsets.

PLACEHOLDER (foundation wiring): quotes are straight or curly double quotes inside one paragraph;
a quote left open runs to the end of the paragraph. The attribution work replaces this.

Contract (keep it): the heading, when there is one, is segment 0 (narration, heading=True,
scene 0, paragraph -1); then every paragraph of every scene, in order, is covered exactly once by
contiguous segments; paragraphs of a note scene are single narration segments with note=True;
`index` runs 0, 1, 2 ... through the chapter.
"""

from __future__ import annotations

from narrator.models import Chapter, Segment, Story

_CLOSE = {'"': '"', "\u201c": "\u201d"}


def split_dialogue(story: Story, chapter: Chapter) -> list[Segment]:
    """Segments of the chapter in reading order; together they cover every paragraph exactly."""
    text = story.text
    segments: list[Segment] = []
    if chapter.heading is not None:
        h = chapter.heading
        segments.append(Segment(chapter.number, 0, 0, -1, h.start, h.end, "narration", text[h.start : h.end], heading=True))
    para_no = 0
    for scene_no, scene in enumerate(chapter.scenes, start=1):
        for para in scene.paragraphs:
            pieces = [(para.start, para.end, "narration")] if scene.note else _split_paragraph(text, para.start, para.end)
            for start, end, kind in pieces:
                segments.append(
                    Segment(chapter.number, len(segments), scene_no, para_no, start, end, kind,  # type: ignore[arg-type]
                            text[start:end], note=scene.note)
                )
            para_no += 1
    return segments


def _split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    pieces: list[tuple[int, int, str]] = []
    pos = i = start
    while i < end:
        ch = text[i]
        if ch in _CLOSE:
            j = text.find(_CLOSE[ch], i + 1, end)
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
