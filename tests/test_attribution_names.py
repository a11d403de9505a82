"""attribute and find_characters: who a name in a speech tag means (explicit tags, role names, common-noun names)."""

from __future__ import annotations

from narrator.attribution import attribute
from narrator.characters import find_characters
from narrator.models import Character

from .attribution_helpers import FIXTURES, lines_of, segments_of

MARA = Character("Mara", (), "female", 12)
SPIKE = Character("Spike", ("the dragon",), "male", 15)
FERRYMAN = Character("the ferryman", (), "male", 3)


def _dialogue(text: str, cast: list[Character] | None = None):
    return [ln for ln in lines_of(text, cast) if ln.segment.kind == "dialogue"]


def _cast(text: str) -> dict[str, tuple[str, ...]]:
    story, segs = segments_of(text)
    return {c.name: c.aliases for c in find_characters(story, segs)}


def _marvel_and_the_man(phrase: str) -> str:
    """Marvel outside the inn, and "the man" + `phrase` speaking three times."""
    return ('Marvel sat on the bench outside the inn. Two men came out of the door.\n\n'
            f'"Fine day," said the man{phrase}.\n\n"It is," said Marvel.\n\n'
            f'"Going far?" said the man{phrase}.\n\nMarvel shook his head. "Not far."\n\n'
            f'"Then good luck," said the man{phrase}, and went off down the road.\n')




def test_attribution_role_known_only_by_work_is_a_named_tag():
    # "the ferryman" is all the story calls him: the tag names him outright.
    text = ('Mara waited on the bank with Spike.\n\n"Is it far?" Mara asked.\n\n'
            '"Not far," said the ferryman.\n\n"Good," said Spike.\n')
    lines = _dialogue(text, [MARA, SPIKE, FERRYMAN])
    assert [(ln.speaker, ln.evidence) for ln in lines] == [
        ("Mara", "explicit"), ("the ferryman", "explicit"), ("Spike", "explicit")]


def test_attribution_epithet_of_a_named_character_stays_a_guess():
    # "the dragon" points at Spike but is not his name: it is weighed, not taken as a named tag.
    text = 'Mara waited on the bank with Spike.\n\n"Is it far?" Mara asked.\n\n"Not far," said the dragon.\n'
    lines = _dialogue(text, [MARA, SPIKE, FERRYMAN])
    assert lines[1].evidence == "anaphoric"
    assert lines[1].speaker == "Spike"


def test_characters_participle_at_a_sentence_start_is_no_name():
    # "Returning," / "Smiling," start sentences; only the people are characters.
    text = ('Mara sat by the fire. Tobin came in from the snow.\n\nReturning, Tobin said, "The road is closed."\n\n'
            '"Again?" Mara asked.\n\nReturning to the table, she said, "Then we wait."\n\n'
            '"Returning," he said, "is the hard part."\n\nSmiling, Mara nodded. "It always is."\n')
    assert sorted(_cast(text)) == ["Mara", "Tobin"]


def test_characters_name_shaped_like_a_participle_is_still_a_name():
    # "Manning" looks like a participle but is written mid-sentence, after a speech verb.
    text = ('Manning lit the lamp.\n\n"Late again," said Manning.\n\n"Sorry," Mara said to Manning.\n\n'
            'Manning laughed. "Sit down."\n')
    assert "Manning" in _cast(text)


def test_attribution_common_noun_names_fixture():
    text = (FIXTURES / "riverbank.txt").read_text()
    want = [ln for ln in (FIXTURES / "riverbank.speakers").read_text().splitlines() if ln and not ln.startswith("#")]
    story, segs = segments_of(text)
    chars = find_characters(story, segs)
    assert {c.name for c in chars} == {"Owl", "Rabbit", "the Mole", "the dragon", "the unicorn"}
    lines = [ln for ln in attribute(segs, chars) if ln.segment.kind == "dialogue"]
    assert len(lines) == len(want)
    # Every line whose tag names its speaker ("said Owl", "Rabbit said", "called the Mole", "said the
    # dragon", "said the unicorn") is right: lines 1-16 of riverbank.speakers. The first "said the unicorn",
    # when the unicorn has only just trotted in, went to the Mole (both lines of that split quotation): a
    # creature the story never names is called by its kind, and that is its name.
    named = [*range(0, 16)]
    assert [lines[i].speaker for i in named] == [want[i] for i in named]
    assert lines[11].evidence == "explicit"
    # 17 of 17 right, but the last only by turn-taking (confidence 0.39): an action before an untagged
    # quotation ("Smiling, the dragon spread a wing") is not taken as its speaker, so that line is not pinned.
    assert sum(ln.speaker == w for ln, w in zip(lines, want, strict=True)) >= 16


