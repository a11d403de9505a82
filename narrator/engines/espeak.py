"""The default engine: pyttsx3 — eSpeak NG on Linux, SAPI5 on Windows, NSSpeechSynthesizer on macOS.

On Linux we drive eSpeak NG through pyttsx3's own ctypes binding (`pyttsx3.drivers._espeak`) in
synchronous mode instead of through pyttsx3's event loop. The event loop is asynchronous: measured
on this project's machines, a setProperty/save_to_file/runAndWait loop rendered 57% of segments
with the wrong voice or settings and sometimes returned before the file existed. Synchronous mode
renders in the calling thread, so every render carries exactly the voice and settings asked for,
and we check that it did. It is also about five times faster (no temporary WAV files).
"""

from __future__ import annotations

import ctypes
import sys
import threading
from functools import cache

import numpy as np

from narrator.errors import EngineError, ToolMissingError
from narrator.models import Audio, Gender, Voice, VoiceInfo

SAMPLE_RATE = 22050
_GENDERS: dict[int, Gender] = {1: "male", 2: "female"}

# Voices for automatic casting, chosen by ear to differ in accent, timbre and pitch; most distinct first.
# Left out because a listener mishears them: `python benchmarks/intelligibility.py --voices` (Whisper base
# on two passages, 261 words) heard each of these at 2.5 times or more the narrator voice's word error
# rate (6.2%): en-GB-x-gbclan+Alicia 26%, en-029+steph3 22%, en-GB-x-gbcwmd+aunty 22%,
# en-GB-scotland+f3 19%, en-GB-scotland+f4 19%, en-US+Andrea 18%, en-GB-x-gbcwmd+m6 16%,
# en-GB-scotland+rob 16%. A cast file can still choose any of them. The last six female and two male
# voices replace those dropped (measured the same way: 5.8% to 11.8%), so each gender keeps 16 voices to
# cast from and a growing story rarely moves anyone's voice; anika, a timbre of its own, moves into the
# preferred first half in place of linda (whose en accent f1 already brings).
# Later left out, measured the same way (narrator 7.3% in that run): the Caribbean voices en-029+f5 15.7%,
# en-029+john 14.2% and en-029+m4 13.4% (the worst of each gender, and en-029+m4 voiced Osric in
# the-ferrymans-ledger at 30-46% of his words misheard: "four pence" heard "for pins", "sit" heard "seat"),
# and en-US-nyc+belinda 15.3%; in their places en-US+f1 8.8%, en+f5 8.0%, en+victor 7.3%, en-US+m2 8.0%.
_FEMALE = [
    ("gmw/en-US+f3", 55), ("gmw/en-GB-x-rp+f2", 50), ("gmw/en-US+Annie", 52), ("gmw/en+f1", 58),
    ("gmw/en-US+f1", 56), ("gmw/en+f5", 56), ("gmw/en-GB-x-rp+steph", 56), ("gmw/en+anika", 50),
    ("gmw/en+grandma", 45), ("gmw/en-US+f2", 62), ("gmw/en+f3", 44), ("gmw/en-US+f4", 48),
    ("gmw/en-US-nyc+f2", 58), ("gmw/en+linda", 52), ("gmw/en-US+steph2", 54), ("gmw/en-US+f5", 60),
]
_MALE = [
    ("gmw/en-US+m3", 45), ("gmw/en-GB-scotland+m2", 40), ("gmw/en+victor", 46), ("gmw/en+Andy", 55),
    ("gmw/en-US-nyc+m7", 42), ("gmw/en-GB-x-gbclan+m5", 48), ("gmw/en-US+max", 50), ("gmw/en+grandpa", 38),
    ("gmw/en-US+norbert", 36), ("gmw/en+edward", 50), ("gmw/en-GB-x-rp+m1", 58), ("gmw/en-US+david", 44),
    ("gmw/en-US+m2", 48), ("gmw/en-US+m1", 60), ("gmw/en+Mike", 50), ("gmw/en-GB-x-rp+m4", 47),
]
_NARRATOR = Voice("pyttsx3", "gmw/en-GB-x-rp", rate=165, pitch=45)
_UNKNOWN = Voice("pyttsx3", "gmw/en-US+klatt2", rate=165, pitch=50)


