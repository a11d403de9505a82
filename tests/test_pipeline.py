"""Pipeline invariants: every word of the narratable text is spoken exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrator.chapters import split_chapters
from narrator.dialogue import split_dialogue
from narrator.pipeline import make_script, safe_filename, slugify
from narrator.reader import read_story

from .conftest import CORPUS, SAMPLE


def _check_coverage(path: Path) -> None:
    story = read_story(path)
    for chapter in split_chapters(story):
        segs = [s for s in split_dialogue(story, chapter) if not s.heading]
        for para in chapter.paragraphs:
            inside = [s for s in segs if para.start <= s.start and s.end <= para.end]
            assert "".join(s.text for s in inside) == story.text[para.start : para.end]
        covered = sum(s.end - s.start for s in segs)
        assert covered == sum(p.end - p.start for p in chapter.paragraphs)


def test_pipeline_sample_story_is_covered_exactly_once() -> None:
    _check_coverage(SAMPLE)


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus/pdnc")
@pytest.mark.parametrize("novel", ["persuasion", "the-sign-of-the-four"])
def test_pipeline_corpus_novel_is_covered_exactly_once(novel: str) -> None:
    _check_coverage(CORPUS / novel / "text.txt")


def test_pipeline_headings_are_never_dialogue() -> None:
    script = make_script(SAMPLE, find_cast=False)
    headings = [ln for ln in script.lines if ln.segment.heading]
    assert len(headings) == 2 and all(ln.segment.kind == "narration" for ln in headings)


def test_pipeline_names_for_files() -> None:
    assert slugify("The Lamplighter's Apprentice") == "the-lamplighters-apprentice"
    assert safe_filename('Chapter 3: What? "No" / Yes') == "Chapter 3 - What No Yes"
    assert safe_filename("Chapter 1: ../..") == "Chapter 1"  # no dangling " -"
    # File names are limited in bytes (255 on most file systems, with room for the temporary name's suffix),
    # not characters: 84 CJK characters are 252 bytes, and the build failed with "File name too long".
    name = safe_filename("Chapter 1: " + "夜の物語" * 21)
    assert name.startswith("Chapter 1 - 夜の物語") and len(name.encode()) <= 200
    assert safe_filename("Chapter 1: " + "Ночь" * 20) == "Chapter 1 - " + "Ночь" * 20  # 172 bytes: unchanged
    slug = slugify("夜の物語" * 30)
    assert slug.startswith("夜の物語") and len(f".{slug}.4194304.part.m4b".encode()) <= 255


def test_pipeline_lexicon_shared_file_and_cast_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """voices/lexicon.toml applies to every story; the cast file's [lexicon] wins where both list a word."""
    from narrator.casting import Engines, assign_voices, cast

    monkeypatch.chdir(tmp_path)
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "lexicon.toml").write_text('[lexicon]\ntwi = "Tweesh"\nGIF = "jiff"\n', encoding="utf-8")
    story = tmp_path / "s.txt"
    story.write_text("Twi sent a GIF to TWI. Twilight laughed.\n", encoding="utf-8")
    plain = make_script(story)
    castfile = tmp_path / "cast.toml"
    castfile.write_text('[lexicon]\nTwi = "Twee"\n', encoding="utf-8")
    with_cast = make_script(story, castfile)

    def spoken(script) -> str:  # type: ignore[no-untyped-def]
        casting = assign_voices(script.characters, script.lines, Engines("silent"), script.castfile)
        return " ".join(c.speech for c in cast(script.lines, casting, script.chapters, script.lexicon))

    assert spoken(plain) == "Tweesh sent a jiff to Tweesh. Twilight laughed."
    assert spoken(with_cast) == "Twee sent a jiff to Tweesh. Twilight laughed."


def test_pipeline_a_long_story_is_analysed_apart_with_the_same_script_and_warnings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A build analyses a long story in a child process (memory); what it gets back must be what make_script
    # gives here, the cast file found relative to the folder we are in, and the reader's warnings must reach us.
    from narrator import pipeline

    story = tmp_path / "story.txt"
    story.write_bytes(SAMPLE.read_bytes().replace(b"\xe2\x80\x99", b"'") .decode("utf-8").encode("cp1252", "replace")
                      + b"\n\x93Late again,\x94 Mara said.\n")
    (tmp_path / "voices").mkdir()
    here = make_script(story, find_cast=False)
    slug = pipeline.slugify(here.story.title)
    # An engine registered at run time (as tests and plugins do), named by the cast file: the child must know it.
    from narrator.engines import ENGINES

    monkeypatch.setitem(ENGINES, "silent-twin", ENGINES["silent"])
    (tmp_path / "voices" / f"{slug}.toml").write_text('[characters."Mara"]\nvoice = "quiet"\nengine = "silent-twin"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "ANALYSE_APART_BYTES", 0)
    calls: list[str] = []
    real = pipeline.ProcessPoolExecutor
    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", lambda *a, **k: calls.append("child") or real(*a, **k))
    with pytest.warns(UserWarning, match="read it as Windows-1252"):
        apart = pipeline._script_for_build("story.txt", None, False)
    assert calls == ["child"]
    assert apart.castfile is not None and apart.castfile == make_script("story.txt").castfile
    assert apart.lines == make_script("story.txt").lines and apart.characters == here.characters


def test_pipeline_a_short_story_is_analysed_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from narrator import pipeline

    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", None)  # any use would fail
    assert pipeline._script_for_build(SAMPLE, None, False).lines == make_script(SAMPLE).lines


def test_pipeline_a_killed_analysis_child_is_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from narrator import pipeline
    from narrator.errors import NarratorError

    class KilledChild:  # what the pool reports when the system kills its process (out of memory)
        def __init__(self, *args: object, **kwargs: object) -> None: ...
        def __enter__(self) -> KilledChild: return self
        def __exit__(self, *exc: object) -> None: ...
        def submit(self, *args: object) -> Future[object]:
            done: Future[object] = Future()
            done.set_exception(BrokenProcessPool("A process in the process pool was terminated abruptly"))
            return done

    monkeypatch.setattr(pipeline, "ANALYSE_APART_BYTES", 0)
    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", KilledChild)
    with pytest.raises(NarratorError, match=r"stopped unexpectedly .*out of memory"):
        pipeline._script_for_build(SAMPLE, None, False)


def test_pipeline_tests_do_not_see_the_users_cast_files() -> None:
    # A cast file the user wrote with `narrator cast` in the repository must not change what the tests build.
    assert Path.cwd().resolve() != Path(__file__).resolve().parents[1] and not Path("voices").exists()
