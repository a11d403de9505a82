"""Naming the first-person narrator: "My name is ..." in their own line, tags before the speech, a stranger's
"Miss Surname" that is not a relative, and a full name put together from a given name and a titled surname."""

from __future__ import annotations

from narrator.chapters import split_chapters

from .attribution_helpers import lines_of, segments_of, speech
from .test_characters import by_form, chars_of


def narrator(text: str):
    chars = chars_of(text)
    me = by_form(chars, "I")
    assert me is not None
    return me, chars


def test_first_person_narrator_named_by_my_name_is_in_their_own_line():
    # Nobody calls the narrator by name, but one of their own lines gives it: "My name is Nessa".
    text = ('The hall was cold. A clerk sat behind the desk, writing.\n\n'
            '"Name?" the clerk asked without looking up.\n\n'
            '"My name is Nessa, and I have an appointment," said I.\n\n'
            '"Everyone has an appointment," said the clerk.\n\n'
            '"Not with the Warden," I said.\n\n')
    text += ''.join(f'"The {x} is closed," the clerk said.\n\n"Then I will wait," I said.\n\n'
                    for x in ("east door", "north stair", "old gate"))
    me, _ = narrator(text)
    assert me.name == "Nessa"


def test_first_person_supposition_im_name_is_not_a_self_introduction():
    # "if I'm Corra" supposes; "My name is Ysolde" names: a supposition never outvotes a name given.
    text = ('"If I\'m Corra, I shall stay down here," said I.\n\n"You are not Corra," the owl said.\n\n'
            '"My name is Ysolde, then," said I.\n\n"Good," the owl said.\n\n') * 2
    me, _ = narrator(text)
    assert me.name == "Ysolde"


def test_first_person_titled_surname_does_not_merge_the_narrator_into_her_brother():
    # Strangers call the narrator "Miss Karrow"; her brother Tobin Karrow is a character of his own. The
    # known Karrow with another given name is not the narrator (before: one character, named "Miss
    # Karrow", held both).
    block = ('Tobin Karrow came in from the yard. Tobin Karrow was my brother, and Tobin said little.\n\n'
             '"Supper," said Tobin.\n\n"Coming," I said.\n\n'
             '"Good evening, Miss Karrow," said the vicar.\n\n"Good evening," I said.\n\n'
             '"You look tired, Miss Karrow," said the vicar.\n\n"I am," I said.\n\n')
    me, chars = narrator(block * 3)
    tobin = by_form(chars, "Tobin")
    assert tobin is not None and tobin is not me
    assert "I" not in tobin.aliases


def test_first_person_full_name_from_given_name_and_miss_surname():
    # Friends call her "Wren", strangers "Miss Ashby": she is Wren Ashby.
    block = ('"Morning, Wren," said Bram.\n\n"Morning," I said.\n\n"Eat something, Wren," said Bram.\n\n'
             '"Later," I said.\n\n"Your letter, Miss Ashby," said the porter.\n\n"Thank you," I said.\n\n')
    me, _ = narrator(block * 3)
    assert me.name == "Wren Ashby"


def test_first_person_speech_verb_before_the_quote_marks_the_narrators_line():
    # The narrator's lines are tagged before the speech ("I turned to Hollis and said,"): the replies
    # to them call her "Marra", the only name she ever gets.
    block = ('I turned to Hollis and said, "The river is up."\n\n"It is, Marra," said Hollis.\n\n'
             'I shook my head. "We cannot cross today."\n\n"No, Marra, we cannot," said Hollis.\n\n')
    me, chars = narrator(block * 2)
    assert me.name == "Marra"
    assert by_form(chars, "Hollis") is not me


def test_first_person_strangers_mr_surname_and_friends_given_name_make_one_full_name():
    # Few of the narrator's lines are tagged: strangers call him "Mr. Tarrow" often, and the two replies
    # to his tagged lines say "Oskar": he is Oskar Tarrow, not a "Mr. Tarrow" without a given name.
    text = ('"You are late," said Ilse.\n\n"The tram," I said.\n\n"Oskar, sit," said Ilse.\n\n'
            '"Thank you," I said.\n\n"Eat, Oskar," said Ilse.\n\n')
    for thing in ("coat", "hat", "bill", "key", "table"):
        text += f'The porter bowed. "Your {thing}, Mr. Tarrow."\n\nThe porter went out.\n\n'
    text += 'I walked home by the river, and I thought about the letter all the way.\n\n' * 4
    me, _ = narrator(text)
    assert me.name == "Oskar Tarrow"


