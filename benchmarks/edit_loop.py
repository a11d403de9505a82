"""Edit-loop benchmark: cold build, unchanged rebuild, one-voice-change rebuild and one-scene previews.

Generates a ~10k-word story (six chapters, three scenes each, five speakers) and drives the real
command line in a fresh process for every step, as a person would, on the default engine (eSpeak
NG through pyttsx3) and real ffmpeg. Each step is reported as a ratio of the cold build measured
in the same round; the printed figure is the median over --rounds. Goals (issue 4): unchanged
rebuild <= 0.10 and a cold one-scene preview <= 0.25 of the cold build.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/edit_loop.py [--rounds 3] [--words 10000]

Speakers come from a stand-in attribution that knows the generated story's answers (the quote
goes to the character named in its paragraph), so the benchmark measures the edit loop and not
attribution; pass --real-attribution to use the pipeline's own.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = {"Mira": "female", "Tobin": "male", "Odile": "female", "Brann": "male", "Pip": "unknown"}
_NOUNS = ["lantern", "harbour", "copper", "ribbon", "thistle", "meadow", "orchard", "whistle", "cinder", "velvet", "marble", "hollow", "lattice", "bramble", "sparrow", "candle", "ledger", "compass", "bellows", "kettle", "quarry", "ferry", "chimney", "anvil", "barrel"]
_ADJS = ["quiet", "narrow", "crooked", "golden", "damp", "bright", "heavy", "hollow", "patient", "stubborn", "distant", "rusty", "gentle"]
_VERBS = ["carried", "mended", "counted", "painted", "followed", "watched", "folded", "traded", "buried", "polished"]


def make_story(words: int, seed: int = 7) -> str:
    """A deterministic story of about `words` words; every sentence differs, as in a real book."""
    rng = random.Random(seed)
    names = list(PEOPLE)
    out, count, n = ["The Long Lamplit Road - Benchmark Author", ""], 0, 0
    chapters = 6
    per_scene = words // (chapters * 3)
    for c in range(1, chapters + 1):
        out += [f"Chapter {c}: The {rng.choice(_ADJS).title()} {rng.choice(_NOUNS).title()}", ""]
        for s in range(3):
            if s:
                out += ["* * *", ""]
            scene_words = 0
            while scene_words < per_scene:
                n += 1
                who = rng.choice(names[:4] if rng.random() < 0.8 else names)
                a, b, d = rng.choice(_ADJS), rng.choice(_NOUNS), rng.choice(_NOUNS)
                narration = f"The {a} {b} stood by the {d} while the {rng.choice(_NOUNS)} number {n} cooled."
                speech = (f"I {rng.choice(_VERBS)} the {rng.choice(_ADJS)} {rng.choice(_NOUNS)} before the "
                          f"{rng.choice(_NOUNS)} at the {rng.choice(_NOUNS)}")
                para = f'{narration} "{speech}," {who} said, "and the {rng.choice(_NOUNS)} {n} is yours."'
                out += [para, ""]
                scene_words += len(para.split())
            count += scene_words
    return "\n".join(out)


def _patched_cli(args: list[str]) -> None:
    """Run the CLI in this process with the stand-in attribution (used as a child process)."""
    import narrator.pipeline as pipeline
    from narrator.cli import main
    from narrator.models import Character, Line

    def find_characters(story, segments):  # type: ignore[no-untyped-def]
        return [Character(n, (), g, story.text.count(n)) for n, g in PEOPLE.items()]  # type: ignore[arg-type]

    def attribute(segments, characters):  # type: ignore[no-untyped-def]
        lines, by_para = [], {}
        for s in segments:
            if s.kind == "narration":
                by_para.setdefault((s.chapter, s.paragraph), []).append(s.text)
        for s in segments:
            if s.kind == "narration":
                lines.append(Line(s, None, "narration", 1.0))
                continue
            around = " ".join(by_para.get((s.chapter, s.paragraph), []))
            who = next((c.name for c in characters if c.name in around), None)
            lines.append(Line(s, who, "explicit" if who else "unknown", 0.9 if who else 0.0))
        return lines

    pipeline.find_characters, pipeline.attribute = find_characters, attribute
    sys.argv = ["narrator", *args]
    main()


def _run(args: list[str], real: bool, cwd: Path) -> tuple[float, str]:
    if real:
        cmd = [sys.executable, "-m", "narrator", *args]
    else:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr}")
    return elapsed, done.stdout


def one_round(work: Path, story: Path, real: bool) -> dict[str, float]:
    """Time every step once, in a fresh output folder; returns seconds per step plus counts."""
    out, cast = work / "out", work / "cast.toml"
    shutil.rmtree(out, ignore_errors=True)
    cast.unlink(missing_ok=True)
    _run(["cast", str(story), "-o", str(cast)], real, work)
    t: dict[str, float] = {}
    build = ["build", str(story), "-o", str(out), "--cast", str(cast), "--json"]
    t["cold build"], text = _run(build, real, work)
    cold = json.loads(text.splitlines()[-1])
    t["unchanged rebuild"], text = _run(build, real, work)
    same = json.loads(text.splitlines()[-1])
    assert same["segments_rendered"] == 0, same
    import tomlkit

    doc = tomlkit.parse(cast.read_text())
    old = doc["characters"]["Tobin"]["voice"]
    doc["characters"]["Tobin"]["voice"] = "gmw/en-US+norbert" if old != "gmw/en-US+norbert" else "gmw/en-US+david"
    cast.write_text(tomlkit.dumps(doc))
    t["one-voice-change rebuild"], text = _run(build, real, work)
    changed = json.loads(text.splitlines()[-1])
    preview = ["preview", str(story), "--chapter", "3", "--scene", "2", "--cast", str(cast), "-o",
               str(work / "preview.wav"), "--output-dir", str(work / "cold-preview")]
    shutil.rmtree(work / "cold-preview", ignore_errors=True)
    t["cold one-scene preview"], _ = _run(preview, real, work)
    t["warm one-scene preview"], _ = _run(preview, real, work)
    t["segments"] = cold["segments_rendered"]
    t["segments re-rendered after the voice change"] = changed["segments_rendered"]
    t["audio minutes"] = cold["audio_seconds"] / 60
    return t


def main() -> None:
    """Run the benchmark and print medians as ratios of the cold build."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _patched_cli(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--words", type=int, default=10_000)
    ap.add_argument("--real-attribution", action="store_true")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="narrator-editloop-") as tmp:
        work = Path(tmp)
        story = work / "long-lamplit-road.txt"
        story.write_text(make_story(opts.words))
        print(f"story: {len(story.read_text().split())} words; {opts.rounds} rounds")
        rounds = [one_round(work, story, opts.real_attribution) for _ in range(opts.rounds)]
    steps = ["cold build", "unchanged rebuild", "one-voice-change rebuild", "cold one-scene preview",
             "warm one-scene preview"]
    goals = {"unchanged rebuild": 0.10, "cold one-scene preview": 0.25}
    print(f"{'step':<28}{'median s':>10}{'ratio':>8}  goal")
    for step in steps:
        secs = statistics.median(r[step] for r in rounds)
        ratio = statistics.median(r[step] / r["cold build"] for r in rounds)
        goal = f"<= {goals[step]:.2f} {'met' if ratio <= goals[step] else 'MISSED'}" if step in goals else ""
        print(f"{step:<28}{secs:>10.2f}{ratio:>8.3f}  {goal}")
    r0 = rounds[0]
    print(f"segments {r0['segments']:.0f}, re-rendered after the voice change "
          f"{r0['segments re-rendered after the voice change']:.0f}; {r0['audio minutes']:.1f} min of audio")


if __name__ == "__main__":
    main()
