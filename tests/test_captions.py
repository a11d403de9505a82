"""Captions: one WebVTT cue per segment, timed to the decoded audio, speaker as a voice span; SRT; transcript."""

from __future__ import annotations

import itertools
import re

from narrator.captions import srt, transcript, webvtt

from ._book import built, decode, needs_tools, vtt_cues, window_db
from .test_assemble import clip_at

RATE = 22050


@needs_tools
def test_captions_each_cue_starts_and_ends_at_its_sound() -> None:
    """Quiet just before each cue, sound within 100 ms of its start and end, quiet just after it."""
    book = built()
    for mp3 in book.mp3s:
        x = decode(mp3, RATE)
        cues = vtt_cues(mp3.with_suffix(".vtt"))
        assert cues
        for start, end, who, text in cues:
            where = f"{mp3.name} {start:.3f}-{end:.3f} {who}: {text[:30]}"
            assert window_db(x, RATE, start - 0.20, start - 0.06) < -55, f"sound before the cue: {where}"
            assert window_db(x, RATE, start, start + 0.10) > -52, f"no sound at the cue start: {where}"
            assert window_db(x, RATE, end - 0.10, end) > -52, f"no sound at the cue end: {where}"
            assert window_db(x, RATE, end + 0.06, end + 0.20) < -55, f"sound after the cue: {where}"


@needs_tools
def test_captions_one_cue_per_segment_with_speaker_and_text() -> None:
    book = built()
    cues = vtt_cues(book.mp3s[0].with_suffix(".vtt"))
    texts = [c[3] for c in cues]
    assert texts[0].startswith("Chapter 1")
    assert '"We can go,"' in texts and "she said," in texts
    assert {c[2] for c in cues if c[3].startswith('"')} == {"Unknown speaker"}
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(cues)), "cues overlap or are out of order"
    srt_text = book.mp3s[0].with_suffix(".srt").read_text(encoding="utf-8")
    assert len(re.findall(r"^\d\d:\d\d:\d\d,\d{3} --> ", srt_text, flags=re.M)) == len(cues)


def test_captions_escape_markup_and_format_times() -> None:
    t = clip_at('"A <b> & c,"', start=22050 * 3661 + 11025, samples=22050, role="Mara & Co")
    vtt = webvtt([t], 22050, digest="abc")
    assert "NOTE narrator digest abc" in vtt
    assert "01:01:01.500 --> 01:01:02.500" in vtt
    assert '<v Mara &amp; Co>"A &lt;b&gt; &amp; c,"' in vtt
    assert "01:01:01,500 --> 01:01:02,500\nMara & Co: \"A <b> & c,\"" in srt([t], 22050)
    assert transcript([t]) == '"A <b> & c,"'


def test_captions_heading_decoration_is_not_text() -> None:
    from narrator.assemble import Timed
    from narrator.models import Clip, Cue, Line, Segment, Voice

    text = "\t— Chapter One —\n\t--- The Unlit Street ---"
    seg = Segment(1, 0, 0, -1, 0, len(text), "narration", text, heading=True)
    t = Timed(Clip(Cue(Line(seg, None, "narration", 1.0), Voice("silent", "n"), "x"), "k", 10, 22050), 0, 10)
    assert transcript([t]) == "Chapter One The Unlit Street"