def test_first_person_hard_wrapped_said_i_is_no_chapter_heading():
    # A hard-wrapped book breaks '"Come in," said I.' after "said": the "I." that opens the next line
    # finishes the sentence and is no bare numeral heading "Chapter I", so the line is the narrator's.
    text = ('Chapter 1\n\nOrrin came to the door, wet through.\n\n"Come in," said\nI.\n\n'
            '"Thank you, Wren," said Orrin.\n\n"Sit by the fire," said\nI.\n\n"Thanks, Wren," said Orrin.\n\n'
            '"Tea?" said I.\n\n"Yes, Wren," said Orrin.\n\n')
    story, _ = segments_of(text)
    assert [c.title for c in split_chapters(story)] == ["Chapter 1"]
    got = speech(lines_of(text))
    assert got[0] == ('"Come in,"', "Wren") and got[2] == ('"Sit by the fire,"', "Wren")


def test_first_person_bare_numeral_after_a_finished_line_is_still_a_heading():
    # The other side: "II." after a paragraph that ended is a chapter heading as before.
    text = 'Chapter I.\n\nOrrin came in.\n\nII.\n\nOrrin went out.\n'
    assert len(split_chapters(segments_of(text)[0])) == 2


# Short scenes: one call-out that the text aims at the narrator ("called after me") names them. Every speaker
# below was checked by hand.

def test_first_person_short_scene_one_call_after_me_names_the_narrator():
    # The scene of the report: before, the narrator was "Narrator" (four call-outs were needed).
    text = '"Ann, wait!" Bram called after me. I turned. "What is it now?" I said.\n'
    assert speech(lines_of(text)) == [('"Ann, wait!"', "Bram"), ('"What is it now?"', "Ann")]


def test_first_person_short_scene_call_to_me_in_its_own_paragraph():
    text = ('"Tamsin, over here!" Hobb shouted to me across the yard.\n\n'
            'I crossed the mud to him. "What is it?" I asked.\n\n'
            '"The mare is lame," he said.\n\n'
            '"Then we walk," I said.\n')
    assert speech(lines_of(text)) == [('"Tamsin, over here!"', "Hobb"), ('"What is it?"', "Tamsin"),
                                      ('"The mare is lame,"', "Hobb"), ('"Then we walk,"', "Tamsin")]


def test_first_person_short_scene_call_before_the_quote():
    # The tag comes first: 'Joss called up to me, "Pell, supper!"'.
    text = ('The kitchen smelled of onions. Joss called up to me, "Pell, supper!"\n\n'
            '"Coming," I said, and put the book away.\n')
    assert speech(lines_of(text)) == [('"Pell, supper!"', "Joss"), ('"Coming,"', "Pell")]


def test_first_person_short_scene_named_when_nobody_else_has_a_name():
    # A story of "Mother" and "me" (Mother is now a character, as the narration writes her): the call-out still
    # names the narrator (before, a story without a named character never named its narrator).
    text = ('The kitchen smelled of onions. Mother called up to me, "Pell, supper!"\n\n'
            '"Coming," I said, and put the book away.\n')
    me, _ = narrator(text)
    assert me.name == "Pell"


def test_first_person_short_scene_name_the_narration_uses_is_someone_else():
    # Bram calls "Ann" after me, but Ann is my sister, named in the narration: a narrator says "I", so the
    # call was not aimed at the narrator's own name, and the narrator stays unnamed.
    text = ('"Ann, wait!" Bram called after me. Ann was my sister, and I had her coat. '
            '"She went home," I said.\n')
    me, _ = narrator(text)
    assert me.name == "Narrator"
    assert speech(lines_of(text)) == [('"Ann, wait!"', "Bram"), ('"She went home,"', "Narrator")]


def test_first_person_short_scene_two_names_called_at_me_name_nobody():
    # Two people call two names after me: which one is mine is not clear, so no name is given.
    text = ('"Ann, wait!" Bram called after me.\n\n"Nell!" Cobb shouted at me from the gate.\n\n'
            '"I am in a hurry," I said.\n')
    me, _ = narrator(text)
    assert me.name == "Narrator"


def test_first_person_short_scene_the_name_called_twice_and_never_narrated_is_the_narrators():
    # Mother calls "Wren" twice, to the one person in the kitchen with her; the narration never says "Wren"
    # (a narrator says "I") and nobody else is called twice. Four call-outs were needed before.
    text = ('Saturdays are the worst. Mother wakes me at five, and by six I am elbow-deep in dough.\n\n'
            '"Faster, Wren," Mother says from the doorway. "The cart comes at seven."\n\n"I know," I say.\n\n'
            'The bell over the door jangles, and old Fenwick shuffles in. "Morning, Maud."\n\n'
            '"Wren, fetch the man his yeast," Mother says.\n\nI fetch it.')
    me, _ = narrator(text)
    assert me.name == "Wren"
