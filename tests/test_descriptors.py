"""Descriptor tags: a noun phrase that names the speaker without a proper name ("said his wife",
"the old man replied", "said the other"). Each rule is checked on our own small scenes."""

from __future__ import annotations

from narrator.characters import find_characters
from narrator.models import Character
from narrator.paragraphs import _paragraphs, _scan_mentions
from narrator.resolver import CastIndex

from .attribution_helpers import segments_of, who

# A family whose five daughters are talked about more than their mother.
VANE = Character("Mr. Vane", (), "male", 30)
DAUGHTERS = [Character(f"{g} Vane", (g, f"Miss {g}"), "female", 60 - k)
             for k, g in enumerate(("Clara", "Dora", "Ella", "Flora", "Gwen"))]
MRS_VANE = Character("Mrs. Vane", (), "female", 20)
VANES = [*DAUGHTERS, VANE, MRS_VANE]


def test_descriptors_his_wife_is_the_mrs_of_his_family_even_among_many_daughters():
    text = ('"Now, Mr. Vane," said his lady to him at supper, "the mill has a new tenant."\n\n'
            'Mr. Vane said nothing.\n\n'
            '"Do you not care to hear who is renting it?" cried his wife.\n\n'
            '"You mean to say it anyway, so go on."')
    got = who(text, VANES)
    assert got[:3] == ["Mrs. Vane"] * 3
    assert got[3] == "Mr. Vane"


def _vocatives(text: str, cast) -> list[list[str]]:
    _, segs = segments_of(text)
    res = CastIndex(cast)
    out = []
    for para in _paragraphs(segs):
        _scan_mentions(para, res)
        out.append(para.vocatives)
    return out


def test_descriptors_an_endearment_leads_into_the_name_it_addresses():
    hugh = Character("Hugh Marten", ("Hugh",), "male", 20)
    got = _vocatives('"My dear Hugh, come in."\n\n"Oh, dearest Hugh! You are wet."\n\n'
                     '"Tell my dear Hugh, when he comes."', [hugh])
    # The last one talks *about* Hugh: "my dear" does not open the speech there.
    assert got == [["Hugh Marten"], ["Hugh Marten"], []]


def _cast(text: str):
    story, segs = segments_of(text)
    return {c.name: c.aliases for c in find_characters(story, segs)}


_CLUB = ('"Good evening, Mr. Orme," said Tobias Hale.\n\n"Evening, Tobias," said Mr. Orme.\n\n'
         '"Is there a table free?" asked Tobias.\n\n"Come in," said the proprietor. "There is always a table."\n\n'
         'Tobias sat down by the window.\n\n"Whew!" exclaimed the proprietor. "It is hot tonight."\n\n'
         '"It is," said Tobias.\n\n"Shall I bring a jug?" asked the proprietor.\n\n')


def test_descriptors_the_narration_setting_a_description_beside_a_name_links_them():
    # "The proprietor, Mr. Orme, ..." / "Mr. Orme, the proprietor, ...": the narration says who the
    # proprietor is, and the tags that call him so mean him.
    for intro in ("The proprietor, Mr. Orme, wiped the bar and looked up.\n\n",
                  "Mr. Orme, the proprietor, wiped the bar and looked up.\n\n"):
        cast = _cast(intro + _CLUB)
        assert "the proprietor" in cast["Mr. Orme"]
        assert "the proprietor" not in cast


def test_descriptors_an_indefinite_description_only_says_what_someone_is_like():
    # "Mr. Orme, a proprietor of sorts": no particular proprietor, so the word is not made his name.
    cast = _cast("Mr. Orme, a proprietor of sorts, wiped the bar.\n\nMr. Orme, a proprietor, looked up.\n\n" + _CLUB)
    assert "the proprietor" not in cast.get("Mr. Orme", ())


# A father the book calls "Mr. Hale" and his son "Robert"; the cast has (wrongly) tied "the old man" to the son.
HALES = [Character("Robert Hale", ("Robert", "the old man"), "male", 40), Character("Mr. Hale", (), "male", 30),
         Character("Nell Ashby", ("Nell",), "female", 50)]
_HALE_SCENE = ('Mr. Hale and Robert Hale came into the parlour where Nell Ashby sat.\n\n'
               '"It is a wet night," said Nell.\n\n'
               '"It will clear by morning," said the old man. "It always does in May."\n\n'
               '"I hope so," said the young man. "I have to ride to town."\n\n')