def test_characters_surname_that_is_also_a_common_word():
    # "Stone" is an ordinary word ("a stone") but after the given name it is his surname.
    text = ('Harvey Stone sat on a stone by the road. He had not eaten for a week.\n\n'
            '"Hello, Harvey," I said.\n\n"Hello," said Harvey. "Lend me a hundred francs?"\n\n'
            'Harvey looked at the stone wall. "I am broke," Harvey said.\n\nHarvey Stone laughed at that.\n')
    names = _cast(text)
    assert "Harvey Stone" in names and "Harvey" in names["Harvey Stone"]


def test_characters_surname_after_a_given_name_the_story_also_writes_in_lower_case():
    # "Quill" is no listed name and the story writes "a quill" once, so only its use as a name in the
    # tags ("said Quill", three times and more) makes it a given name; the ordinary word after it is
    # then his surname, as after "Harvey".
    text = ('A rabbit lived under a stone by the brook. Every stone there was grey.\n\n'
            '"Good morning," said Quill.\n\n"Morning," said Quill again.\n\n'
            'Quill Stone sat on a stone and watched the brook.\n\n'
            'Then Quill Stone yawned. "Fine weather," said Quill. "Fine for a quill and a pen."\n\n'
            'Ada laughed. "You and your stone," said Ada.\n\n'
            '"A stone is a good seat," said Quill.\n\n')
    names = _cast(text)
    assert "Quill Stone" in names and "Quill" in names["Quill Stone"]


def test_characters_mr_surname_is_the_one_man_of_the_family_named_in_full():
    # Three Denhams are named in full, one of them a man: "Mr. Denham" is Ralph, and the cast list
    # still calls him by his full name.
    text = ('Ralph Denham came home late. He found Joan Denham and Molly Denham by the fire.\n\n'
            '"You are late," said Joan. She put down her book.\n\n"The office," said Ralph Denham.\n\n'
            'Molly looked up at him. "Mr. Denham works too hard," she said to Joan.\n\n'
            '"Mr. Denham is tired," Joan agreed. She smiled at her sister.\n\n'
            '"Mr. Denham would like his supper," said Mr. Denham. He sat down.\n\n'
            'Ralph Denham laughed. "So would I," said Molly.\n\nJoan Denham and Molly Denham cleared the table.\n')
    cast = _cast(text)
    assert "Ralph Denham" in cast and "Mr. Denham" in cast["Ralph Denham"]


def test_characters_mr_surname_with_two_men_in_the_family_stays_apart():
    # Two Denham men named in full: "Mr. Denham" could be either, so it joins neither.
    text = ('Ralph Denham came home late. He found Harry Denham by the fire.\n\n'
            '"You are late," said Harry Denham. He put down his book.\n\n"The office," said Ralph Denham.\n\n'
            '"Mr. Denham works too hard," said the maid. She went out.\n\n'
            '"Mr. Denham is tired," Harry said. He smiled.\n\nRalph Denham laughed. "So is Harry."\n\n'
            '"Good night," said Mr. Denham.\n')
    cast = _cast(text)
    assert all("Mr. Denham" not in aliases for aliases in cast.values())


def test_characters_the_countess_is_the_titled_woman_of_that_name():
    # "the Countess Olenska" and "Madame Olenska" are one woman, called by rank and by courtesy title.
    text = ('Madame Olenska came in late. She wore a dark dress.\n\n"Good evening," said Madame Olenska.\n\n'
            'Archer bowed to her. "You are welcome here," he said.\n\n'
            '"You are kind," said the Countess Olenska. She sat down.\n\n'
            'The Countess Olenska looked at the fire. "It is cold tonight."\n\n'
            'Madame Olenska smiled. "But warm in here," she said.\n')
    cast = _cast(text)
    assert "Madame Olenska" in cast and "the Countess Olenska" in cast["Madame Olenska"]


KATE = Character("Katharine", (), "female", 10)
RALPH = Character("Ralph", (), "male", 10)


def test_attribution_the_one_heard_saying_is_the_speaker():
    # The subject only hears: "she heard Katharine say" names Katharine, on either side of the quote.
    cast = [MARA, KATE, RALPH]
    after = _dialogue('Mara sat with Ralph.\n\n"I like rubies," she heard Katharine say.\n', cast)
    assert [(ln.speaker, ln.evidence) for ln in after] == [("Katharine", "explicit")]
    named = _dialogue('Ralph sat down.\n\n"Hello," Mara heard Katharine say.\n', cast)
    assert [ln.speaker for ln in named] == ["Katharine"]
    before = _dialogue('Ralph sat down. Mara heard Katharine say, in a low voice: "Go away."\n', cast)
    assert [ln.speaker for ln in before] == ["Katharine"]


