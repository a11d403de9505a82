"""`narrator script --doubtful`: the lines most likely wrong, most doubtful first, each with a short reason."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from narrator.cli import app
from narrator.models import DOUBTFUL_BELOW, Line, Segment

from .attribution_helpers import lines_of
from .conftest import SAMPLE

runner = CliRunner()
ROW = re.compile(r"^\s*(\d+:\d+)\s+(.+?)\s+(\".*)\s+\[(\w+) (\d\.\d\d): (.+)\]$")


def _seg(kind: str = "dialogue") -> Segment:
    return Segment(1, 1, 1, 0, 0, 4, kind, '"Hi"')


def test_doubtful_takes_in_the_lines_wrong_one_time_in_four() -> None:
    # benchmarks/calibration.py: lines scored 0.7-0.8 were right 74.6 % of the time, so a 0.71 line is worth a look
    # (the walkthrough found a wrong 0.71 line --doubtful did not list); narration never is.
    assert Line(_seg(), "Ann", "implicit", 0.71).doubtful
    assert Line(_seg(), None, "unknown", 0.0).doubtful
    assert not Line(_seg(), "Ann", "explicit", 0.97).doubtful
    assert not Line(_seg("narration"), None, "narration", 0.5).doubtful


def test_doubtful_guess_names_the_runner_up() -> None:
    text = '"Go home," said Ann.\n\n"Not yet," said Ben.\n\n"Why not?"\n\n"Because."\n'
    guessed = [ln for ln in lines_of(text) if ln.segment.kind == "dialogue" and ln.evidence == "implicit"]
    assert guessed and all({ln.speaker, ln.alternative} == {"Ann", "Ben"} for ln in guessed)
    named = [ln for ln in lines_of(text) if ln.evidence == "explicit"]
    assert named and all(ln.alternative is None for ln in named)  # a name tag weighed nobody else


def test_doubtful_lists_every_doubtful_line_ranked_with_a_reason() -> None:
    rows = [json.loads(r) for r in runner.invoke(app, ["script", str(SAMPLE), "-f", "jsonl"]).stdout.splitlines()]
    want = sorted(r["confidence"] for r in rows if r["kind"] == "dialogue" and r["confidence"] < DOUBTFUL_BELOW)
    out = runner.invoke(app, ["script", str(SAMPLE), "--doubtful"]).stdout.splitlines()
    parsed = [ROW.match(line) for line in out]
    assert all(parsed), [line for line, m in zip(out, parsed, strict=True) if not m]
    got = [float(m[5]) for m in parsed if m]
    assert got == sorted(got) and len(got) == len(want)  # one line per quote, most doubtful first
    assert any(0.7 <= c < 0.8 for c in got)  # the 0.7s, right only three times in four, are listed too
    for m in parsed:
        assert m is not None and m[6].strip()  # a reason a person can act on


def test_doubtful_jsonl_keeps_story_order_and_names_the_runner_up() -> None:
    # The text listing printed "or X?", the JSON rows a program reads had no way to say it.
    out = runner.invoke(app, ["script", str(SAMPLE), "--doubtful", "-f", "jsonl"])
    rows = [json.loads(r) for r in out.stdout.splitlines()]
    assert rows and all(r["confidence"] < DOUBTFUL_BELOW and "alternative" in r for r in rows)
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)  # story order, unlike the text listing
    assert any(r["alternative"] and r["alternative"] != r["speaker"] for r in rows)