class Pyttsx3Engine:
    """pyttsx3 speech; one instance per worker process (eSpeak keeps global state)."""

    name = "pyttsx3"
    sample_rate = SAMPLE_RATE

    def __init__(self) -> None:
        self._backend: _EspeakSync | _DriverBackend | None = None

    def _ready(self) -> _EspeakSync | _DriverBackend:
        if self._backend is None:
            self._backend = _EspeakSync() if sys.platform.startswith("linux") else _DriverBackend()
        return self._backend

    def version(self) -> str:
        return self._ready().version

    def voices(self) -> list[VoiceInfo]:
        return self._ready().voices()

    def has_voice(self, voice_id: str) -> bool:
        return self._ready().canonical(voice_id) is not None

    def palette(self, gender: Gender) -> list[Voice]:
        female = [Voice(self.name, v, pitch=p) for v, p in _FEMALE]
        male = [Voice(self.name, v, pitch=p) for v, p in _MALE]
        if gender == "female":
            return female
        if gender == "male":
            return male
        # Alternate, then the longer list's remaining voices (zip alone would drop them).
        mixed = [v for pair in zip(female, male, strict=False) for v in pair]
        longer = female if len(female) > len(male) else male
        return mixed + longer[min(len(female), len(male)) :]

    def narrator_voice(self) -> Voice:
        return _NARRATOR

    def unknown_voice(self) -> Voice:
        return _UNKNOWN

    def synthesize(self, text: str, voice: Voice) -> Audio:
        return self._ready().synthesize(text, voice)


class _EspeakSync:
    """eSpeak NG in AUDIO_OUTPUT_SYNCHRONOUS mode through pyttsx3's ctypes binding."""

    def __init__(self) -> None:
        try:
            from pyttsx3.drivers import _espeak
        except (ImportError, RuntimeError, OSError):
            raise ToolMissingError(
                "eSpeak NG is not installed: install it with `sudo apt-get install espeak-ng` (or run `make demo`)."
            ) from None
        self._e = _espeak
        rate = _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 0, None, 0)
        if rate <= 0:
            raise EngineError("eSpeak NG failed to start; reinstall it with `sudo apt-get install --reinstall espeak-ng`.")
        self._native_rate = rate
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        _espeak.SetSynthCallback(self._collect)
        # pyttsx3's GetParameter prototype drops the `current` flag; declare the real C signature.
        self._get = _espeak.dll.espeak_GetParameter
        self._get.argtypes, self._get.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        info = _espeak.Info(None)
        self.version = f"espeak-ng {info.decode() if info else '?'}"
        self._bases, self._variants = _inventory(_espeak)

    def _collect(self, wav, numsamples, events) -> int:  # type: ignore[no-untyped-def]
        if numsamples > 0:
            self._chunks.append(ctypes.string_at(wav, numsamples * 2))
        return 0

    def canonical(self, voice_id: str) -> str | None:
        base, _, variant = voice_id.partition("+")
        b = self._bases.get(base.lower()) or self._bases.get(f"gmw/{base.lower()}")
        if b is None:
            return None
        if not variant:
            return b.id
        v = self._variants.get(variant.lower())
        return None if v is None else f"{b.id}+{v}"

    def voices(self) -> list[VoiceInfo]:
        out = list(self._bases_unique())
        for base in out[:]:
            if base.language.startswith("en"):
                for var_id, (var_name, gender) in sorted(self._variant_info.items()):
                    out.append(VoiceInfo(f"{base.id}+{var_id}", f"{base.name} ({var_name})", gender, base.language, "pyttsx3"))
        return out

    def _bases_unique(self) -> list[VoiceInfo]:
        seen: dict[str, VoiceInfo] = {}
        for info in self._bases.values():
            seen.setdefault(info.id, info)
        return sorted(seen.values(), key=lambda v: (not v.language.startswith("en"), v.id))

    @property
    def _variant_info(self) -> dict[str, tuple[str, Gender]]:
        return _variant_details(self._e)

    def synthesize(self, text: str, voice: Voice) -> Audio:
        e = self._e
        canonical = self.canonical(voice.id)
        if canonical is None:
            raise EngineError(f"eSpeak NG has no voice {voice.id!r}; run `narrator voices` to list the voices it has.")
        text = text.replace("\x00", " ")
        with self._lock:
            if e.SetVoiceByName(canonical.encode()) != 0:
                raise EngineError(f"eSpeak NG could not load voice {voice.id!r}.")
            rate, pitch, volume = max(80, min(450, voice.rate)), max(0, min(99, voice.pitch)), max(0, min(200, round(voice.volume * 100)))
            for param, value in ((e.RATE, rate), (e.PITCH, pitch), (e.VOLUME, volume)):
                e.SetParameter(param, value, 0)
            self._verify(canonical, rate, pitch, volume)
            self._chunks.clear()
            if text.strip() and e.Synth(text, flags=e.CHARS_UTF8) != 0:
                raise EngineError(f"eSpeak NG failed to speak {text[:60]!r}.")
            pcm = b"".join(self._chunks)
            self._chunks.clear()
        return Audio(pcm, self._native_rate)

    def _verify(self, canonical: str, rate: int, pitch: int, volume: int) -> None:
        """Read back what eSpeak will use, so a render can never silently carry the wrong voice."""
        current = self._e.GetCurrentVoice().contents.identifier.decode().lower()
        got = (self._get(self._e.RATE, 1), self._get(self._e.PITCH, 1), self._get(self._e.VOLUME, 1))
        if current != canonical.lower() or got != (rate, pitch, volume):
            raise EngineError(f"eSpeak NG did not take voice {canonical} with rate/pitch/volume {rate}/{pitch}/{volume} (got {current} {got}).")


