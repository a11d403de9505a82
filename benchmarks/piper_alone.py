"""The Piper-alone baseline for throughput.py: piper-tts's own API in worker processes, nothing of narrator.

Each worker loads the voice once with 1 intra-op and 1 inter-op onnxruntime thread (everything else at
onnxruntime's defaults, as a Piper user gets them) and speaks whole texts with `PiperVoice.synthesize`,
per-sentence normalisation off so it does the same work as our engine. Texts are handed out one at a time,
so no worker waits while the other still has a queue.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

_VOICE: Any = None


def _load(onnx: str, config: str) -> None:
    global _VOICE
    import onnxruntime
    from piper import PiperConfig, PiperVoice

    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(onnx, sess_options=opts, providers=["CPUExecutionProvider"])
    _VOICE = PiperVoice(config=PiperConfig.from_dict(json.loads(Path(config).read_text(encoding="utf-8"))),
                        session=session)


def _speak(text: str) -> int:
    from piper import SynthesisConfig

    cfg = SynthesisConfig(normalize_audio=False)
    return sum(len(chunk.audio_int16_bytes) // 2 for chunk in _VOICE.synthesize(text, syn_config=cfg))


def speak_all(texts: list[str], onnx: Path, config: Path, jobs: int, sample_rate: int) -> tuple[float, float]:
    """(wall seconds, audio seconds) to speak every text in `jobs` fresh processes, model loading included."""
    started = time.monotonic()
    # forkserver, as narrator's own pool uses, so both start workers the same way.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("forkserver"), initializer=_load,
                             initargs=(str(onnx), str(config))) as pool:
        samples = sum(pool.map(_speak, texts, chunksize=1))
    return time.monotonic() - started, samples / sample_rate
