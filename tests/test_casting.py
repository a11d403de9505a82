"""Automatic casting: distinct, gender-appropriate, frequent speakers first, and stable as a story grows."""

from __future__ import annotations

from typer.testing import CliRunner

from narrator.casting import Engines, assign_voices
from narrator.cli import app
from narrator.models import Character, Line, Segment

from .support_editloop import STORY, use_fixture_attribution

runner = CliRunner()
NAMES = ["Mira", "Tobin", "Pip", "Odile", "Brann", "Kestrel", "Wynn", "Hollis", "Marguerite", "Ash"]


def _lines(counts: dict[str, int]) -> list[Line]:
    seg = Segment(1, 0, 1, 0, 0, 1, "dialogue", '"x"')
    return [Line(seg, name, "explicit", 1.0) for name, n in counts.items() for _ in range(n)]


def _cast(people: dict[str, tuple[str, int]], engine: str = "silent") -> dict[str, tuple[str, str, int]]:
    chars = [Character(n, (), g, k) for n, (g, k) in people.items()]  # type: ignore[arg-type]
    casting = assign_voices(chars, _lines({n: k for n, (_, k) in people.items()}), Engines(engine))
    out = {n: (v.engine, v.id, v.pitch) for n, v in casting.characters.items()}
    out["(narrator)"] = (casting.narrator.engine, casting.narrator.id, casting.narrator.pitch)
    out["(unknown)"] = (casting.unknown.engine, casting.unknown.id, casting.unknown.pitch)
    return out


def test_casting_gives_narrator_unknown_and_characters_distinct_voices():
    people = {n: ("female" if i % 2 else "male", 10 - i) for i, n in enumerate(NAMES)}
    voices = _cast(people)
    assert len({v[:2] for v in voices.values()}) == len(voices)


def test_casting_is_gender_appropriate():
    people = {n: ("female" if i % 2 else "male", 10 - i) for i, n in enumerate(NAMES)}
    voices = _cast(people)
    for name, (gender, _) in people.items():
        assert voices[name][1].startswith(gender), (name, voices[name])


def test_casting_most_frequent_speakers_keep_a_voice_of_their_own_when_voices_run_out():
    # The silent engine has 6 female voices; 8 female characters must share, the rarest ones.
    people = {n: ("female", 100 - 10 * i) for i, n in enumerate(NAMES[:8])}
    voices = _cast(people)
    ids = [voices[n][1] for n in NAMES[:8]]
    assert len(set(ids[:6])) == 6
    assert ids[6] in ids[:6] and ids[7] in ids[:6]
    # A shared voice is pitch-shifted, so the two speakers still sound different.
    for late in NAMES[6:8]:
        twin = next(n for n in NAMES[:6] if voices[n][1] == voices[late][1])
        assert voices[twin][2] != voices[late][2]


def _grow(engine: str) -> list[tuple[int, list[str]]]:
    """Add a dominant newcomer to casts of 2..8; (size, characters moved) per addition."""
    out = []
    for size in range(2, 9):
        base = {n: ("female" if i % 3 else "male", 50 - i) for i, n in enumerate(NAMES[:size])}
        before = _cast(base, engine)
        for newcomer, gender in (("Zephyrine", "female"), ("Oswin", "male"), ("Quill", "unknown")):
            after = _cast({**base, newcomer: (gender, 1000)}, engine)
            moved = [n for n in base if after[n] != before[n]]
            # Nobody moves without cause: each moved character's old voice is now held by the newcomer
            # or by another character that moved (a chain of collisions).
            holders = {after[n][:2] for n in (*moved, newcomer)}
            assert all(before[n][:2] in holders for n in moved), (engine, size, newcomer, moved)
            out.append((size, moved))
    return out


def test_casting_adding_a_rare_character_moves_nobody():
    for engine in ("silent", "pyttsx3"):
        for size in range(2, 9):
            base = {n: ("female" if i % 3 else "male", 50 - i) for i, n in enumerate(NAMES[:size])}
            after = _cast({**base, "Zephyrine": ("female", 1)}, engine)
            assert {n: v for n, v in after.items() if n != "Zephyrine"} == _cast(base, engine)


def test_casting_adding_a_dominant_character_moves_few_others():
    grown = _grow("pyttsx3")
    # With 16 voices a gender, most additions move nobody; ranking by frequency alone would move
    # every character ranked below the newcomer in all of them.
    assert sum(1 for _, moved in grown if moved) <= len(grown) // 3
    assert max(len(moved) for _, moved in grown) <= 2
    _grow("silent")  # a 6-voice palette collides more, but still moves nobody without cause


def test_casting_cast_file_pins_voices_when_the_story_grows(tmp_path, monkeypatch):
    path = tmp_path / "cast.toml"
    use_fixture_attribution(monkeypatch, {"Mira": "female", "Tobin": "male"})
    assert runner.invoke(app, ["cast", str(STORY), "-o", str(path), "--engine", "silent"]).exit_code == 0
    first = path.read_text()
    use_fixture_attribution(monkeypatch, {"Pip": "female", "Mira": "female", "Tobin": "male"})
    result = runner.invoke(app, ["cast", str(STORY), "-o", str(path), "--engine", "silent"])
    assert result.exit_code == 0, result.output
    assert path.read_text().startswith(first.split("[lexicon]")[0])
    assert "added Pip" in result.output


def test_casting_overrides_and_aliases_show_in_script(tmp_path, monkeypatch):
    use_fixture_attribution(monkeypatch)
    cast = tmp_path / "cast.toml"
    cast.write_text('[characters."Stranger"]\ngender = "male"\naliases = ["the stranger"]\n\n'
                    '[characters."Tobin"]\naliases = ["Mr Tobin"]\n\n'
                    '[[overrides]]\nchapter = 2\nstarts = "I want to buy"\nspeaker = "the stranger"\n\n'
                    '[[overrides]]\nid = "1:14"\nspeaker = "Mr Tobin"\n\n'
                    '[[overrides]]\nchapter = 1\nstarts = "The crow on the shelf"\nspeaker = "Pip"\n')
    result = runner.invoke(app, ["script", str(STORY), "--cast", str(cast), "--engine", "silent"])
    assert result.exit_code == 0, result.output
    rows = {r.split()[0]: r for r in result.output.splitlines()}
    assert "Stranger" in rows["2:2"] and "[override 1.00]" in rows["2:2"]
    assert "Tobin" in rows["1:14"] and "[override 1.00]" in rows["1:14"]
    assert "Pip" in rows["1:7"] and "[override 1.00]" in rows["1:7"]
    assert "(unknown)" not in result.output
    jsonl = runner.invoke(app, ["script", str(STORY), "--cast", str(cast), "--engine", "silent", "--format", "jsonl"])
    assert '"speaker": "Stranger", "evidence": "override"' in jsonl.output


def test_casting_override_can_hand_a_line_back_to_the_narrator(tmp_path, monkeypatch):
    use_fixture_attribution(monkeypatch)
    cast = tmp_path / "cast.toml"
    cast.write_text('[[overrides]]\nid = "1:8"\nspeaker = "narrator"\n')
    result = runner.invoke(app, ["script", str(STORY), "--cast", str(cast), "--engine", "silent"])
    row = next(r for r in result.output.splitlines() if r.split()[0] == "1:8")
    assert "(narrator)" in row and "[override 1.00]" in row
