"""Names and titles shaped unlike the English ones of the development novels: another language's
honorifics ("Signora", "Herr"), given names of several parts ("Tova-the-Brin", "Mira Lenne"), people
known by title and surname only. Every fixture is written for these tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from narrator.characters import find_characters
from narrator.lexicon import civil_title

from .attribution_helpers import segments_of

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "pdnc"


def _chars(text: str):
    story, segs = segments_of(text)
    return find_characters(story, segs)


def _holder(chars, form):
    return next((c for c in chars if form == c.name or form in c.aliases), None)


# An Italian family: the mother is "Signora Varn", the one daughter named in full "Elena Varn" and,
# unmarried, "Signorina Varn" -- the same etiquette as "Mrs." and "Miss" in an English novel.
_FAMILY = (
    "Elena Varn came down the stairs. Signora Varn was at the window, and she did not turn.\n\n"
    '"Elena, the carriage is late," said Signora Varn.\n\n'
    '"It is always late," said Elena. She sat down by the fire.\n\n'
    "Signorina Varn looked at her mother. She was tired of waiting.\n\n"
    '"We shall go on foot," said Signorina Varn.\n\n'
    '"You will do no such thing," said Signora Varn. She rang the bell.\n\n'
    "Elena laughed and picked up her gloves. Signora Varn sighed.\n\n"
    '"Then I shall wait," said Elena.\n\n'
)


def test_name_shapes_foreign_miss_is_the_unmarried_daughter():
    chars = _chars(_FAMILY)
    elena = _holder(chars, "Elena")
    assert elena is not None and elena is _holder(chars, "Signorina Varn")
    assert _holder(chars, "Signora Varn") is not elena


def test_name_shapes_civil_title_maps_each_language_to_the_english_one():
    assert [civil_title(t) for t in ("Signora", "Frau", "Madame", "Senora", "Mrs.")] == ["Mrs"] * 5
    assert [civil_title(t) for t in ("Signorina", "Fraulein", "Mademoiselle", "Senorita")] == ["Miss"] * 4
    assert [civil_title(t) for t in ("Herr", "Signor", "Monsieur", "Senor", "Mr.")] == ["Mr"] * 5
    assert civil_title("Lady") == civil_title("Dr.") == ""


# A given name with a lower-case word inside, written whole every time, like "Jack-in-the-Box".
_INNER_THE = (
    "Tova-the-Brin walked to the mill with Pell. The wind was up.\n\n"
    '"The sails will turn today," said Tova-the-Brin.\n\n'
    '"They turned yesterday too," Pell said. He kicked a stone.\n\n'
    "Tova-the-Brin laughed at him and went on ahead.\n\n"
    '"Come on, Pell," said Tova-the-Brin.\n\n'
    "Pell followed her up the hill. Tova-the-Brin waited at the top.\n\n"
)


def test_name_shapes_lower_case_word_inside_a_hyphenated_name_keeps_it_one_name():
    chars = _chars(_INNER_THE)
    tova = _holder(chars, "Tova-the-Brin")
    assert tova is not None and tova is not _holder(chars, "Pell")
    # Neither half is a character of its own.
    assert _holder(chars, "Tova") in (None, tova) and _holder(chars, "Brin") in (None, tova)


def test_name_shapes_narrator_named_by_a_hyphenated_vocative():
    # The replies the first-person narrator gets call her "Lisa-Marit": that whole word is her name.
    text = ""
    for place in ("barn", "orchard", "cellar"):
        text += (f'Corvel found me at dusk. "Where were you?" Corvel asked.\n\n'
                 f'"In the {place}, Corvel," I said.\n\n"Well, Lisa-Marit, you missed supper."\n\n')
    narr = [c for c in _chars(text) if "I" in c.aliases]
    assert [c.name for c in narr] == ["Lisa-Marit"]


def test_name_shapes_two_given_names_join_their_full_name_and_yield_to_it():
    # "Lisa Mae" is what everyone calls her; "Lisa Mae Orrin" is her full name, as "Harriet Smith" is
    # to "Harriet". ("Orrin" alone is nobody's.)
    text = ("Lisa Mae Orrin lived at the end of the lane with Dorn.\n\n"
            '"The hens are out," said Lisa Mae. She went to the gate.\n\n'
            '"Then catch them," Dorn said. He did not get up.\n\n'
            "Lisa Mae Orrin ran after the hens, and Lisa Mae caught two of them.\n\n"
            '"Help me, Dorn," said Lisa Mae.\n\n') * 2
    chars = _chars(text)
    lisa = _holder(chars, "Lisa Mae")
    assert lisa is not None and lisa is _holder(chars, "Lisa Mae Orrin") and lisa.name == "Lisa Mae Orrin"


def test_name_shapes_narrator_called_by_two_given_names_and_a_formal_surname():
    # Friends call the narrator "Tam Ody", strangers "Mr. Reed": two given names, and the surname Reed.
    block = ('"Morning, Tam Ody," said Rook.\n\n"Morning," I said.\n\n"Sit down, Tam Ody," said Rook.\n\n'
             '"Fine," I said.\n\n"Your table, Mr. Reed," said the waiter.\n\n"Thanks," I said.\n\n')
    narr = [c for c in _chars(block * 3) if "I" in c.aliases]
    assert [c.name for c in narr] == ["Tam Ody Reed"]


def test_name_shapes_narrator_called_by_a_three_word_vocative():
    text = ""
    for place in ("barn", "orchard", "cellar"):
        text += (f'Corvel found me at dusk. "Where were you?" Corvel asked.\n\n'
                 f'"In the {place}, Corvel," I said.\n\n"Well, Tam Ody Reed, you missed supper."\n\n')
    narr = [c for c in _chars(text) if "I" in c.aliases]
    assert [c.name for c in narr] == ["Tam Ody Reed"]


# Development novels renamed with another shape of names (benchmarks/renamed_corpus.py --style foreign /
# hyphen, seed 7, only narrator's word lists banned): measured on this code 0.816 and 0.896, floors a
# little below. Before the rules above: 0.513 (Italian honorifics in Pride and Prejudice) and 0.572
# (The Gambler's narrator called by a hyphenated given name). Two novels only, to keep the suite short.
_SHAPE_FLOORS = {("pride-and-prejudice", "foreign"): 0.80, ("the-gambler", "hyphen"): 0.88}


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus/pdnc")
def test_name_shapes_pdnc_renamed_regression(tmp_path):
    scorer = CORPUS.parent.parent / "eval" / "score_attribution.py"
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from attribution import run_novel
    from renamed_corpus import _lexicon_words, rename_novel

    banned = _lexicon_words()
    for (slug, style), floor in _SHAPE_FLOORS.items():
        corpus, preds = tmp_path / style, tmp_path / f"{style}-preds"
        preds.mkdir(exist_ok=True)
        rename_novel(CORPUS / slug, corpus / slug, 7, banned, style)
        rows, _, _ = run_novel(corpus / slug / "text.txt")
        (preds / f"{slug}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        out = subprocess.run([sys.executable, str(scorer), str(corpus), str(preds), "--missing", "skip", "--json"],
                             capture_output=True, text=True, check=True)
        acc = json.loads(out.stdout)["novels"][slug]["accuracy_all"]
        print(slug, style, acc)
        assert acc >= floor, (slug, style, acc)
