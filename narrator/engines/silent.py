"""The silent engine: silence sized like speech. It documents the contract and drives fast unit tests."""

from __future__ import annotations

from narrator.models import Audio, Gender, Voice, VoiceInfo

_VOICES = [
    VoiceInfo("narrator", "Narrator", "male", "en", "silent"),
    VoiceInfo("unknown", "Unknown speaker", "unknown", "en", "silent"),
    *(VoiceInfo(f"female{i}", f"Female {i}", "female", "en", "silent") for i in range(1, 7)),
    *(VoiceInfo(f"male{i}", f"Male {i}", "male", "en", "silent") for i in range(1, 7)),
]


class SilentEngine:
    """Renders zeros whose length follows the word count and the rate, like a real voice would."""

    name = "silent"
    sample_rate = 22050

    def version(self) -> str:
        return "silent-1"

    def voices(self) -> list[VoiceInfo]:
        return list(_VOICES)

    def has_voice(self, voice_id: str) -> bool:
        return any(v.id == voice_id for v in _VOICES)

    def palette(self, gender: Gender) -> list[Voice]:
        wanted = ("female", "male") if gender == "unknown" else (gender,)
        ids = [v.id for v in _VOICES if v.gender in wanted]
        return [Voice("silent", i) for i in ids]

    def narrator_voice(self) -> Voice:
        return Voice("silent", "narrator")

    def unknown_voice(self) -> Voice:
        return Voice("silent", "unknown")

    def synthesize(self, text: str, voice: Voice) -> Audio:
        words = max(1, len(text.split()))
        seconds = words * 60.0 / max(80, voice.rate)
        return Audio(b"\x00\x00" * int(seconds * self.sample_rate), self.sample_rate)
