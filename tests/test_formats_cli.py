"""Every input format through `narrator script`: offsets point into the text `--source` prints; stdin works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrator.cli import app

from ._epub import Page, write_epub
from .conftest import SAMPLE

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
runner = CliRunner()


def _epub(tmp_path: Path) -> Path:
    pages = [
        Page("info.xhtml", "Info", "<p>Rating: General</p><p>Words: 60</p><p>Chapters: 2</p>"),
        Page("c1.xhtml", "Chapter 1", '<h1>Chapter 1</h1><p>"Hold the lamp," said Odile. <em>Carefully.</em></p>'),
        Page("c2.xhtml", "Chapter 2", "<h1>Chapter 2</h1><p>Bram held it. The wick caught.</p>"),
    ]
    return write_epub(tmp_path / "lamp.epub", title="Lamp", pages=pages,
                      toc=[("info.xhtml", "Story Info"), ("c1.xhtml", "Chapter 1"), ("c2.xhtml", "Chapter 2")])


@pytest.mark.parametrize("make", [_epub, lambda _: FIXTURES / "ao3_like.html", lambda _: FIXTURES / "story.md",
                                  lambda _: SAMPLE], ids=["epub", "html", "markdown", "text"])
def test_formats_script_offsets_point_into_the_extracted_source(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    path = str(make(tmp_path))
    source = runner.invoke(app, ["script", path, "--format", "text", "--source"])
    rows = runner.invoke(app, ["script", path, "--format", "jsonl"])
    assert source.exit_code == 0 and rows.exit_code == 0, source.output + rows.output
    lines = [json.loads(r) for r in rows.stdout.splitlines()]
    assert lines
    for row in lines:
        assert source.stdout[row["start"] : row["end"]] == row["text"]
    assert "Rating" not in source.stdout  # front matter never reaches the extracted text


@pytest.mark.parametrize("path", [SAMPLE, FIXTURES / "ao3_like.html"], ids=["text", "html"])
def test_formats_stdin_reads_like_the_file(path: Path) -> None:
    from_file = runner.invoke(app, ["script", str(path), "--format", "jsonl"])
    from_stdin = runner.invoke(app, ["script", "-", "--format", "jsonl"], input=path.read_bytes())
    assert from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout


def test_formats_empty_stdin_is_an_input_error() -> None:
    from narrator.errors import InputError

    result = runner.invoke(app, ["script", "-"], input=b"")
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError) and "stdin is empty" in str(result.exception)


def test_formats_markdown_on_stdin_reads_like_the_file() -> None:
    path = FIXTURES / "story.md"
    from_file = runner.invoke(app, ["script", str(path), "--source"])
    from_stdin = runner.invoke(app, ["script", "-", "--source"], input=path.read_bytes())
    assert from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout
