"""MP3 encoding inside our process, with the LAME library that ffmpeg's own MP3 encoder calls.

Why not pipe into an ffmpeg process per chapter: each one is ~51 MB of resident libraries (ffmpeg links every codec
and device it knows), and two chapters encoding beside two synthesis workers made a long book's peak memory
~100 MB higher than a short one's. LAME itself needs a few hundred kB. ctypes releases the GIL for the length of
each call, so two chapters still encode on two cores. Why not the `lameenc` package: it cannot return LAME's
"Info" frame, so players would not know the encoder's delay and every decoded chapter would start ~50 ms late
and run 1,368 samples long; the Info frame written here makes the output decode exactly like ffmpeg's.

The settings are the ones ffmpeg's libmp3lame encoder applies for `-c:a libmp3lame -b:a 64k` (constant bit rate,
mono, LAME's default quality, bit reservoir on, output rate = input rate), so a chapter encoded here decodes to
the same samples as one encoded by ffmpeg (tested). Where the library cannot be loaded (a system whose ffmpeg
does not ship it as a shared library), `load()` returns None and the caller pipes into ffmpeg instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
from collections.abc import Iterable
from typing import BinaryIO

import numpy as np

_MONO = 3  # LAME's MPEG_mode enum
_INIT = threading.Lock()  # lame_init_params fills shared tables the first time: one initialisation at a time


@functools.cache
def load() -> ctypes.CDLL | None:
    """The system's libmp3lame with the prototypes we call, or None where there is none."""
    for name in (ctypes.util.find_library("mp3lame"), "libmp3lame.so.0", "libmp3lame.dylib"):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        try:
            _declare(lib)
        except AttributeError:  # a library of that name without LAME's API
            continue
        return lib
    return None


def _declare(lib: ctypes.CDLL) -> None:
    handle, buf, short_p = ctypes.c_void_p, ctypes.POINTER(ctypes.c_ubyte), ctypes.POINTER(ctypes.c_short)
    lib.lame_init.restype = handle
    lib.lame_init.argtypes = []
    for setter in ("lame_set_in_samplerate", "lame_set_out_samplerate", "lame_set_num_channels", "lame_set_mode",
                   "lame_set_brate", "lame_set_bWriteVbrTag", "lame_set_disable_reservoir"):
        fn = getattr(lib, setter)
        fn.restype, fn.argtypes = ctypes.c_int, [handle, ctypes.c_int]
    lib.lame_init_params.restype, lib.lame_init_params.argtypes = ctypes.c_int, [handle]
    lib.lame_encode_buffer.restype = ctypes.c_int
    lib.lame_encode_buffer.argtypes = [handle, short_p, short_p, ctypes.c_int, buf, ctypes.c_int]
    lib.lame_encode_flush.restype, lib.lame_encode_flush.argtypes = ctypes.c_int, [handle, buf, ctypes.c_int]
    lib.lame_get_lametag_frame.restype = ctypes.c_size_t
    lib.lame_get_lametag_frame.argtypes = [handle, buf, ctypes.c_size_t]
    lib.lame_close.restype, lib.lame_close.argtypes = ctypes.c_int, [handle]


class LameError(RuntimeError):
    """LAME refused the settings or failed while encoding."""


def encode(lib: ctypes.CDLL, chunks: Iterable[np.ndarray], sample_rate: int, kbps: int, out: BinaryIO) -> None:
    """Encode mono int16 chunks as constant-bit-rate MP3 into `out` (a seekable file opened for writing at 0)."""
    gfp = lib.lame_init()
    if not gfp:
        raise LameError("LAME could not start an encoder (out of memory?)")
    try:
        with _INIT:
            for setter, value in (("lame_set_num_channels", 1), ("lame_set_mode", _MONO),
                                  ("lame_set_in_samplerate", sample_rate), ("lame_set_out_samplerate", sample_rate),
                                  ("lame_set_brate", kbps), ("lame_set_bWriteVbrTag", 1),
                                  ("lame_set_disable_reservoir", 0)):
                getattr(lib, setter)(gfp, value)
            if lib.lame_init_params(gfp) < 0:
                raise LameError(f"LAME does not accept {kbps} kbit/s at {sample_rate} Hz")
        start = out.tell()
        buffer = np.empty(0, dtype=np.uint8)
        for chunk in chunks:
            pcm = np.ascontiguousarray(chunk, dtype=np.int16)
            if pcm.size == 0:
                continue
            need = pcm.size * 5 // 4 + 7200  # LAME's documented worst case for one call
            if buffer.size < need:
                buffer = np.empty(need, dtype=np.uint8)
            samples = pcm.ctypes.data_as(ctypes.POINTER(ctypes.c_short))
            n = lib.lame_encode_buffer(gfp, samples, samples, pcm.size, _bytes(buffer), buffer.size)
            if n < 0:
                raise LameError(f"LAME failed while encoding (error {n})")
            out.write(buffer[:n].data)
        tail = np.empty(7200, dtype=np.uint8)
        n = lib.lame_encode_flush(gfp, _bytes(tail), tail.size)
        if n < 0:
            raise LameError(f"LAME failed while finishing (error {n})")
        out.write(tail[:n].data)
        # The first frame written was a placeholder for the Info frame (length, encoder delay and padding);
        # now that the length is known, write the real one over it, as LAME's own command-line tool does.
        tag = np.empty(4096, dtype=np.uint8)
        size = lib.lame_get_lametag_frame(gfp, _bytes(tag), tag.size)
        if 0 < size <= tag.size:
            end = out.tell()
            out.seek(start)
            out.write(tag[:size].data)
            out.seek(end)
    finally:
        lib.lame_close(gfp)


def _bytes(array: np.ndarray) -> ctypes._Pointer[ctypes.c_ubyte]:
    return array.ctypes.data_as(ctypes.POINTER(ctypes.c_ubyte))
