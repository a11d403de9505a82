"""attribute: a name the narration denies ("there had been no Mr. Hobb") is nobody present to speak."""

from __future__ import annotations

from pathlib import Path

from narrator.models import Character

from .attribution_helpers import lines_of, prepared, speech

ROOT = Path(__file__).resolve().parent.parent

TAM = Character("Tam", ("Tam",), "male")
HOBB = Character("Mr. Hobb", ("Mr. Hobb", "Hobb"), "male")


def _mentions(text: str) -> list[str]:
    _, paras = prepared(text, [TAM, HOBB])
    return [name for p in paras for _, name in p.mentions]


def test_attribution_a_name_after_no_is_not_a_mention_of_someone_there():
    # "There had been no Mr. Hobb" says he was absent: the pronoun that follows cannot point at him.
    assert _mentions("Tam read the entry twice. There had been no Mr. Hobb.") == ["Tam"]
    assert _mentions("No Hobb came that night, and Tam waited.") == ["Tam"]
    # Only the determiner "no" denies: a name after "know", "Juno" or "No," is still there.
    assert _mentions("Tam did not know Mr. Hobb.") == ["Tam", "Mr. Hobb"]
    assert _mentions("Tam met Juno Hobb.") == ["Tam", "Mr. Hobb"]
    assert _mentions("No, Hobb was there, and Tam saw him.") == ["Mr. Hobb", "Tam"]


def test_attribution_the_ferryman_talks_to_himself_not_to_the_man_who_was_not_there():
    # The sample story's ferryman, alone in his kitchen after reading a line about a Mr. Pell who never
    # came: "he said aloud" is Osric (it went to Mr. Pell, named last, in "There had been no Mr. Pell.").
    text = (ROOT / "stories" / "the-ferrymans-ledger.txt").read_text(encoding="utf-8")
    got = [(ln.segment.text, ln.speaker) for ln in lines_of(text) if ln.segment.kind == "dialogue"
           and ln.segment.text in ('"Returning,"', '"Returning from where?"')]
    assert got == [('"Returning,"', "Osric"), ('"Returning from where?"', "Osric")]


def test_attribution_a_name_the_narration_denies_is_no_candidate_nor_the_pronoun_it_goes_on_with():
    # Our own scene, shaped like the ferryman's: the only person the ledger line names is Mr. Hobb, the
    # pronoun subjects after it would carry "he" back to him, and then the narration says he never came.
    # "he said aloud" is Tam, the one man there; before the rule it went to Mr. Hobb.
    text = ("Tam opened the ledger by the candle. The last line read: Mr. Hobb, six pence, returning.\n\n"
            "He read it twice. He remembered the day well. There had been no Mr. Hobb.\n\n"
            "\"Six pence,\" he said aloud.")
    assert [s for _, s in speech(lines_of(text, [TAM, HOBB]))] == ["Tam"]


def test_attribution_absent_holds_until_the_story_names_them_again_as_there():
    from narrator.speaker_features import paragraph_context

    denied = "Tam waited by the door. No Mr. Hobb came that night.\n\n\"Nobody,\" he said."
    res, paras = prepared(denied, [TAM, HOBB])
    i = next(k for k, p in enumerate(paras) if p.quotes)
    assert paragraph_context(i, paras, res).absent == {"Mr. Hobb"}
    # A plain mention after the denial puts him back in the room.
    back = "No Mr. Hobb came that night. At dawn Mr. Hobb knocked at last.\n\n\"Late,\" he said."
    res, paras = prepared(back, [TAM, HOBB])
    i = next(k for k, p in enumerate(paras) if p.quotes)
    assert paragraph_context(i, paras, res).absent == frozenset()
