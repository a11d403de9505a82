"""The segment cache: keys change exactly when the audio would, damage is re-rendered, size is bounded."""

from __future__ import annotations

import os
import time
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from narrator.cache import ClipCache, cache_key, max_cache_bytes, parse_size, prune
from narrator.casting import Engines
from narrator.cli import app
from narrator.errors import InputError
from narrator.models import Clip, Cue, Line, Segment, Voice
from narrator.synthesis import synthesize

VOICE = Voice("pyttsx3", "gmw/en-US+f3", rate=170, pitch=50, volume=1.0, options=(("noise_scale", 0.6),))
SPEECH = "The bridge was closed."


def test_cache_key_is_the_same_for_the_same_inputs():
    assert cache_key(SPEECH, VOICE, "1.52") == cache_key(SPEECH, replace(VOICE), "1.52")


@pytest.mark.parametrize("change", [
    lambda s, v, e: (s + "!", v, e),
    lambda s, v, e: ("the bridge was closed.", v, e),
    lambda s, v, e: (s, v, "1.53"),
    lambda s, v, e: (s, replace(v, engine="piper"), e),
    lambda s, v, e: (s, replace(v, id="gmw/en-US+f2"), e),
    lambda s, v, e: (s, replace(v, rate=171), e),
    lambda s, v, e: (s, replace(v, pitch=51), e),
    lambda s, v, e: (s, replace(v, volume=0.9), e),
    lambda s, v, e: (s, replace(v, options=(("noise_scale", 0.7),)), e),
    lambda s, v, e: (s, replace(v, options=()), e),
], ids=["text", "case", "engine-version", "engine", "voice", "rate", "pitch", "volume", "option", "no-option"])
def test_cache_key_changes_with_everything_that_shapes_the_audio(change):
    assert cache_key(*change(SPEECH, VOICE, "1.52")) != cache_key(SPEECH, VOICE, "1.52")


def test_cache_key_ignores_where_the_line_stands(tmp_path):
    # The same sentence in the same voice in two places is one render: position is not part of the key.
    from narrator.synthesis import plan

    def cue(chapter: int, index: int) -> Cue:
        seg = Segment(chapter, index, 1, index, 0, len(SPEECH), "dialogue", SPEECH)
        return Cue(Line(seg, "Mira", "explicit", 1.0), Voice("silent", "female1"), SPEECH, "Mira")

    a, b = plan([cue(1, 3), cue(4, 40)], Engines("silent"))
    assert a.key == b.key


def _clip(text: str, voice: str = "female1") -> Clip:
    seg = Segment(1, 0, 1, 0, 0, len(text), "dialogue", text)
    v = Voice("silent", voice)
    return Clip(Cue(Line(seg, "Mira", "explicit", 1.0), v, text, "Mira"), cache_key(text, v, "silent-1"), 0, 22050)


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "magic"])
def test_cache_corrupt_entry_is_rendered_again_not_played(tmp_path, damage):
    cache = ClipCache(tmp_path)
    clip = _clip("Late is late, said the crow.")
    cache.put(clip.key, bytes(range(256)) * 40, 22050, 0.25)
    assert cache.get(clip.key) is not None
    path = cache.path(clip.key)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-3] ^= 0x41
    elif damage == "truncate":
        data = data[:-100]
    elif damage == "empty":
        data = bytearray()
    else:
        data[:4] = b"XXXX"
    path.write_bytes(bytes(data))
    assert cache.get(clip.key) is None
    assert not path.exists()
    assert synthesize([clip], cache, Engines("silent"), 1) == 1  # missing, so rendered again
    assert cache.get(clip.key) is not None
    assert synthesize([clip], cache, Engines("silent"), 1) == 0  # and now whole


