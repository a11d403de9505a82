"""The README's examples are real: its cast file example loads and applies to the story it was written for."""

from __future__ import annotations

import re
from pathlib import Path

from narrator.pipeline import make_script

ROOT = Path(__file__).resolve().parents[1]


def _readme_block(after: str, lang: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(after)
    return re.search(rf"```{lang}\n(.*?)```", text[start:], re.S).group(1)  # type: ignore[union-attr]


def test_readme_cast_example_is_a_valid_cast_file(tmp_path: Path) -> None:
    cast = tmp_path / "cast.toml"
    cast.write_text(_readme_block("## The cast file", "toml"), encoding="utf-8")
    (tmp_path / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 64)
    script = make_script(ROOT / "tests" / "fixtures" / "editloop.txt", cast)
    speakers = {f"{ln.segment.chapter}:{ln.segment.index}": ln.speaker for ln in script.lines}
    assert speakers["1:14"] == "Tobin"
    stranger = [ln for ln in script.lines if ln.segment.text.lstrip('"“').startswith("I want to buy")]
    assert stranger and all(ln.speaker == "Stranger" for ln in stranger)
    assert script.story.title == "The Clockmaker's Bargain"