def _inventory(e) -> tuple[dict[str, VoiceInfo], dict[str, str]]:  # type: ignore[no-untyped-def]
    bases: dict[str, VoiceInfo] = {}
    for v in e.ListVoices(None):
        ident = v.identifier.decode()
        if ident.startswith("mb/"):
            continue  # MBROLA voices need extra packages and run at 16 kHz
        language = v.languages[1:].split(b"\x00")[0].decode(errors="replace")
        info = VoiceInfo(ident, v.name.decode(), "unknown", language, "pyttsx3")
        bases[ident.lower()] = info
        bases.setdefault(v.name.decode().lower(), info)
    variants = {k.lower(): k for k in _variant_details(e)}
    variants.update({name.lower(): k for k, (name, _) in _variant_details(e).items()})
    return bases, variants


@cache
def _variant_details(e) -> dict[str, tuple[str, Gender]]:  # type: ignore[no-untyped-def]
    spec = e.VOICE()
    spec.languages = b"variant"
    out: dict[str, tuple[str, Gender]] = {}
    for v in e.ListVoices(ctypes.pointer(spec)):
        ident = v.identifier.decode().split("/")[-1]
        out[ident] = (v.name.decode(), _GENDERS.get(v.gender, "unknown"))
    return out


class _DriverBackend:
    """SAPI5 / NSSpeechSynthesizer through pyttsx3's public API, one render at a time.

    Not exercised by CI (which runs on Linux). Renders to a temporary WAV, waits for the file to be
    complete, and resamples to the book rate.
    """

    def __init__(self) -> None:
        import pyttsx3

        self._engine = pyttsx3.init()
        self.version = f"pyttsx3 {getattr(pyttsx3, '__version__', '?')} {sys.platform}"
        self._ids = {v.id: v for v in self._engine.getProperty("voices")}

    def canonical(self, voice_id: str) -> str | None:
        return voice_id if voice_id in self._ids else None

    def voices(self) -> list[VoiceInfo]:
        out = []
        for v in self._ids.values():
            gender: Gender = "female" if str(v.gender).lower().startswith("f") else "male" if v.gender else "unknown"
            langs = [str(x) for x in (v.languages or [])]
            out.append(VoiceInfo(v.id, v.name, gender, langs[0] if langs else "", "pyttsx3"))
        return out

    def synthesize(self, text: str, voice: Voice) -> Audio:
        import os
        import tempfile
        import time
        import wave

        if voice.id not in self._ids:
            raise EngineError(f"pyttsx3 has no voice {voice.id!r}; run `narrator voices` to list the voices it has.")
        if not text.strip():
            return Audio(b"", SAMPLE_RATE)
        fd, name = tempfile.mkstemp(suffix=".wav")
        os.close(fd)
        try:
            self._engine.setProperty("voice", voice.id)
            self._engine.setProperty("rate", voice.rate)
            self._engine.setProperty("volume", min(1.0, voice.volume))
            self._engine.save_to_file(text, name)
            self._engine.runAndWait()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # runAndWait can return before the file is complete
                try:
                    with wave.open(name) as w:
                        rate, pcm = w.getframerate(), w.readframes(w.getnframes())
                    if pcm:
                        break
                except (wave.Error, EOFError):
                    pass
                time.sleep(0.05)
            else:
                raise EngineError(f"pyttsx3 produced no audio for {text[:60]!r}.")
        finally:
            os.unlink(name)
        return Audio(pcm, rate)


def resample(audio: Audio, rate: int) -> Audio:
    """Linear-interpolation resample to `rate` (engines at other rates are rare; speech tolerates it)."""
    if audio.sample_rate == rate or not audio.pcm:
        return Audio(audio.pcm, rate)
    x = np.frombuffer(audio.pcm, dtype=np.int16).astype(np.float32)
    n = round(len(x) * rate / audio.sample_rate)
    y = np.interp(np.linspace(0, len(x) - 1, n), np.arange(len(x)), x)
    return Audio(np.clip(y, -32768, 32767).astype(np.int16).tobytes(), rate)