def _entry(cache: ClipCache, key: str, size: int, age: float) -> None:
    cache.put(key, b"\x00\x00" * (size // 2), 22050, 0.0)
    t = time.time() - age
    os.utime(cache.path(key), (t, t))


def test_cache_prune_drops_least_recently_used_first(tmp_path):
    cache = ClipCache(tmp_path)
    for i, key in enumerate(["aa01", "bb02", "cc03", "dd04"]):
        _entry(cache, key, 10_000, age=1000 - 100 * i)  # aa01 oldest
    assert cache.get("aa01") is not None  # reading it makes it the most recently used
    done = cache.prune(25_000)
    assert done.removed == 2
    assert {k for k in ["aa01", "bb02", "cc03", "dd04"] if cache.path(k).exists()} == {"aa01", "dd04"}
    assert done.kept_bytes == cache.size_bytes() <= 25_000


def test_cache_prune_never_drops_what_the_current_book_uses(tmp_path):
    cache = ClipCache(tmp_path)
    for i, key in enumerate(["aa01", "bb02", "cc03"]):
        _entry(cache, key, 10_000, age=1000 - 100 * i)
    done = cache.prune(0, keep={"aa01", "bb02"})
    assert done.removed == 1
    assert cache.path("aa01").exists() and cache.path("bb02").exists() and not cache.path("cc03").exists()


def test_cache_prune_removes_stale_temporary_files_only(tmp_path):
    cache = ClipCache(tmp_path)
    _entry(cache, "aa01", 1000, age=10)
    old = tmp_path / "aa" / ".aa02.pcm.123.tmp"
    fresh = tmp_path / "aa" / ".aa03.pcm.456.tmp"
    old.write_bytes(b"x" * 50)
    fresh.write_bytes(b"x" * 50)
    t = time.time() - 7200
    os.utime(old, (t, t))
    cache.prune(10**9)
    assert not old.exists() and fresh.exists() and cache.path("aa01").exists()


def test_cache_write_on_a_full_disk_leaves_no_temporary_file(tmp_path, monkeypatch):
    # A build stopped by "the disk is full" left one half-written .tmp per worker in the cache: the space the
    # error message asks the user to free. The entry must be neither there nor half there.
    import builtins
    import errno

    import narrator.cache as cache_module

    class FullDisk:
        def __init__(self, path, mode):
            self.path, self.mode = path, mode

        def __enter__(self):
            self.f = builtins.open(self.path, self.mode)  # closed in __exit__
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(bytes(data)[:7])  # part of it reaches the disk, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_module, "open", FullDisk, raising=False)
    cache = ClipCache(tmp_path)
    with pytest.raises(OSError):
        cache.put("aa01", b"\x01\x00" * 500, 22050, 0.1)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []
    monkeypatch.undo()
    cache.put("aa01", b"\x01\x00" * 500, 22050, 0.1)  # the same write with room to spare is kept
    assert cache.get("aa01") is not None


def test_cache_prune_spans_several_story_caches(tmp_path):
    one, two = ClipCache(tmp_path / "one"), ClipCache(tmp_path / "two")
    _entry(one, "aa01", 10_000, age=500)
    _entry(two, "bb01", 10_000, age=100)
    done = prune([one.root, two.root], 15_000)
    assert done.removed == 1 and not one.path("aa01").exists() and two.path("bb01").exists()


@pytest.mark.parametrize(("text", "size"), [("4G", 4 * 10**9), ("500MB", 500 * 10**6), ("1.5gb", 1_500_000_000),
                                            ("2048", 2048), (" 10 k ", 10_000)])
def test_cache_parse_size_reads_human_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "4 parsecs", "-1G"])
def test_cache_parse_size_rejects_nonsense_with_an_example(text):
    with pytest.raises(InputError, match=r"write it like 4G, 500MB or 1\.5GB"):
        parse_size(text)


def test_cache_bound_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("NARRATOR_CACHE_MAX", raising=False)
    assert max_cache_bytes() == 4_000_000_000
    monkeypatch.setenv("NARRATOR_CACHE_MAX", "300MB")
    assert max_cache_bytes() == 300_000_000
    assert max_cache_bytes("1G") == 10**9
    monkeypatch.setenv("NARRATOR_CACHE_MAX", "huge")
    with pytest.raises(InputError, match="NARRATOR_CACHE_MAX"):
        max_cache_bytes()