def test_attribution_a_pronoun_heard_saying_is_the_speaker():
    # "he heard her say:" is her line, not his: Ralph, who spoke last and hears, does not answer himself.
    cast = [KATE, RALPH]
    text = ('Ralph and Katharine walked to the gate.\n\n"Is the coach late?" said Ralph.\n\n'
            '"An hour late," said Katharine.\n\n"Then we shall wait," said Ralph.\n\n'
            'Katharine said nothing for a while. Ralph stood by the gate, and at last he heard her say:\n\n'
            '"We shall wait a long while."\n')
    assert [ln.speaker for ln in _dialogue(text, cast)][-1] == "Katharine"


def test_characters_a_vague_noun_with_a_description_is_somebody():
    # "the man" is anyone; "the man with the red scarf", speaking again and again, is one man.
    story, segs = segments_of(_marvel_and_the_man(" with the red scarf"))
    cast = {c.name: c for c in find_characters(story, segs)}
    assert "the man with the red scarf" in cast and cast["the man with the red scarf"].gender == "male"
    assert "the man" not in cast


def test_characters_common_noun_name_also_written_in_lower_case():
    # The story is full of "a rabbit hole" and "rabbits", but '"Gone," Rabbit said' names a speaker.
    text = ('Rabbit lived in a rabbit hole under the hill, with a great many rabbits for relations.\n\n'
            'One morning Owl flew down to the rabbit hole.\n\n'
            '"Good morning," Rabbit said. "Have you come about the carrots?"\n\n'
            '"I have," Owl said. "A rabbit told me they were gone."\n\n'
            '"Gone," Rabbit said. "All the rabbits are looking for them."\n')
    story, segs = segments_of(text)
    chars = find_characters(story, segs)
    assert {c.name for c in chars} == {"Owl", "Rabbit"}
    lines = [ln for ln in attribute(segs, chars) if ln.segment.kind == "dialogue"]
    assert [ln.speaker for ln in lines] == ["Rabbit", "Rabbit", "Owl", "Owl", "Rabbit", "Rabbit"]


def test_characters_with_a_smile_is_how_not_who():
    # "with a smile" tells how the man spoke, not which man he is: no character "the man with a smile".
    text = ('Marvel sat on the bench outside the inn.\n\n"Fine day," said the man with a smile.\n\n'
            '"It is," said Marvel.\n\n"Going far?" said the man with a smile.\n')
    assert not any("smile" in name for name in _cast(text))


def test_characters_epithet_the_narration_ties_to_a_name_is_that_character():
    # "the dragon" keeps following "Spike" in the narration: it is Spike's epithet, not a second dragon.
    text = ('Spike sat on the windowsill. The little dragon was bored.\n\n'
            '"Morning," said the dragon.\n\n"Good morning, Spike," Twilight said.\n\n'
            'Spike stretched, and the dragon yawned until his jaw cracked.\n\n'
            'Twilight laughed. "Breakfast?"\n\nSpike hopped down. The dragon was hungry.\n')
    cast = _cast(text)
    assert "the dragon" not in cast
    assert "the dragon" in cast.get("Spike", ())


def test_characters_a_singular_noun_ending_in_s_is_one_speaker_not_a_group():
    # "said the cyclops" is one creature, as "said the ladies" is several: an -s ending alone does not make
    # a plural ("a cyclops", "a rhinoceros" in the narration say so).
    for noun in ("cyclops", "rhinoceros"):
        text = (f'Tobias crept into the dark cave where a {noun} lived.\n\n'
                f'The {noun} rolled the stone aside and peered in.\n\n"Who is there?" said the {noun}.\n\n'
                f'"A friend," said Tobias.\n\nThe {noun} sniffed the air.\n\n"I smell a liar," said the {noun}.\n')
        cast = set(_cast(text))
        assert f"the {noun}" in cast, (noun, cast)
    # A plural stays a group: the ladies are nobody's name.
    text = ('Tobias sat in the parlour with the ladies.\n\n"How charming," said the ladies.\n\n'
            '"Thank you," said Tobias.\n\n"Quite charming," said the ladies.\n')
    assert "the ladies" not in _cast(text)


def test_characters_with_phrase_identity_or_manner():
    # "the man with the glass eye" / "with the deep voice" picks one man out (identity); "said the man, with
    # a deep voice" and "said the man with a smile" tell how he spoke (manner) and leave plain "the man".
    def cast_of(phrase: str) -> set[str]:
        return set(_cast(_marvel_and_the_man(phrase)))

    assert "the man with the glass eye" in cast_of(" with the glass eye")
    assert "the man with a glass eye" in cast_of(" with a glass eye")
    assert "the man with the deep voice" in cast_of(" with the deep voice")
    for manner in (", with a deep voice", " with a smile", " with a deep voice"):
        assert not any(n.startswith("the man with") for n in cast_of(manner)), manner
