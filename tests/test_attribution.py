"""attribute: speech-tag rules, pronouns, vocatives, turn-taking, aliases, fixtures and a PDNC regression."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from narrator.models import Character
from tests.attribution_helpers import CAST, FIXTURES, TWI, lines_of, speech, who

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "pdnc"

def test_attribution_explicit_tags_both_orders_and_other_verbs():
    assert who('"Hi," said Spike.') == ["Spike"]
    assert who('"Hi," Spike said.') == ["Spike"]
    assert who('"Hi," Twilight replied.') == ["Twilight Sparkle"]
    assert who('"Hi!" exclaimed Rarity.') == ["Rarity"]


def test_attribution_any_verb_before_a_known_name_is_a_tag():
    assert who('"Fine," harrumphed Spike.') == ["Spike"]
    assert who('"Fine," put in Rarity.') == ["Rarity"]
    assert who('"Fine," cried the good-hearted Rarity.') == ["Rarity"]


def test_attribution_name_then_any_word_after_a_comma_ended_quote():
    assert who('"Fine," Rarity replied, turning to Spike. "You carry it."') == ["Rarity", "Rarity"]
    assert who('"Fine," Spike thus began again.') == ["Spike"]


def test_attribution_possessive_tag():
    assert who('"Never," was Rarity\'s answer.') == ["Rarity"]


def test_attribution_name_broken_across_a_line_is_still_found():
    hall = Character("Mrs. Hall", (), "female", 5)
    assert who('"Evening," said Mrs.\nHall.', [TWI, hall]) == ["Mrs. Hall"]
    assert who('Mrs. Hall put down the tray and said, "Evening."', [TWI, hall, Character("Hall", (), "male", 9)]) == [
        "Mrs. Hall"]


def test_attribution_lead_in_paragraph_introduces_the_next_quote():
    text = 'Spike yawned.\n\nRarity looked round the room and said:\n\n"We start at dawn."'
    assert who(text) == ["Rarity"]
    text = 'Spike yawned.\n\nRarity looked round the room and said in a small voice\n\n"We start at dawn."'
    assert who(text) == ["Rarity"]


def test_attribution_subject_of_the_introducing_sentence():
    assert who('When Spike came in, Rarity looked up and said, "Hello."') == ["Rarity"]
    assert who('Spike watched the door, and Rarity said quietly, "Hello."') == ["Rarity"]
    assert who('Rarity turned towards Spike and said, "Hello."') == ["Rarity"]


def test_attribution_split_tag_introduces_a_second_speaker():
    assert who('"Hi," said Spike, while Rarity, who had not moved, added: "Hello."') == ["Spike", "Rarity"]


def test_attribution_capitalised_role_is_a_named_tag():
    gardener = Character("the Gardener", (), "male", 9)
    lines = [ln for ln in lines_of('"Weeds," said the Gardener.', [TWI, gardener]) if ln.segment.kind == "dialogue"]
    assert [(ln.speaker, ln.evidence) for ln in lines] == [("the Gardener", "explicit")]


def test_attribution_explicit_is_marked_explicit_and_confident():
    line = next(ln for ln in lines_of('"Hi," said Spike.', CAST) if ln.segment.kind == "dialogue")
    assert line.evidence == "explicit" and line.confidence > 0.9


def test_attribution_narration_goes_to_the_narrator():
    lines = lines_of('Spike slept. "Hi," said Rarity.', CAST)
    narr = [ln for ln in lines if ln.segment.kind == "narration"]
    assert narr and all(ln.speaker is None and ln.evidence == "narration" for ln in narr)


def test_attribution_tag_inside_split_quote_covers_both_parts():
    assert who('"We can go," Twilight said, "right now."') == ["Twilight Sparkle"] * 2


def test_attribution_tag_before_the_quote():
    assert who('Rarity turned to the others and said, "Listen."') == ["Rarity"]


def test_attribution_pronoun_resolved_by_gender():
    text = 'Spike and Rarity sat by the fire.\n\n"I am cold," he said.\n\n"So am I," she said.'
    assert who(text) == ["Spike", "Rarity"]
    lines = [ln for ln in lines_of(text, CAST) if ln.segment.kind == "dialogue"]
    assert all(ln.evidence == "anaphoric" for ln in lines)


def test_attribution_epithet_alias_from_the_cast():
    text = 'Twilight and Rarity sat by the fire.\n\n"How lovely," the unicorn declared.'
    assert who(text) == ["Rarity"]


def test_attribution_vocative_is_the_listener_not_the_speaker():
    text = 'Twilight and Spike were in the library.\n\n"Spike, wake up," she said.'
    assert who(text) == ["Twilight Sparkle"]


def test_attribution_turn_taking_in_a_two_person_exchange():
    text = ('"Are you coming?" asked Twilight.\n\n"Yes," said Spike.\n\n"Now?"\n\n"Right now."\n\n'
            '"Good."')
    assert who(text) == ["Twilight Sparkle", "Spike", "Twilight Sparkle", "Spike", "Twilight Sparkle"]
    lines = [ln for ln in lines_of(text, CAST) if ln.segment.kind == "dialogue"]
    assert lines[2].evidence == "implicit"


def test_attribution_speech_left_open_continues_in_the_next_paragraph():
    text = '"Are you coming?" asked Spike.\n\n"I am," said Twilight, "but first\n\n"I must find the book."'
    assert who(text) == ["Spike", "Twilight Sparkle", "Twilight Sparkle", "Twilight Sparkle"]


def test_attribution_no_characters_means_unknown():
    lines = lines_of('"Hello there."', [])
    assert [(ln.speaker, ln.evidence) for ln in lines] == [(None, "unknown")]


def test_attribution_first_person_speaker():
    narrator = Character("Narrator", ("I",), "unknown", 3)
    assert who('"Fine," I said.', [TWI, narrator]) == ["Narrator"]


def _fixture(name: str) -> tuple[list[str | None], list[str]]:
    got = [s for _, s in speech(lines_of((FIXTURES / f"{name}.txt").read_text()))]
    want = [ln for ln in (FIXTURES / f"{name}.speakers").read_text().splitlines() if ln and not ln.startswith("#")]
    return got, want


def test_attribution_fan_fiction_fixture_end_to_end():
    got, want = _fixture("library")
    assert len(got) == len(want)
    right = sum(g == w for g, w in zip(got, want, strict=True))
    # All 19 lines are right; one miss is allowed (an epithet used once and never introduced, "the unicorn
    # declared", is the line most likely to go).
    assert right >= len(want) - 1, list(zip(got, want, strict=True))


def test_attribution_first_person_fixture_end_to_end():
    got, want = _fixture("firstperson")
    narr = {g for g, w in zip(got, want, strict=True) if w == "I"}
    assert len(narr) == 1 and None not in narr and "Applejack" not in narr
    right = sum((g in narr) if w == "I" else g == w for g, w in zip(got, want, strict=True))
    assert right >= len(want) - 1, list(zip(got, want, strict=True))


def test_attribution_stormwatch_fixture_end_to_end():
    # Vocatives, linked epithets, an unclosed quote, "X replied, turning to Y", a one-off speaker,
    # a lead-in paragraph, a mysterious voice and split quotes, all hand-checked.
    got, want = _fixture("stormwatch")
    assert len(got) == len(want)
    wrong = [(i, g, w) for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w]
    assert len(wrong) <= 1, wrong


ORCHARD_CAST = [
    Character("Applejack", (), "female", 20), Character("Big Mac", (), "male", 10),
    Character("Twilight Sparkle", ("Twilight",), "female", 10), Character("Spike", ("the dragon",), "male", 10),
]


def test_attribution_orchard_fixture_turn_taking_vocatives_beats_and_open_quotes():
    text = (FIXTURES / "orchard.txt").read_text()
    got = [s for _, s in speech(lines_of(text, ORCHARD_CAST))]
    want = [ln for ln in (FIXTURES / "orchard.speakers").read_text().splitlines() if ln and not ln.startswith("#")]
    assert len(got) == len(want)
    # Two-person exchange with no tags at all: Applejack and Big Mac alternate.
    assert got[:6] == want[:6]
    # A vocative names the listener: "Applejack, have you seen Spike?" is Twilight's, and the answer Applejack's.
    assert got[6:8] == want[6:8]
    # An action after the speech in the same paragraph ("The dragon slid down") names the speaker, and a
    # quotation left open at the end of the paragraph goes on in the next one.
    assert got[15:18] == ["Spike"] * 3
    right = sum(g == w for g, w in zip(got, want, strict=True))
    # Known misses (4): a lead-in after "After a moment" (tag grammar), Twilight's shout after her own
    # action paragraph (2 segments) and the answer to a vocative from an unnamed head in the hay.
    assert right >= len(want) - 4, list(zip(got, want, strict=True))


def test_attribution_listener_named_in_the_tag_is_not_the_speaker():
    text = 'Twilight and Rarity sat by the fire.\n\n"Time for bed," she said to Twilight.'
    assert who(text) == ["Rarity"]


def test_attribution_action_after_the_quote_names_the_speaker():
    assert who('Twilight walked in.\n\n"Hello." The dragon looked up from his comic.') == ["Spike"]


def test_attribution_tag_after_the_reply_reaches_back_through_turns():
    # The first two lines have no tag; "said Spike" on the fourth fixes the parity of the exchange.
    text = '"Ready?" asked Twilight.\n\n"Yes."\n\n"Then go."\n\n"Going," said Spike.'
    assert who(text) == ["Twilight Sparkle", "Spike", "Twilight Sparkle", "Spike"]


def test_attribution_every_dialogue_line_has_evidence_and_confidence():
    lines = [ln for ln in lines_of((FIXTURES / "orchard.txt").read_text(), ORCHARD_CAST) if ln.segment.kind == "dialogue"]
    assert all(ln.evidence in ("explicit", "anaphoric", "implicit") for ln in lines)
    assert all(0.0 < ln.confidence <= 1.0 for ln in lines)
    # Named tags are trusted more than guesses from turn-taking.
    named = min(ln.confidence for ln in lines if ln.evidence == "explicit")
    assert named > max(ln.confidence for ln in lines if ln.evidence == "implicit")


# Floors: (acc_all, explicit) measured when last raised, minus a small margin (about 2.5 points).
# The Gambler is told in the first person: it fails when the narrator loses its name.
# Measured 75.1 / 93.0, 92.2 / 98.7, 82.5 / 91.0 % after merging attr-resolve's orchard work; Pride and
# Prejudice raised to 76.3 / 97.2 by the naming and tag-grammar work (attrnames3), which also added The Sun
# Also Rises at 79.5 / 96.5 (first person: it fails when "Jake" and "Mr. Barnes" stop being one narrator).
# The Gambler's explicit floor went down to 83 when epithet tags became a scorer feature instead of a
# fixed speaker (attrdecode3: right 58 % of the time fixed on dev; the novel's "cried the croupier" lines
# now go to the scorer and some are lost, while its acc_all rose 82.8 -> 87.4); acc_all floor raised.
# Daisy Miller raised to 89.5 by the relational tags ("said her mother": measured 90.7 -> 92.0).
# Northanger Abbey added at 75.5 / 91 by the family rules of the cluster branch (measured 74.1 -> 77.0 / 92.4:
# it fails when "Miss Morland", "Miss Thorpe", "Thorpe" and "Tilney" stop joining Catherine, Isabella, John
# and Henry).
# All raised after session 7 (dev 84.2 %), measured 83.0 / 96.6, 93.3 / 98.7, 89.8 / 92.1, 84.9 / 98.2 and
# 78.9 / 92.9 % (acc_all / explicit): floors about 2.5 points under.
_FLOORS = {"pride-and-prejudice": (0.805, 0.945), "daisy-miller": (0.905, 0.96), "the-gambler": (0.87, 0.895),
           "the-sun-also-rises": (0.82, 0.955), "northanger-abbey": (0.765, 0.91)}


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus/pdnc")
def test_attribution_pdnc_regression(tmp_path):
    scorer = CORPUS.parent.parent / "eval" / "score_attribution.py"
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from attribution import run_novel

    for slug in _FLOORS:
        rows, _, _ = run_novel(CORPUS / slug / "text.txt")
        (tmp_path / f"{slug}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = subprocess.run([sys.executable, str(scorer), str(CORPUS), str(tmp_path), "--missing", "skip", "--json",
                          "--novels", *_FLOORS], capture_output=True, text=True, check=True)
    scores = json.loads(out.stdout)["novels"]
    for slug, (floor, explicit) in _FLOORS.items():
        assert scores[slug]["accuracy_all"] >= floor, (slug, scores[slug]["accuracy_all"])
        assert scores[slug]["by_type"]["explicit"]["accuracy_all"] >= explicit, (slug, scores[slug]["by_type"])
        assert scores[slug]["detection_f1"] >= 0.95


# The same novels with every character name swapped for an invented one (benchmarks/renamed_corpus.py):
# attribution must not depend on our word lists knowing the names. Measured on this code: The Awakening
# 78.1 (68.3 before gender came from reflexives), Pride and Prejudice 78.5 / explicit 96.6 (76.3 / 93.0
# before "Miss Lydia Bennet" told that "Lydia" is a given name), with seeds 7 and 2 alike.
_RENAMED_FLOORS = {"the-awakening": (0.76, 0.88), "pride-and-prejudice": (0.76, 0.955)}


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus/pdnc")
def test_attribution_pdnc_renamed_regression(tmp_path):
    scorer = CORPUS.parent.parent / "eval" / "score_attribution.py"
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from attribution import run_novel
    from renamed_corpus import _lexicon_words, rename_novel

    corpus, preds = tmp_path / "renamed", tmp_path / "preds"
    preds.mkdir()
    banned = _lexicon_words()
    for slug in _RENAMED_FLOORS:
        rename_novel(CORPUS / slug, corpus / slug, 7, banned)
        rows, _, _ = run_novel(corpus / slug / "text.txt")
        (preds / f"{slug}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = subprocess.run([sys.executable, str(scorer), str(corpus), str(preds), "--missing", "skip", "--json"],
                         capture_output=True, text=True, check=True)
    scores = json.loads(out.stdout)["novels"]
    for slug, (floor, explicit) in _RENAMED_FLOORS.items():
        assert scores[slug]["accuracy_all"] >= floor, (slug, scores[slug]["accuracy_all"])
        assert scores[slug]["by_type"]["explicit"]["accuracy_all"] >= explicit, (slug, scores[slug]["by_type"])


def test_attribution_relative_clause_speaker_behind_a_preposition():
    # "looked at Rarity, who said": the antecedent of a speaking relative clause is the speaker.
    text = 'Spike looked anxiously at Rarity, who said in a low voice, "Not now."'
    assert who(text) == ["Rarity"]


def test_attribution_lead_in_after_a_semicolon_belongs_to_its_own_subject():
    text = ('Spike was told to hush; but Twilight, much offended, put down her book and said, '
            '"I was reading."')
    assert who(text) == ["Twilight Sparkle"]


def test_attribution_possessive_speech_noun_in_a_lead_in():
    assert who("Spike's only comment when she had heard the tale was, \"Just as I said.\"") == ["Spike"]
    assert who('Then the voice of Spike was heard saying, "Get them out."') == ["Spike"]


def test_attribution_lead_in_beats_a_pronoun_sentence_after_the_quote():
    # The pronoun after a finished quote starts new narration; the lead-in named the speaker.
    text = 'Spike and Twilight stopped, and Rarity said severely "Who is this?" He had never seen her so cross.'
    assert who(text) == ["Rarity"]


def test_attribution_lead_in_speaker_is_the_subject_of_the_last_clause():
    text = ('Twilight was too tired to argue, and the coach pulling in, '
            'Spike had barely time to wave her hoof and say, "Good-bye."')
    assert who(text) == ["Spike"]


def test_attribution_a_person_met_at_work_once_speaks_for_themselves():
    # A one-off occupational epithet with no name tied to it is its own speaker, not a guess
    # among the cast by gender.
    text = ('Twilight stepped down from the train with Spike.\n\n'
            '"Canterlot, end of the line," said the stationmaster.\n\n"Thank you," said Twilight.')
    assert who(text, cast=None) == ["the stationmaster", "Twilight"]


def test_attribution_lead_paragraph_ending_on_began_announces_the_speech():
    text = ('Spike was too busy with his comic to notice Twilight, until Rarity thus began.\n\n'
            '"What a charming evening this is."')
    assert [(ln.speaker, ln.evidence) for ln in lines_of(text, CAST) if ln.segment.kind == "dialogue"] == [
        ("Rarity", "explicit")]


def test_attribution_passive_agent_ending_a_lead_in_speaks():
    text = ('Spike was thinking of nothing at all, when thus accosted by Rarity,\n\n'
            '"I can guess what you are thinking."')
    assert [(ln.speaker, ln.evidence) for ln in lines_of(text, CAST) if ln.segment.kind == "dialogue"] == [
        ("Rarity", "explicit")]


def test_attribution_rest_of_a_split_tag_needs_its_own_speech_verb():
    # "which Spike thought" inside the tag does not hand the second part to Spike.
    text = ('"Oh!" cried Rarity, with a blush which Spike thought very becoming-- "there was no danger."')
    assert who(text) == ["Rarity", "Rarity"]
    # ... but "while Twilight added:" does.
    text = '"Oh!" cried Rarity, while Twilight, looking up, added: "Nor any need."'
    assert who(text) == ["Rarity", "Twilight Sparkle"]


def test_attribution_lead_in_opening_with_after_keeps_its_pronoun():
    # "After a moment he said quietly," is one clause: the subordinate-clause skipper must not eat it.
    text = 'Twilight looked at the map for a long time.\n\nAfter a moment he said quietly, "We should go."'
    lines = [ln for ln in lines_of(text, CAST) if ln.segment.kind == "dialogue"]
    assert [(ln.speaker, ln.evidence) for ln in lines] == [("Spike", "anaphoric")]
    assert who('When Twilight had gone, Rarity said, "Finally."') == ["Rarity"]


def test_attribution_hayloft_fixture_tag_grammar_and_naming_end_to_end():
    got, want = _fixture("hayloft")
    assert len(got) == len(want)
    right = sum(g == w for g, w in zip(got, want, strict=True))
    # All 12 are right (6 were before these rules); one miss is allowed.
    assert right >= len(want) - 1, list(zip(got, want, strict=True))


def test_attribution_a_gesture_verb_gives_way_to_the_speech_verb_after_it():
    text = 'But he laughed so long over the letter, that Rarity could not help saying, "You are awful."'
    assert who(text) == ["Rarity"]


def test_attribution_name_after_to_in_an_inverted_tag_is_the_listener():
    assert who('"They have gone," said the maid to Twilight.') != ["Twilight Sparkle"]
    text = 'Twilight came in and Twilight sat down.\n\n"They have gone," said the maid to Twilight.'
    assert who(text, cast=None) == ["the maid"]


GATE_CAST = [
    Character("Rarity", (), "female", 10), Character("Sweetie Belle", ("Sweetie",), "female", 6),
    Character("Captain Ironhoof", ("Ironhoof", "Captain"), "male", 4),
]


def test_attribution_gate_fixture_role_words_tell_the_listener():
    # A stallion guard and two mares, no tags after the first line: "ma'am" and "miss" are said to a
    # mare, "sir" to the stallion. The answer to "Sweetie, did you bring yours?" is Sweetie's, helped by
    # the next line's "miss" (it addresses a mare, so the one before it was a mare speaking).
    text = (FIXTURES / "gate.txt").read_text()
    got = [s for _, s in speech(lines_of(text, GATE_CAST))]
    want = [ln for ln in (FIXTURES / "gate.speakers").read_text().splitlines() if ln and not ln.startswith("#")]
    assert len(got) == len(want)
    assert got[:6] == want[:6], list(zip(got, want, strict=True))
    # Known miss (1): one of Rarity's lines near the end goes to Sweetie Belle by turn-taking (three
    # misses before this release's vocative and question cues).
    right = sum(g == w for g, w in zip(got, want, strict=True))
    assert right >= len(want) - 1, list(zip(got, want, strict=True))


# --- relational and possessive tags ------------------------------------------------------------
NELL = Character("Nell Ashby", ("Nell", "Miss Ashby"), "female", 30)
MRS_ASHBY = Character("Mrs. Ashby", (), "female", 12)
HUGH = Character("Hugh Marten", ("Hugh",), "male", 20)
FAMILY = [NELL, HUGH, MRS_ASHBY]


def dialogue_lines(text: str, cast) -> list:
    return [ln for ln in lines_of(text, cast) if ln.segment.kind == "dialogue"]


def test_attribution_relational_tag_names_the_kin_not_the_possessor():
    # "said her mother" right after Nell speaks: "her" is Nell, the speaker is her mother.
    text = ('Mrs. Ashby was sewing by the fire when Nell Ashby came down the stairs with her hat on.\n\n'
            '"I shall walk to the mill," said Nell.\n\n"Not in this rain," said her mother.')
    assert who(text, FAMILY) == ["Nell Ashby", "Mrs. Ashby"]


def test_attribution_relation_belongs_to_the_one_the_narration_is_about():
    # The mother spoke last, but the narration since then is about Nell: "her" is Nell, not the mother,
    # so the mother is not ruled out as her own relative.
    text = ('Mrs. Ashby stood in the hall with her gloves on.\n\n"Nell, my dear, come down," said Mrs. Ashby.\n\n'
            'Nell Ashby put down her book and went out to the stairs.\n\n"We may as well walk to the mill," said her mother.')
    assert who(text, FAMILY) == ["Mrs. Ashby", "Mrs. Ashby"]


def test_attribution_unique_relation_of_the_last_speaker_is_sure():
    # The wife spoke last; another woman named in passing after her words does not make "her" unsure:
    # her one husband answers, though turn-taking alone would hand the line to Hugh.
    mr_ashby = Character("Mr. Ashby", (), "male", 2)
    text = ('Mr. Ashby sat by the fire. Hugh Marten stood at the door with Mrs. Ashby.\n\n"The night is cold," said Hugh.'
            '\n\n"It is," said Mrs. Ashby.\n\n"The road is bad," said Hugh.\n\n"It is," said Mrs. Ashby.\n\n'
            '"I must go," said Hugh.\n\n"Is the gate shut?" asked Mrs. Ashby, with a glance at Nell.\n\n'
            '"I shut it an hour ago," said her husband.')
    assert who(text, [*FAMILY, mr_ashby])[-1] == "Mr. Ashby"


def test_attribution_relation_owner_is_the_man_of_the_exchange_before_one_named():
    from narrator.kinship import relational_kin
    from narrator.resolver import CastIndex
    from narrator.speech_tags import SpeechTag

    tom = Character("Tom Ashby", ("Tom",), "male", 5)
    mr_ashby = Character("Mr. Ashby", (), "male", 8)
    res = CastIndex([*FAMILY, tom, mr_ashby])
    tag = SpeechTag(None, "epithet", "male", "after", owner="male", rel="son")
    # Mrs. Ashby spoke last, her husband the turn before; Tom was named since. "His son" is Mr. Ashby's:
    # Tom is his kin, and the father is not.
    _, _, kin, _ = relational_kin(tag, "Mrs. Ashby", ["Tom Ashby", "Mrs. Ashby", "Mr. Ashby"], res, earlier=["Mr. Ashby"])
    assert "Tom Ashby" in kin and "Mr. Ashby" not in kin


def test_attribution_relation_owner_skips_one_titled_as_the_relative():
    from narrator.resolver import CastIndex
    from narrator.speaker_features import ParagraphContext, _about

    res = CastIndex(FAMILY)
    ctx = ParagraphContext.__new__(ParagraphContext)
    # "Mrs. Ashby looked at Nell." before "said her mother": Mrs. Ashby goes by a mother's title, so "her" is Nell.
    ctx.centre_units = [("Mrs. Ashby", "Nell Ashby")]
    assert _about(ctx, res, "female", "mother") == "Nell Ashby"
    # A sister is no "Mrs.": the first woman of the sentence is the one it is about.
    assert _about(ctx, res, "female", "sister") == "Mrs. Ashby"
    # A speech turn ends the narration since the last turn: no centre there, the turn-taking rule decides.
    ctx.centre_units = [3, ("Nell Ashby",)]
    assert _about(ctx, res, "female", "mother") is None


def test_attribution_relation_after_a_preposition_is_the_listener():
    from narrator.kinship import with_relation
    from narrator.resolver import CastIndex
    from narrator.speech_tags import SpeechTag

    res = CastIndex(FAMILY)
    tag = SpeechTag(None, "pronoun", "female", "after")
    assert with_relation(tag, " she said to her mother.", res).owner is None
    assert with_relation(SpeechTag(None, "epithet", "female", "after"), " said her mother.", res).owner == "female"
    # In a lead-in, a pronoun subject before the relation is the speaker ("She turned to her mother and said:").
    assert with_relation(SpeechTag(None, "pronoun", "female", "before"), "She turned to her mother and said:", res).owner is None


def test_attribution_pronoun_and_any_verb_after_a_comma_is_a_tag():
    lines = dialogue_lines('Hugh Marten stood at the door.\n\n"I suppose," he floundered, "that it is late."', FAMILY)
    assert [(ln.speaker, ln.evidence) for ln in lines] == [("Hugh Marten", "anaphoric")] * 2


def test_attribution_possessive_speech_noun_with_a_pronoun():
    text = ('Nell Ashby and Hugh Marten sat by the window.\n\n"Will you come?" asked Hugh.\n\n'
            '"Never," was her short answer.')
    lines = dialogue_lines(text, FAMILY)
    assert (lines[1].speaker, lines[1].evidence) == ("Nell Ashby", "anaphoric")


def test_attribution_the_other_tag_is_marked_as_not_the_last_speaker():
    from narrator.kinship import with_relation
    from narrator.resolver import CastIndex
    from narrator.speech_tags import SpeechTag

    res = CastIndex(FAMILY)
    assert with_relation(SpeechTag(None, "epithet", "unknown", "after"), " said the other.", res).other
    assert not with_relation(SpeechTag(None, "epithet", "unknown", "after"), " said the other one.", res).other
    assert not with_relation(SpeechTag(None, "epithet", "unknown", "after"), " said the vicar.", res).other


def test_attribution_same_unknown_epithet_points_at_its_last_speaker():
    from narrator import attribution as attr
    from narrator import speaker_features
    from tests.attribution_helpers import segments_of

    crane = Character("Mr. Crane", (), "male", 8)
    text = ('Mr. Crane leaned on the gate.\n\n"Fine day," said Mr. Crane.\n\n"It is," said the old man, nodding.\n\n'
            'Hugh Marten and Nell Ashby walked on and came back an hour later.\n\n'
            '"Still here?" said the old man.')
    _, segs = segments_of(text)
    trace: list = []
    lines = attr.run(segs, [HUGH, NELL, crane], speaker_features.load_weights(), trace)
    last_quotes, cands, feats = trace[-1]
    assert last_quotes[0].text.startswith('"Still here')
    marked = [c for c, f in zip(cands, feats, strict=True) if f["same_epithet"]]
    # The first "said the old man" went to someone: the second points at the same one.
    first = next(ln.speaker for ln in lines if ln.segment.text.startswith('"It is'))
    assert first is not None and marked == [first]


def test_attribution_and_discovery_read_a_role_noun_as_the_same_gender():
    # "said the vicar" is a man to attribution as to character discovery (the two kept lists of their own
    # that had drifted: the vicar, the butler, the policeman were men only to discovery, "sir" only here).
    from narrator.lexicon import noun_gender
    from narrator.resolver import CastIndex

    res = CastIndex(FAMILY)
    for noun, gender in (("vicar", "male"), ("butler", "male"), ("policeman", "male"), ("sir", "male"),
                         ("governess", "female"), ("stranger", "unknown"), ("dragon", "unknown")):
        assert res.lookup(f"the {noun}") == (None, "epithet", gender), noun
        assert noun_gender(noun) == gender, noun


def test_attribution_the_one_a_speech_verb_is_said_to_never_speaks_it():
    # Twilight is the only person the scene has named, but the tag says the words are said *to* her: a reader
    # hears the maid (no character here) or anyone else, never Twilight.
    assert who('Twilight paced the hall. Twilight sighed.\n\n"They have gone," said the maid to Twilight.') != [
        "Twilight Sparkle"]
    assert who('"Where is Rarity?" asked Twilight.\n\n"Asleep," whispered the guard softly to Twilight.')[1] != \
        "Twilight Sparkle"