def test_descriptors_the_old_man_is_not_the_one_called_by_his_given_name():
    got = who(_HALE_SCENE, HALES)
    assert got[1:3] == ["Mr. Hale", "Mr. Hale"]


def test_descriptors_the_old_man_in_a_scene_that_named_no_man_is_still_not_the_son():
    # No man is named near the line, so the pool's age filter has nobody of the tag's age to keep. The
    # cast's (wrong) tie of "the old man" to Robert must not put him in the pool as the epithet's bearer:
    # the pool, filled from the book's main characters instead, then holds his father, whom the age fits.
    cast = [Character("Mr. Hale", (), "male", 60), Character("Robert Hale", ("Robert", "the old man"), "male", 40),
            Character("Nell Ashby", ("Nell",), "female", 50), Character("Ada Lowe", ("Ada",), "female", 45)]
    text = ('Nell Ashby and Ada Lowe sat by the fire in the parlour.\n\n"It is a wet night," said Nell.\n\n'
            '"It is," said Ada.\n\n"It will clear by morning," said the old man from the door.\n\n')
    assert who(text, cast) == ["Nell Ashby", "Ada Lowe", "Mr. Hale"]


def test_descriptors_the_young_man_beside_his_father_is_the_son():
    got = who(_HALE_SCENE, HALES)
    assert got[3:] == ["Robert Hale", "Robert Hale"]


def test_descriptors_a_young_hero_may_be_mister_all_through_his_book():
    from narrator.kinship import age_fits
    from narrator.resolver import CastIndex
    from narrator.speech_tags import SpeechTag

    # Only a son of his own family beside him makes "the young man" someone other than a "Mr.".
    res = CastIndex([Character("Mr. Winter", ("Winter",), "male", 40), Character("Randolph", (), "male", 10)])
    tag = SpeechTag(None, "epithet", "male", "after", age="young")
    assert age_fits("Mr. Winter", tag, res, ["Mr. Winter", "Randolph"])
    res = CastIndex(HALES)
    assert not age_fits("Mr. Hale", tag, res, ["Mr. Hale", "Robert Hale"])


def test_descriptors_her_aunt_is_neither_her_nor_her_mother():
    # Nell's mother is "Mrs. Ashby"; her aunt, Mrs. Garner, married into another name. "Her aunt" is read
    # from the scene: not the girl just spoken to, and not the Mrs. of her own family name.
    cast = [Character("Nell Ashby", ("Nell", "Miss Ashby"), "female", 90), Character("Mrs. Ashby", (), "female", 40),
            Character("Mrs. Garner", (), "female", 12), Character("Hugh Marten", ("Hugh",), "male", 30)]
    text = ('Nell Ashby walked with Mrs. Garner along the river to the mill.\n\n'
            '"Is that the house?" asked Nell.\n\n'
            '"It is," said her aunt. "Your uncle was born there."')
    assert who(text, cast)[1:] == ["Mrs. Garner", "Mrs. Garner"]


def test_descriptors_her_aunt_does_not_fetch_her_mother_from_outside_the_scene():
    # The last woman named is the maid, so "her" has only Nell's family name to go by. An aunt's name is
    # not worked out from that family name: Mrs. Ashby, who is not in the scene, is not brought in as the
    # "aunt" because she is the Mrs. of Nell's name; the aunt walking with Nell speaks.
    cast = [Character("Nell Ashby", ("Nell", "Miss Ashby"), "female", 90), Character("Mrs. Ashby", (), "female", 40),
            Character("Mrs. Garner", (), "female", 12), Character("Jane Pell", ("Jane",), "female", 10),
            Character("Hugh Marten", ("Hugh",), "male", 30)]
    text = ('Nell Ashby walked with Mrs. Garner along the river to the mill, and Jane Pell came behind with the '
            'basket.\n\n"Is that the house?" asked Nell.\n\n"It is," said her aunt. "Your uncle was born there."')
    assert who(text, cast)[1:] == ["Mrs. Garner", "Mrs. Garner"]


def test_descriptors_the_child_is_nobody_called_mister():
    cast = [Character("Mr. Winter", ("Winter",), "male", 60), Character("Randolph", (), "male", 10),
            Character("Daisy Lane", ("Daisy",), "female", 40)]
    text = ('Mr. Winter sat in the garden. Randolph, a small boy of nine, came along the path.\n\n'
            'Mr. Winter looked up from his book.\n\n"May I have one of those plums?" asked the child.')
    assert who(text, cast) == ["Randolph"]