def test_cache_clean_trims_or_empties_every_story_cache(tmp_path):
    for story, age in (("first-story", 900), ("second-story", 10)):
        cache = ClipCache(tmp_path / story / ".cache")
        for i in range(5):
            _entry(cache, f"{i:02d}{story}", 100_000, age=age + i)
    (tmp_path / "first-story" / "01 Chapter.mp3").write_bytes(b"keep me")
    runner = CliRunner()
    result = runner.invoke(app, ["clean", "-o", str(tmp_path), "--max-size", "650KB"])
    assert result.exit_code == 0, result.output
    assert "freed 0.4 MB (4 segments)" in result.output
    assert len(list((tmp_path / "second-story" / ".cache").rglob("*.pcm"))) == 5
    assert len(list((tmp_path / "first-story" / ".cache").rglob("*.pcm"))) == 1
    result = runner.invoke(app, ["clean", "-o", str(tmp_path)])
    assert result.exit_code == 0 and "freed 0.6 MB" in result.output
    assert not (tmp_path / "first-story" / ".cache").exists()
    assert (tmp_path / "first-story" / "01 Chapter.mp3").read_bytes() == b"keep me"


def test_cache_clean_touches_nothing_it_did_not_write(tmp_path):
    # `narrator clean -o ~` by mistake: ~/project/.cache belongs to another program and must survive.
    other = tmp_path / "project" / ".cache"
    (other / "pip").mkdir(parents=True)
    (other / "pip" / "wheel.txt").write_text("precious")
    (other / "ab").mkdir()
    (other / "ab" / "notes.tmp").write_text("also precious")
    ours = ClipCache(tmp_path / "a-story" / ".cache")
    _entry(ours, "ab" + "0" * 62, 1000, age=10)
    runner = CliRunner()
    for args in (["clean", "-o", str(tmp_path)], ["clean", "-o", str(tmp_path), "--max-size", "0"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert (other / "pip" / "wheel.txt").read_text() == "precious"
        assert (other / "ab" / "notes.tmp").read_text() == "also precious"
    assert not (tmp_path / "a-story" / ".cache").exists()


def test_cache_clean_of_a_folder_that_is_not_there_says_so(tmp_path):
    from narrator.errors import InputError

    result = CliRunner().invoke(app, ["clean", "-o", str(tmp_path / "typo")])
    assert isinstance(result.exception, InputError) and "is not a folder" in str(result.exception)


def test_cache_clean_leaves_other_programs_empty_folders(tmp_path):
    # An empty folder in another program's .cache (and an empty .cache narrator never wrote in) is not ours.
    other = tmp_path / "project" / ".cache"
    (other / "sessions").mkdir(parents=True)
    empty = tmp_path / "tool" / ".cache"
    empty.mkdir(parents=True)
    ours = ClipCache(tmp_path / "a-story" / ".cache")
    _entry(ours, "ab" + "0" * 62, 1000, age=10)
    result = CliRunner().invoke(app, ["clean", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (other / "sessions").is_dir() and empty.is_dir()
    assert not (tmp_path / "a-story" / ".cache").exists()


def test_cache_clean_keeps_the_cache_of_a_book_being_built(tmp_path):
    # `narrator clean` while a build of that book runs: deleting its segments under it made the build fail
    # ("audio ... changed in the cache during the build") or render them again.
    from narrator.pipeline import book_lock

    for story in ("busy-story", "idle-story"):
        cache = ClipCache(tmp_path / story / ".cache")
        _entry(cache, "ab" + story.ljust(62, "0"), 1000, age=10)
    runner = CliRunner()
    with book_lock(tmp_path / "busy-story"):
        with pytest.warns(UserWarning, match="busy-story's cache: a narrator build is writing that book"):
            result = runner.invoke(app, ["clean", "-o", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert len(list((tmp_path / "busy-story" / ".cache").rglob("*.pcm"))) == 1
        assert not list((tmp_path / "idle-story").rglob("*.pcm"))
    result = runner.invoke(app, ["clean", "-o", str(tmp_path)])  # the build has ended: now it goes
    assert result.exit_code == 0, result.output
    assert not list((tmp_path / "busy-story").rglob("*.pcm"))
