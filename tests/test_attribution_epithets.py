"""Characters called by what they are: epithets linked to the character they denote, minor ones kept apart.

Every story here is invented for the test (the harness test included): no corpus text.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from narrator.characters import find_characters
from narrator.models import Character
from narrator.paragraphs import _find_tags, prepare

from .attribution_helpers import lines_of, prepared, segments_of, speech, who

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "pdnc"

VASEL = Character("Vasel", ("the locksmith",), "male", 12)
ORU = Character("Oru", (), "female", 10)
KELL = Character("Kell", ("the old man",), "male", 8)


def _cast(text: str) -> dict[str, tuple[str, ...]]:
    story, segs = segments_of(text)
    return {c.name: c.aliases for c in find_characters(story, segs)}


def test_an_epithet_the_narration_sets_beside_a_name_is_that_name_in_a_tag():
    text = ('Vasel, the locksmith, looked up from the bench. Oru waited.\n\n"Well?" said Oru.\n\n'
            '"It will not open," said the locksmith.')
    res, paras = prepared(text, [VASEL, ORU])
    assert res.stated == {"the locksmith"}
    tag, _ = _find_tags(paras[-1], res)[0]
    assert (tag.name, tag.kind) == ("Vasel", "name")


def test_an_epithet_only_seen_near_a_name_stays_a_guess():
    # Nothing says outright who the locksmith is: the tag is an epithet the scorer weighs.
    text = 'Vasel looked up from the bench.\n\n"Well?" said Oru.\n\n"It will not open," said the locksmith.'
    res, paras = prepared(text, [VASEL, ORU])
    assert res.stated == frozenset()
    tag, _ = _find_tags(paras[-1], res)[0]
    assert (tag.name, tag.kind) == ("Vasel", "epithet")


def test_a_vague_people_noun_in_apposition_is_not_a_fixed_name():
    # "the old man" fits any old man of the book, whatever the narration once set it beside.
    text = 'Kell, the old man, sat down. Oru waited.\n\n"Well?" said Oru.\n\n"No," said the old man.'
    res, _ = prepared(text, [KELL, ORU])
    assert res.stated == frozenset()


def test_a_dash_that_breaks_off_a_tag_is_not_part_of_the_epithet():
    text = ('Vasel, the locksmith, looked up from the bench. Oru waited.\n\n"Well?" said Oru.\n\n'
            '"I understand," said the locksmith--"at least, I think I do."\n\n"Do you?" said Oru.\n\n'
            '"Yes," said the locksmith-- "I do."')
    assert who(text, [VASEL, ORU])[-2:] == ["Vasel", "Vasel"]
    cast = _cast(text)
    assert "the locksmith--" not in cast and cast["Vasel"] == ("the locksmith",)


def test_a_name_given_once_in_apposition_speaks_by_its_epithet():
    # Spike is named once, in apposition; the tags call him what he is.
    text = ('Spike, the baby dragon, yawned and stretched by the fire. Twilight was reading.\n\n'
            '"Can we stop now?" the dragon said.\n\n"One more page," said Twilight.\n\n'
            '"You said that an hour ago," said the dragon.')
    assert _cast(text)["Spike"] == ("the dragon",)
    assert [s for _, s in speech(lines_of(text))] == ["Spike", "Twilight", "Spike"]


def test_a_capitalised_word_that_is_also_written_lower_case_is_no_name_in_apposition():
    # "Today, the dragon, ..." -- "today" is an ordinary word of the story, not somebody.
    text = ('Today, the dragon, it seemed, would sleep late. Twilight was reading today.\n\n'
            '"Can we stop now?" the dragon said.\n\n"One more page," said Twilight.\n\n'
            '"You said that an hour ago," said the dragon.')
    assert "Today" not in _cast(text)


def test_two_unicorns_are_kept_apart_and_the_tag_means_the_one_named_last():
    text = ('Rarity, the unicorn, trotted into the library. Twilight, the unicorn, looked up from her book.\n\n'
            '"Darling, you look dreadful," said Rarity.\n\n"I have been up all night," said Twilight.\n\n'
            'Later that day, Rarity left for the boutique. Fluttershy, the pegasus, came to visit Twilight.\n\n'
            '"Are you well?" the pegasus asked.\n\n"Tired," the unicorn said.')
    cast = _cast(text)
    assert cast["Rarity"] == ("the unicorn",) and cast["Twilight"] == ("the unicorn",)
    assert "the unicorn" not in cast
    assert [s for _, s in speech(lines_of(text))][-2:] == ["Fluttershy", "Twilight"]
    # The other way round: Rarity named last, so the same tag is hers.
    text = text.replace("Rarity left for the boutique", "Twilight left for the boutique").replace(
        "came to visit Twilight", "came to visit Rarity")
    assert [s for _, s in speech(lines_of(text))][-1] == "Rarity"


def test_the_alicorn_is_the_one_alicorn_present():
    text = ('Celestia, the alicorn, watched the sun. Spike, the dragon, swept the floor.\n\n'
            '"The sun is late," said Celestia.\n\n"Sorry," said Spike.\n\n'
            'Next morning the dragon went up to the tower where the alicorn waited.\n\n'
            '"Good morning," the alicorn said.\n\n"Morning," said the dragon.')
    cast = _cast(text)
    assert cast["Celestia"] == ("the alicorn",) and cast["Spike"] == ("the dragon",)
    assert [s for _, s in speech(lines_of(text))][-2:] == ["Celestia", "Spike"]


def test_a_shared_epithet_is_no_narration_mention_of_either():
    # "the unicorn" in the narration names neither unicorn, so it moves neither one's recency.
    rarity = Character("Rarity", ("the unicorn",), "female", 5)
    twi = Character("Twilight", ("the unicorn",), "female", 5)
    text = 'Rarity sat down. The unicorn sighed.\n\n"Tea?" said Twilight.'
    res, paras = prepare(segments_of(text)[1], [rarity, twi])
    assert res.shared == {"the unicorn": ("Twilight", "Rarity")}
    assert [n for _, n in paras[0].mentions] == ["Rarity"]


# The harness (benchmarks/epithet_corpus.py) on an invented novel: the role is introduced once, in
# apposition, at the first narration mention that takes one, and only tags after it are rewritten.
_NOVEL = ('Vasel came to the door. Oru let him in.\n\n"You are late," said Oru.\n\n"The road," said Vasel.\n\n'
          '"Sit," Oru said.\n\nVasel sat.\n\n"Thank you," Vasel replied.\n\n"Eat," said Oru.\n\n"No," said Vasel.')


def _gold(text: str) -> list[dict]:
    quotes, k = [], 0
    speakers = ["Oru", "Vasel", "Oru", "Vasel", "Oru", "Vasel"]
    start = 0
    while (start := text.find('"', start)) >= 0:
        end = text.find('"', start + 1)
        quotes.append({"id": f"Q{k}", "start": start + 1, "end": end, "parts": [[start + 1, end]],
                       "speaker": speakers[k], "quote_type": "explicit"})
        k, start = k + 1, end + 1
    return quotes


def test_the_epithet_harness_introduces_the_role_and_rewrites_later_tags_only():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from epithet_corpus import apply_edits, epithet_edits

    quotes = _gold(_NOVEL)
    chars = [{"name": "Vasel", "aliases": ["Vasel"]}, {"name": "Oru", "aliases": ["Oru"]}]
    # Seeds vary which character is chosen; at share 1 every later tag of a chosen one takes the role.
    for seed in range(6):
        edits, roles, rewritten = epithet_edits(_NOVEL, quotes, chars, random.Random(seed), 1.0, set())
        new, _ = apply_edits(_NOVEL, edits)
        for name, r in roles.items():
            role = r["role"]
            assert new.count(f"{name}, the {role},") == 1
            intro = new.index(f", the {role},")
            # Every tag that names them after the introduction now calls them by the role.
            assert f"said {name}" not in new[intro:] and f"{name} replied" not in new[intro:]
            assert f"said the {role}" in new or f"the {role} replied" in new
        assert len({r["role"] for r in roles.values()}) == len(roles)
        assert all(q["speaker"] in roles for q in quotes if q["id"] in rewritten)
        # The quotes themselves are word for word what they were.
        assert [new[s:e] for s, e in [(q["start"], q["end"]) for q in _gold(new)]] == [
            _NOVEL[q["start"]:q["end"]] for q in quotes]


def test_a_described_epithet_is_the_bare_nouns_owner_unless_it_sets_one_against_another():
    text = ('Twilight and Rarity sat in the library. Spike swept the floor.\n\n"Tea?" asked Twilight.\n\n'
            '"Yes," said Rarity.\n\n"I will make it," said the little dragon.\n\n"Thank you," said Twilight.\n\n'
            '"Coming," the purple dragon called.')
    assert who(text)[2::2] == ["Spike", "Spike"]
    # "the other dragon" is a dragon the story has not linked to anyone: not Spike.
    assert who(text.replace("the little dragon", "the other dragon"))[2] != "Spike"


def test_a_name_in_apposition_owns_the_bare_noun_of_described_tags():
    text = ('Spike, the baby dragon, swept the floor. Twilight and Rarity sat in the library.\n\n"Tea?" asked Twilight.\n\n'
            '"Yes," said Rarity.\n\n"I will make it," said the little dragon.\n\n"Thank you," said Twilight.\n\n'
            '"Coming," the purple dragon called.')
    assert _cast(text)["Spike"] == ("the dragon",)
    assert [s for _, s in speech(lines_of(text))][2::2] == ["Spike", "Spike"]


def test_tags_by_epithet_count_among_the_characters_mentions():
    named = ('Vasel, the locksmith, looked up. Oru waited.\n\n"Well?" said Oru.\n\n"No," said Vasel.\n\n'
             '"Why?" said Oru.\n\n"Rust," said Vasel.')
    story, segs = segments_of(named)
    by_name = {c.name: c.mentions for c in find_characters(story, segs)}
    epithet = named.replace('"No," said Vasel', '"No," said the locksmith').replace(
        '"Rust," said Vasel', '"Rust," said the locksmith')
    story, segs = segments_of(epithet)
    by_epithet = {c.name: c.mentions for c in find_characters(story, segs)}
    assert by_epithet["Vasel"] == by_name["Vasel"]


def test_a_little_after_an_epithet_tag_is_how_it_was_said():
    text = ('Vasel, the locksmith, looked up. Oru waited.\n\n"Well?" said Oru.\n\n'
            '"No," said the locksmith a little sharply.\n\n"Why?" said Oru.\n\n"Rust," said the locksmith a little sadly.')
    cast = _cast(text)
    assert cast["Vasel"] == ("the locksmith",) and "the locksmith a little" not in cast


def test_what_the_narration_says_someone_is_links_the_only_one_of_that_kind():
    text = ('Twilight Sparkle was a unicorn who loved books. Spike was a young dragon. Rarity came by at noon.\n\n'
            '"Any news?" asked Rarity.\n\n"None," said the unicorn.\n\n"Sad," said Rarity.\n\n"I agree," the dragon said.')
    cast = _cast(text)
    assert cast["Twilight Sparkle"] == ("the unicorn",) and cast["Spike"] == ("the dragon",)
    assert [s for _, s in speech(lines_of(text))] == ["Rarity", "Twilight Sparkle", "Rarity", "Spike"]
    # The alicorn is Celestia even where her sister, named last, stands beside her.
    text = ('Celestia was an alicorn, tall and white. Luna was her sister. Twilight was a unicorn.\n\n'
            'That evening Twilight climbed the tower. Celestia waited there alone.\n\n'
            '"You came," the alicorn said.\n\n"Of course," said Twilight.')
    assert [s for _, s in speech(lines_of(text))] == ["Celestia", "Twilight"]


def test_two_said_to_be_unicorns_share_the_epithet():
    text = ('Rarity was a unicorn. Twilight was a unicorn too, and Applejack was an earth pony.\n\n'
            'Rarity went home early. Applejack walked with Twilight to the farm.\n\n'
            '"Long day," said Applejack.\n\n"Very," the unicorn said.')
    cast = _cast(text)
    assert cast["Rarity"] == ("the unicorn",) and cast["Twilight"] == ("the unicorn",)
    assert [s for _, s in speech(lines_of(text))] == ["Applejack", "Twilight"]


# One development novel rewritten by benchmarks/epithet_corpus.py (seed 7, share 0.5, only narrator's word
# lists banned, so the names differ from the command line's): The Sign of the Four, whose detective and
# inspector are called by a role. Measured 0.798 on this code; main before the epithet rules (1730a6f), whose
# role tags the scorer weighed as guesses, 0.713. The floor sits a little below this code's figure.
_EPITHET_FLOOR = ("the-sign-of-the-four", 0.78)


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus/pdnc")
def test_epithet_corpus_regression(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from attribution import run_novel
    from epithet_corpus import epithet_novel
    from renamed_corpus import _lexicon_words

    slug, floor = _EPITHET_FLOOR
    corpus, preds = tmp_path / "epithet", tmp_path / "preds"
    preds.mkdir()
    roles = epithet_novel(CORPUS / slug, corpus / slug, 7, _lexicon_words(), 0.5)
    assert sum(r["tags"] for r in roles.values()) >= 10  # the novel does call people by their roles
    rows, _, _ = run_novel(corpus / slug / "text.txt")
    (preds / f"{slug}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    scorer = CORPUS.parent.parent / "eval" / "score_attribution.py"
    out = subprocess.run([sys.executable, str(scorer), str(corpus), str(preds), "--missing", "skip", "--json"],
                         capture_output=True, text=True, check=True)
    acc = json.loads(out.stdout)["novels"][slug]["accuracy_all"]
    print(slug, "epithet", acc, roles)
    assert acc >= floor, (slug, acc)


# A name the narration gives after the role ("the bosun, a wiry woman everyone called Mags") names the role as
# surely as "Mags, the bosun,": the tags that call her "the bosun" mean Mags.
_BOSUN_NAMED = [
    "The bosun, a wiry woman everyone called Mags, was coiling rope.",
    "The bosun, a wiry woman named Mags, was coiling rope.",
    "The bosun, a wiry woman known as Mags, was coiling rope.",
    "The bosun, a wiry woman by the name of Mags, was coiling rope.",
    "The bosun, whom the crew called Mags, was coiling rope.",
]


@pytest.mark.parametrize("intro", _BOSUN_NAMED)
def test_a_name_given_after_the_role_links_the_role(intro: str):
    text = (f'{intro} Orrin watched her. Mags did not look up.\n\n"Tide turns soon," said Orrin.\n\n'
            '"Then haul," the bosun said.\n\n"Aye," said Orrin. Mags laughed.\n\n"Faster," the bosun said.')
    assert "the bosun" in _cast(text)["Mags"]


def test_a_role_that_calls_someone_over_is_not_named_by_it():
    # "called Mags over" is the bosun calling Mags, not her name: the bosun stays someone else.
    text = ('The bosun, a wiry woman, called Mags over. Orrin watched.\n\n"Tide turns soon," said Orrin.\n\n'
            '"Then haul," the bosun said.\n\n"Aye," said Mags. Orrin laughed.\n\n"Faster," the bosun said.')
    assert "the bosun" not in _cast(text).get("Mags", ())


def test_a_sound_that_is_also_an_action_tags_an_epithet_after_a_comma():
    # "the bosun grunted" after a line that ends on a comma is the tag of that line ("grunted" for "said").
    text = ('The bosun, a wiry woman everyone called Mags, was coiling rope. Orrin watched her.\n\n'
            '"Tide turns soon," said Orrin.\n\n"Then haul," the bosun grunted.\n\n"Aye," said Orrin.\n\n'
            '"Faster," the bosun huffed.')
    assert "the bosun" in _cast(text)["Mags"]


def test_a_sound_that_is_also_an_action_makes_no_speaker_of_its_own():
    # "The pig grunted" in the narration is a pig grunting: no tag, so no speaker called "the pig".
    text = ('Orrin leaned on the fence. The pig grunted in the mud.\n\n"Fat, is he not?" said Orrin.\n\n'
            'The pig grunted again. Mags laughed.\n\n"Fat as butter," said Mags. The pig snorted.\n\n'
            '"He agrees," said Orrin.')
    assert "the pig" not in _cast(text)