def test_descriptors_her_mother_is_the_mrs_of_the_family_not_a_sister():
    # Turn-taking points at Dora (A-B-A); but "her mother", when the family has its "Mrs.", is not a
    # sister of the same name.
    text = ('Clara Vane and Dora Vane sat by the fire.\n\n'
            '"He will call tomorrow," said Dora.\n\n"Will he?" said Clara.\n\n"I am sure he will," said Dora.\n\n'
            '"Then we must have a cake," said Clara.\n\n"I should like it above all things!" said her mother.')
    assert who(text, VANES)[-1] == "Mrs. Vane"


def test_descriptors_her_father_is_the_one_mister_of_her_family():
    # Hugh and Clara take turns, so the next turn looks like Hugh's; but a girl has one father, and her
    # family has one "Mr.".
    cast = [*VANES, Character("Hugh Marten", ("Hugh",), "male", 45)]
    text = ('Hugh Marten and Clara Vane stood at the window.\n\n'
            '"It will rain," said Hugh.\n\n"It will not," said Clara.\n\n"I am sure it will," said Hugh.\n\n'
            '"Then we shall stay in," said Clara.\n\n"You will do nothing of the kind, Clara," said her father.')
    assert who(text, cast)[-1] == "Mr. Vane"


def test_descriptors_her_cousin_is_not_the_one_she_is():
    # "cousin" says nothing of sex, so the rule that "her" is not the speaker must not wait for another
    # candidate of the tag's (unknown) gender: Nell, the one just spoken to, is not her own cousin.
    cast = [Character("Nell Ashby", ("Nell",), "female", 90), Character("Hugh Marten", ("Hugh",), "male", 30)]
    text = ('Nell Ashby sat by the window, and Hugh Marten read by the fire.\n\n"Is it raining?" asked Nell.\n\n'
            '"Not yet," said her cousin. "But it will."')
    assert who(text, cast)[1:] == ["Hugh Marten", "Hugh Marten"]


# A painter the narration calls "the painter" in every tag, and his friends who call him Niall.
_STUDIO = ('Niall Brennock lived above the bakery. Oswin Tarrant came to see Niall on Sundays.\n\n'
           '"Niall, you have not slept," said Oswin.\n\n"I have been working," said the painter.\n\n'
           '"You work too hard, Niall."\n\n'
           'Oswin looked at the canvas for a long while.\n\n'
           '"Well?" asked the painter.\n\n"It is the best thing you have done, Niall."\n\n'
           'The kettle sang on the stove.\n\n'
           '"Then I shall burn it," said the painter.\n\n"Niall! You would not dare."\n\n'
           'Niall Brennock laughed and Oswin laughed with him.\n\n')


def test_descriptors_the_painter_is_the_one_his_friends_keep_calling_by_name():
    # The lines around every "said the painter" call him Niall: the painter is Niall, not a stranger.
    cast = _cast(_STUDIO)
    assert "the painter" in cast["Niall Brennock"]
    assert "the painter" not in cast
    got = who(_STUDIO, None)
    assert got[1::2] == ["Niall Brennock"] * 3


def test_descriptors_a_description_called_by_two_names_stays_unlinked():
    # The replies call two different men by name: nothing says which of them the painter is.
    text = _STUDIO.replace('"You work too hard, Niall."', '"You work too hard, Piers."').replace(
        '"It is the best thing you have done, Niall."', '"It is the best thing you have done, Piers."').replace(
        'Oswin Tarrant came', 'Oswin Tarrant and Piers Amory came') + 'Piers Amory went home.\n\n'
    cast = _cast(text)
    assert "the painter" not in cast.get("Niall Brennock", ())
    assert "the painter" not in cast.get("Piers Amory", ())


def test_descriptors_a_vague_noun_is_never_linked_by_the_names_around_it():
    # "the young man" is any young man of the book: the names called around it do not make it one of them.
    cast = _cast(_STUDIO.replace("the painter", "the young man"))
    assert "the young man" not in cast.get("Niall Brennock", ())


