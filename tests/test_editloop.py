"""The edit loop end to end on the real eSpeak NG and ffmpeg: cast, build, change, rebuild, preview, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomlkit
from pydub import AudioSegment
from typer.testing import CliRunner

from narrator.cli import app
from narrator.export import file_digest

from .support_editloop import STORY, use_fixture_attribution

pytestmark = pytest.mark.e2e
runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def _build(story: Path, out: Path, cast: Path) -> dict:
    return json.loads(_ok(["build", str(story), "-o", str(out), "--cast", str(cast), "--json", "-j", "2"]).strip().splitlines()[-1])


def _script(cast: Path) -> list[dict]:
    return [json.loads(r) for r in _ok(["script", str(STORY), "--cast", str(cast), "--format", "jsonl"]).splitlines()]


def _stamp(summary: dict) -> dict[str, tuple[int, int]]:
    return {c["file"]: (os.stat(c["file"]).st_mtime_ns, os.stat(c["file"]).st_ino) for c in summary["chapters"]}


def test_editloop_voice_change_rerenders_exactly_that_characters_lines(tmp_path, monkeypatch):
    use_fixture_attribution(monkeypatch)
    cast, out = tmp_path / "cast.toml", tmp_path / "out"
    _ok(["cast", str(STORY), "-o", str(cast)])
    rows = _script(cast)
    said = [r for r in rows if r["text"].strip(' "').strip()]

    cold = _build(STORY, out, cast)
    assert cold["segments_reused"] == 0
    assert cold["segments_rendered"] == len({(r["speaker"], r["kind"], " ".join(r["text"].split())) for r in said})
    assert len(cold["chapters"]) == 2
    for ch in cold["chapters"]:
        audio = AudioSegment.from_file(ch["file"])
        assert abs(len(audio) / 1000 - ch["seconds"]) < 0.3  # the summary tells the truth about the file
        assert audio.dBFS > -30  # speech, not silence
    assert abs(cold["audio_seconds"] - sum(c["seconds"] for c in cold["chapters"])) < 0.05

    same = _build(STORY, out, cast)
    assert (same["segments_rendered"], same["segments_reused"]) == (0, cold["segments_rendered"])
    stamps = _stamp(same)
    assert stamps == _stamp(cold)  # nothing re-encoded: the very same files

    # Tobin speaks only in chapter 1: give him another voice.
    doc = tomlkit.parse(cast.read_text())
    old = doc["characters"]["Tobin"]["voice"]
    doc["characters"]["Tobin"]["voice"] = "gmw/en-GB-scotland+m2" if old != "gmw/en-GB-scotland+m2" else "gmw/en-US+m3"
    cast.write_text(tomlkit.dumps(doc))
    tobin = {" ".join(r["text"].split()) for r in rows if r["speaker"] == "Tobin"}
    assert tobin and all(r["chapter"] == 1 for r in rows if r["speaker"] == "Tobin")
    changed = _build(STORY, out, cast)
    assert changed["segments_rendered"] == len(tobin)
    assert changed["segments_reused"] == cold["segments_rendered"] - len(tobin)
    after = _stamp(changed)
    ch1, ch2 = (c["file"] for c in changed["chapters"])
    assert after[ch1] != stamps[ch1] and after[ch2] == stamps[ch2]
    assert file_digest(Path(ch1)) != file_digest(Path(ch2))


def test_editloop_preview_renders_only_its_scene_and_is_warm_the_second_time(tmp_path, monkeypatch):
    use_fixture_attribution(monkeypatch)
    monkeypatch.chdir(tmp_path)
    cast, out = tmp_path / "cast.toml", tmp_path / "book"
    _ok(["cast", str(STORY), "-o", str(cast)])
    rows = _script(cast)
    scene2 = {(r["speaker"], r["kind"], " ".join(r["text"].split())) for r in rows if r["chapter"] == 1
              and r["text"].strip(' "') and r["start"] >= STORY.read_text().index("By noon")}
    cache = out / "the-clockmakers-bargain" / ".cache"

    first = _ok(["preview", str(STORY), "--chapter", "1", "--scene", "2", "--cast", str(cast), "-o",
                 str(tmp_path / "p.mp3"), "--output-dir", str(out)])
    assert "wrote" in first
    entries = sorted(p.name for p in cache.rglob("*.pcm"))
    assert len(entries) == len(scene2)
    audio = AudioSegment.from_file(tmp_path / "p.mp3")
    assert 2 < len(audio) / 1000 < 20 and audio.dBFS > -30
    stamp = {p: p.stat().st_mtime_ns for p in cache.rglob("*.pcm")}

    _ok(["preview", str(STORY), "--chapter", "1", "--scene", "2", "--cast", str(cast), "-o",
         str(tmp_path / "p2.wav"), "--output-dir", str(out)])
    assert sorted(p.name for p in cache.rglob("*.pcm")) == entries
    assert all(p.stat().st_mtime_ns >= t for p, t in stamp.items())
    assert abs(len(AudioSegment.from_file(tmp_path / "p2.wav")) - len(audio)) < 200  # MP3 adds encoder padding

    # The build shares the preview's cache: those segments are reused, not rendered again.
    built = _build(STORY, out, cast)
    assert built["segments_reused"] == len(scene2)

    lines = _ok(["preview", str(STORY), "--chapter", "1", "--lines", "1:2-1:4", "--cast", str(cast), "-o",
                 str(tmp_path / "p3.mp3"), "--output-dir", str(out)])
    assert "wrote" in lines and 0.5 < len(AudioSegment.from_file(tmp_path / "p3.mp3")) / 1000 < 10


def _long_story(path: Path, chapters: int = 2, paragraphs: int = 30) -> Path:
    words = ["lantern", "ember", "harbour", "quiet", "copper", "ribbon", "thistle", "meadow", "orchard", "whistle", "cinder", "velvet", "marble", "hollow", "lattice", "bramble", "sparrow", "candle"]
    out = ["The Long Night - Test Author", ""]
    for c in range(1, chapters + 1):
        out += [f"Chapter {c}", ""]
        for p in range(paragraphs):
            w = [words[(c * 7 + p * 3 + k) % len(words)] for k in range(9)]
            out += [f"Paragraph {p} of chapter {c} tells of the {w[0]} and the {w[1]} by the {w[2]}, "
                    f'"and the {w[3]} {w[4]}," said someone, "{w[5]} {w[6]} {w[7]} {w[8]}."', ""]
    path.write_text("\n".join(out))
    return path


def test_editloop_killed_build_resumes_and_leaves_no_half_written_file(tmp_path):
    story = _long_story(tmp_path / "long.txt")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "narrator", "build", str(story), "-o", str(out), "-j", "1", "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    cache = out / "the-long-night" / ".cache"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(cache.rglob("*.pcm"))) < 40 and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the build finished before it could be interrupted; make the story longer"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    cached = len(list(cache.rglob("*.pcm")))
    assert cached >= 40
    folder = out / "the-long-night"
    for mp3 in folder.glob("*.mp3"):  # whatever sits under a final name is a finished, tagged chapter
        assert file_digest(mp3) is not None
        assert len(AudioSegment.from_file(mp3)) > 1000

    done = subprocess.run([*cmd[:-3], "-j", "2", "--json"], env=env, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["segments_reused"] >= cached
    assert summary["segments_rendered"] + summary["segments_reused"] == len(list(cache.rglob("*.pcm")))
    assert len(summary["chapters"]) == 2
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp") or ".part" in p.name]


def test_editloop_voices_lists_json_and_auditions(tmp_path):
    voices = json.loads(_ok(["voices", "--json"]))
    assert len(voices) > 20
    assert all({"id", "gender", "language"} <= set(v) for v in voices)
    assert {"female", "male"} <= {v["gender"] for v in voices}
    english = json.loads(_ok(["voices", "--json", "--language", "en"]))
    assert english and all(v["language"].startswith("en") for v in english)
    ids = [english[0]["id"], next(v["id"] for v in english if v["gender"] == "female")]
    _ok(["voices", "--sample", "The lamps are lit.", *ids, "-o", str(tmp_path)])
    files = sorted(tmp_path.glob("*.mp3"))
    assert len(files) == 2
    for f in files:
        audio = AudioSegment.from_file(f)
        assert 0.5 < len(audio) / 1000 < 5 and audio.dBFS > -30