# A grandfather the narration keeps calling "old Mr. Pell", his grandson Tam, and a widow.
_PELLS = ('Old Mr. Pell sat by the fire. Tam came in with the wood, and Mrs. Orrin followed him.\n\n'
          '"Mr. Pell, the roof leaks again," said Mrs. Orrin.\n\n'
          'Old Mr. Pell did not look up.\n\n'
          '"It leaked in my father\'s day," said the old man.\n\n'
          '"Grandfather, she is right," said Tam.\n\n'
          'Tam put the wood down. Old Mr. Pell sighed.\n\n'
          '"Then mend it, boy," said the old man.\n\n'
          'Mrs. Orrin laughed. Tam went out, and old Mr. Pell shut his eyes.\n\n')


def test_descriptors_the_old_man_is_the_one_the_narration_keeps_calling_old():
    cast = _cast(_PELLS)
    assert "the old man" in cast["Mr. Pell"]


def test_descriptors_the_old_man_needs_the_narration_to_say_old_more_than_once():
    # Called "old Mr. Pell" once only: "the old man" stays whoever is old in the scene.
    text = _PELLS.replace("Old Mr. Pell did not look up.", "He did not look up.").replace(
        "Old Mr. Pell sighed.", "Mr. Pell sighed.")
    cast = _cast(text)
    assert "the old man" not in cast.get("Mr. Pell", ())


def test_descriptors_the_old_lady_is_not_the_old_man():
    # The narration's old one is a man: that says nothing of who "the old lady" is.
    text = _PELLS.replace("said the old man", "said the old lady")
    cast = _cast(text)
    assert "the old lady" not in cast.get("Mr. Pell", ())


# A family abroad, their courier and a friend; the narration never says who the courier is.
_TRAVEL = ('Mrs. Quill and her daughter Ivy sat in the garden of the hotel. Mr. Hobb came to greet them.\n\n'
           '"Is Bruno coming with us?" asked Mr. Hobb.\n\n'
           '"{who}," said Ivy. "He arranges everything."\n\n'
           '"The carriage is ready, madam," the courier announced.\n\n'
           '"Thank you," said Mrs. Quill.\n\n'
           '"Shall I fetch the shawls?" asked the courier.\n\n'
           'Bruno bowed and went in. Mr. Hobb watched Bruno go.\n\n'
           'Later Bruno came back. Bruno was smiling, and Bruno said nothing.\n\n')


def test_descriptors_a_character_saying_who_the_courier_is_links_the_courier():
    # "Bruno's our courier": one of the people in the story says it, and a reader takes it as said.
    for said in ("Bruno's our courier", "Yes, Bruno is the courier",
                 "I gave the bags to Bruno, the courier, this morning"):
        cast = _cast(_TRAVEL.format(who=said))
        assert "the courier" in cast.get("Bruno", ()), said
        assert "the courier" not in cast


def test_descriptors_what_someone_does_is_not_who_the_courier_is():
    # "Bruno is a courier" and "Bruno was the courier's friend" do not make him the courier of these tags.
    for said in ("Bruno is a courier", "Bruno was the courier's friend"):
        cast = _cast(_TRAVEL.format(who=said))
        assert "the courier" not in cast.get("Bruno", ()), said


# Two sisters and their brother; the brother is out of sight when "a voice" answers.
_HOUSE = [Character("Mara Quist", ("Mara",), "female", 40), Character("Jory Quist", ("Jory",), "male", 30),
          Character("Nell Quist", ("Nell",), "female", 20), Character("Voice", ("a voice", "the voice"), "unknown", 0)]


def test_descriptors_the_voice_that_answers_a_call_is_the_one_called():
    text = ('Mara knocked at the kitchen door and waited.\n\n"Jory! Are you there?"\n\n'
            '"Coming," said a voice.\n\nThe door opened and Mara went in.\n\n')
    assert who(text, _HOUSE)[1] == "Jory Quist"


def test_descriptors_the_voice_the_reply_calls_by_name_is_that_one():
    text = ('Mara sat by the fire, alone.\n\n"Good-night, Mara," called a voice from the stairs.\n\n'
            '"Good-night, Nell."\n\nMara put out the lamp.\n\n')
    assert who(text, _HOUSE)[0] == "Nell Quist"


def test_descriptors_a_voice_nobody_calls_by_name_stays_a_voice():
    # Speaking to Jory is not calling out for him: the voice that answers is nobody named.
    text = ('Mara and Jory stood at the gate of the mill.\n\n"This way, please, Jory," said Mara.\n\n'
            '"Who goes there?" said a voice from the dark.\n\nNobody answered it.\n\n')
    assert who(text, _HOUSE)[1] == "Voice"
