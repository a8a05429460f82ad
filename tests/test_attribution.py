"""Who speaks each quotation: one test (or a few) per pass of the attribution sieve, on small
texts written for these tests."""

from __future__ import annotations

from pipeline.model import CueKind, Script
from pipeline.parsing import parse_text
from pipeline.parsing.attribution.characters import Characters
from pipeline.parsing.attribution.model import Quote
from pipeline.parsing.attribution.names import Lexicon, find_names, parse_name
from pipeline.parsing.attribution.tags import find_tag
from pipeline.parsing.attribution.vocatives import is_echo, kin_called, vocatives


def prose(text: str) -> Script:
    return parse_text(text, "story.txt", format="prose")


def said(script: Script) -> list[tuple[str | None, str]]:
    return [(c.speaker, c.text) for c in script.lines() if c.kind is CueKind.DIALOGUE]


def speakers(script: Script) -> list[str | None]:
    return [speaker for speaker, _ in said(script)]


# --- names ---------------------------------------------------------------------------------------

def names_in(text: str) -> list[str]:
    lexicon = Lexicon.build([(text, True)])
    return [n.text for n in find_names(text, lexicon)]


def test_sentence_starters_are_not_names() -> None:
    text = ("Presently Tony said nothing. Poor old Mrs. Bates sighed. Close to the landing "
            "a boat waited, close and dark. Monday came. Tony waved to Mrs. Bates.")
    assert names_in(text) == ["Tony", "Mrs. Bates", "Tony", "Mrs. Bates"]


def test_interjections_are_never_names() -> None:
    # however often a story writes "Oh!" or "Alas" with a capital inside a sentence
    text = ("Ivy smiled. How lovely! Oh! Oh, and Alas, said Ivy; Oh, Ivy, Oh, no. "
            "Yes, Hush, Tony.")
    assert names_in(text) == ["Ivy", "Ivy", "Ivy", "Tony"]
    script = prose('"Oh! Oh, Tony, look!" cried Ivy.\n\n"Oh, I see," said Tony.\n\n'
                   '"Oh! Is it not fine?"\n\n"Oh, very."\n')
    assert speakers(script) == ["Ivy", "Tony", "Ivy", "Tony"]


def test_places_and_possessives() -> None:
    text = "They walked to Russell Square. It was Anne's hat, and Anne knew it."
    assert names_in(text) == ["Anne", "Anne"]
    lexicon = Lexicon.build([(text, True)])
    possessive = find_names(text, lexicon)[0]
    assert possessive.possessive and possessive.words == ("Anne",)


def test_a_word_written_lowercase_more_often_is_no_name() -> None:
    text = "Rose looked up. The rose was red, the rose was sweet, and a rose fell."
    assert names_in(text) == []


# --- tags ----------------------------------------------------------------------------------------

def tag_of(after: str = "", before: str = "", text: str = "Well,") -> tuple[str, str, str | None]:
    lexicon = Lexicon.build([(before, True), (text, True), (after, False)])
    tag = find_tag(Quote(text=text, line=1, before=before, after=after), lexicon)
    assert tag is not None, (before, after)
    return tag.mention.text, tag.place, tag.verb


def test_tags_of_any_verb_and_order() -> None:
    assert tag_of("said the Cat.")[0] == "the Cat"
    assert tag_of("Lady Catherine then observed.") == ("Lady Catherine", "after", "observed")
    assert tag_of("remarked Freddy, without looking up.")[0] == "Freddy"
    assert tag_of("she had said.")[:2] == ("she", "after")
    assert tag_of("inquired Mrs. Allen of her friend.")[0] == "Mrs. Allen"
    assert tag_of("put in Mrs. Allen.")[0] == "Mrs. Allen"
    assert tag_of("snarled the ex-convict.")[0] == "the ex-convict"
    assert tag_of("was Marilla's comment.")[0] == "Marilla"
    assert tag_of("cut in the clear voice of Inspector Hale.")[0] == "Inspector Hale"


def test_tags_before_the_quote_and_beats() -> None:
    assert tag_of(before="Then, turning to Jane, she said,")[:2] == ("she", "before")
    assert tag_of(before="Presently Tony replied:")[:2] == ("Tony", "before")
    assert tag_of(before="Mara looked at the sea. Elias frowned.")[:2] == ("Elias", "beat-before")
    assert tag_of("Elias frowned.", text="Why?")[:2] == ("Elias", "beat-after")


def test_a_beat_with_a_comma_is_a_tag() -> None:
    # A quote ending in a comma runs on into its tag, whatever the verb.
    assert tag_of("Elias grinned, and went out.", text="Later,")[:2] == ("Elias", "after")


def lead_in(before: str) -> str:
    """The mention a lead-in gives as the speaker, in a story that names its people."""
    lexicon = Lexicon.build([("They met Ivy, Mara and Elias at the house of Mrs. Vane.", True),
                             (before, True)])
    tag = find_tag(Quote(text="Well,", line=1, before=before), lexicon)
    assert tag is not None and tag.place == "before", before
    return tag.mention.text


def test_a_lead_in_names_the_subject_of_its_speaking_verb() -> None:
    # phrases set off by commas between the subject and its verb
    assert lead_in("Ivy, smiling at her brother's tone, calmly replied,") == "Ivy"
    assert lead_in("He was sorry he had come, till Mrs. Vane, looking at the old clock "
                   "that ticked on the shelf, exclaimed:") == "Mrs. Vane"
    # verbs joined by "and" share their clause's subject; "to Mara" is nobody's subject
    assert lead_in("Elias smiled his thanks, and stepping forward to Mara, said,") == "Elias"
    assert lead_in("Mara looked at him as he spoke, and said,") == "Mara"
    # ... unless the verb goes on the clause just before it
    assert lead_in("The lamp flickered as he laid down the letter and said:") == "he"
    assert lead_in("It was late when the porter came in, announcing") == "the porter"
    # "who" is the person just named; a speaking gerund belongs to its owner
    assert lead_in("Mara found her arm seized by Ivy, who in great spirits "
                   "exclaimed,") == "Ivy"
    assert lead_in("The silence was broken by Mrs. Vane's saying, as she rose,") == "Mrs. Vane"
    assert lead_in("Ivy, who had been watching Mara and Elias, now observed,") == "Ivy"


def test_a_lead_in_paragraph_whose_dash_was_lost() -> None:
    script = prose('Mara and Elias walked by the river. Mara stopped.\n\n'
                   'Elias turned to her and said\n\n"You are tired."\n\n'
                   'Mara only shook her head.\n')
    assert said(script) == [("Elias", "You are tired.")]
    assert [c.rule for c in script.lines() if c.kind is CueKind.DIALOGUE] == ["tag-name"]


def test_a_speaking_lead_in_beats_a_verb_after_the_quote() -> None:
    # "Anne felt" after the quote is no tag when Mary "replied" before it
    script = prose('Anne and Mary sat in the parlour. Anne sewed; Mary read.\n\n'
                   'When Anne asked about the walk, Mary replied, "I should like it very '
                   'much;" Anne felt sure she would not.\n')
    assert speakers(script) == ["Mary"]


def test_two_lead_ins_in_one_paragraph_each_tag_their_own_quote() -> None:
    # "Ivy replied," after the first quote leads in the second; it is not the first one's tag
    script = prose('Mara and Ivy sat at breakfast.\n\n'
                   'So, when Mara said with forced cheer, "You want your tea, I dare say," Ivy '
                   'replied, "I want nothing from you."\n')
    assert speakers(script) == ["Mara", "Ivy"]
    # a pronoun after the quote ("she added") is tag-subject-first too, but of the same quote
    # only when it is no lead-in: the named lead-in before the quote says who "she" is
    script = prose('Kate walked ahead with the lamps.\n\n'
                   'Kate was far in front, and Ivy exclaimed, "She looks as if she were '
                   'running away! Very odd," she added quickly.\n')
    assert speakers(script) == ["Ivy"]


def test_a_speech_named_by_its_owner_tags_it() -> None:
    script = prose('Anne sat with Mary and Elizabeth, who quarrelled.\n\n'
                   '"I cannot possibly do without Anne," was Mary\'s reasoning; and Elizabeth\'s '
                   'reproach was, "Then Anne had better stay."\n\n'
                   '"Nobody asked me," was Anne\'s protest.\n')
    assert speakers(script) == ["Mary", "Elizabeth", "Anne"]


def test_a_described_speaker_is_no_adverb() -> None:
    script = prose('The train had gone.\n\n"You had better ask the girl," said the '
                   'station-master carelessly.\n')
    assert speakers(script) == ["Station-master"]


def test_a_described_speaker_keeps_its_own_tag_in_a_named_paragraph() -> None:
    script = prose('The circus was full. Mr. Sleary cracked his whip at the Clown, and the '
                   'Clown only said, "Do it again and I\'ll throw the horse at you!" The crowd '
                   'laughed; and Mr. Sleary said, "Indeed, sir!"\n')
    assert speakers(script) == ["Clown", "Mr. Sleary"]


def test_speech_tags_in_a_story() -> None:
    script = prose('"You are late," said the keeper.\n\n'
                   '"The tide," Mara then observed, "was wrong."\n\n'
                   'Presently Tony said, "It always is."\n\n'
                   '"Is it?" inquired Mara.\n')
    assert said(script) == [("Keeper", "You are late,"), ("Mara", "The tide,"),
                            ("Mara", "was wrong."), ("Tony", "It always is."),
                            ("Mara", "Is it?")]


# --- characters ----------------------------------------------------------------------------------

def people(*names: str) -> Characters:
    return Characters.build(parse_name(n) for n in names)


def test_aliases_become_one_character() -> None:
    cast = people("Sherlock Holmes", "Holmes", "Mr. Holmes", "Elizabeth Bennet", "Elizabeth",
                  "Lizzy", "Mr. Bennet", "Mrs. Bennet", "Bennet")
    holmes = cast.of_name(parse_name("Holmes"))
    assert holmes is cast.of_name(parse_name("Sherlock Holmes")) is cast.of_name(
        parse_name("Mr. Holmes"))
    lizzy = cast.of_name(parse_name("Lizzy"))
    assert lizzy is cast.of_name(parse_name("Elizabeth"))
    # a bare family name among Mr. and Mrs. Bennet (and Elizabeth) means the man
    assert cast.of_name(parse_name("Bennet")) is cast.of_name(parse_name("Mr. Bennet"))
    assert cast.of_name(parse_name("Mrs. Bennet")) is not cast.of_name(parse_name("Mr. Bennet"))
    assert cast.of_name(parse_name("Mrs. Bennet")) is not lizzy


def test_miss_and_mrs_keep_to_their_family_role() -> None:
    cast = people("Jane Fairfield", "Mrs. Fairfield", "Miss Fairfield", "Mr. Fairfield")
    jane = cast.of_name(parse_name("Jane Fairfield"))
    assert cast.of_name(parse_name("Miss Fairfield")) is not jane  # any daughter
    assert cast.of_name(parse_name("Mrs. Fairfield")) is not jane
    alone = people("Mary Morstan", "Miss Morstan")  # the only Morstan: the same person
    assert alone.of_name(parse_name("Miss Morstan")) is alone.of_name(parse_name("Mary Morstan"))


def test_ranks_do_not_merge() -> None:
    cast = people("Sir Walter Elliot", "Sir Walter", "Mr. Elliot", "Miss Elliot", "Lady Elliot")
    sir = cast.of_name(parse_name("Sir Walter"))
    assert sir is cast.of_name(parse_name("Sir Walter Elliot"))
    assert cast.of_name(parse_name("Mr. Elliot")) is not sir
    assert cast.of_name(parse_name("Lady Elliot")) is not cast.of_name(parse_name("Miss Elliot"))


def test_voice_name_prefers_a_fuller_form_to_a_shared_family_name() -> None:
    cast = people("Wickham", "Wickham", "Wickham", "Mr. Wickham", "Mrs. Wickham", "Elizabeth",
                  "Elizabeth")
    assert cast.of_name(parse_name("Wickham")).name == "Mr. Wickham"
    assert cast.of_name(parse_name("Elizabeth")).name == "Elizabeth"
    # nobody else is an Arobin: the way the story names him most often
    alone = people("Arobin", "Arobin", "Arobin", "Mr. Arobin")
    assert alone.of_name(parse_name("Mr. Arobin")).name == "Arobin"
    # a first name another person shares (Sir John) gives way to the fuller form
    johns = people(*["John"] * 6, *["John Dashwood"] * 4, "Sir John Middleton")
    assert johns.of_name(parse_name("John")).name == "John Dashwood"


def test_gender_from_titles_first_names_and_pronouns() -> None:
    script = prose("Mr. Crane lit the lamp. Margaret watched. Quill came in; she was wet "
                   "through.\n\n"
                   '"Cold?" asked Mr. Crane.\n\n"Very," said Quill.\n\n"Tea," said Margaret.\n')
    info = {c.name: c for c in script.characters}
    assert info["Mr. Crane"].gender == "male"
    assert info["Quill"].gender == "female"
    assert any("pronoun" in e for e in info["Quill"].gender_evidence)
    assert info["Margaret"].gender == "female"
    assert any("first name" in e for e in info["Margaret"].gender_evidence)


# --- pronouns, vocatives and turn-taking ---------------------------------------------------------

def test_a_name_written_like_a_place_never_speaks() -> None:
    # "at Harwood", "from Harwood", "in Harwood": a place, though a "she" follows its name
    story = ('Ivy stayed at Harwood all May. Harwood was cold; she hated it.\n\n'
             'Tony came from Harwood. In Harwood the rain never stopped.\n\n'
             'Harwood was grey. She wrote to Tony.\n\n'
             '"Come home," she said.\n\n"Soon," said Tony.\n\n"When?"\n')
    assert speakers(prose(story)) == ["Ivy", "Tony", "Ivy"]


def test_her_ladyship_and_his_lady_are_people_of_the_story() -> None:
    story = ('Lady Vane sat in state. Mr. Hale and Mrs. Hale came in.\n\n'
             '"You are late," said her ladyship.\n\n"The roads," said Mr. Hale.\n\n'
             '"Mud everywhere," said his lady.\n')
    assert speakers(prose(story)) == ["Lady Vane", "Mr. Hale", "Mrs. Hale"]


def test_adjectives_before_a_name_in_a_tag() -> None:
    story = ('Ivy and Tony sat by the fire.\n\n'
             '"Handsome is as handsome does," said astonished Tony. "So they say," '
             'remarked skeptical Ivy.\n\n"Tea?" cried poor Mrs. Vane.\n')
    assert speakers(prose(story)) == ["Tony", "Ivy", "Mrs. Vane"]


def test_a_lead_in_whose_dash_was_lost_still_tags_the_speech() -> None:
    # archive texts often lose the dash: the lead-in paragraph ends with no stop at all
    # (the scene alone would give the speech to Ivy, whom the narration is about)
    story = ('Ivy sat by the fire. Ivy was cross, and Ivy knew it. Tony came in.\n\n'
             'Tony rose from his chair and said in a small and quiet voice\n\n'
             '"I will stand."\n\n"Then stand," said Ivy.\n')
    assert speakers(prose(story)) == ["Tony", "Ivy"]


def test_reported_speech_is_no_tag() -> None:
    # "Ivy replied that it was": Ivy's turn told in the narration, not the quote's tag
    story = ('"Come here, child," cried Mr. Vane. "Is it true?" Ivy replied that it was. '
             '"Very well."\n\n"I am sorry, Sir."\n')
    assert speakers(prose(story)) == ["Mr. Vane", "Mr. Vane", "Mr. Vane", "Ivy"]


def test_a_speech_named_by_its_owner_with_the_apostrophe_lost() -> None:
    # archive texts often lose apostrophes: "was Mr. Vane s reply"
    story = ('Mr. Vane came in.\n\n"Tea?" asked Ivy.\n\n"Gladly," said Tony.\n\n'
             '"We shall do better another evening," was Mr. Vane s consolation.\n')
    assert speakers(prose(story))[-1] == "Mr. Vane"


def test_a_bare_title_in_a_tag_is_the_one_who_bears_it() -> None:
    # turn-taking alone would give the third speech back to Edna
    story = ('Mademoiselle Reisz played. Edna listened. Robert dozed.\n\n'
             '"Bravo," said Edna.\n\n"Hush," said Robert.\n\n'
             '"So you came at last," said Mademoiselle.\n')
    assert speakers(prose(story)) == ["Edna", "Robert", "Mademoiselle Reisz"]


def test_pronoun_tags_follow_the_pair_talking() -> None:
    script = prose('Mara sat by the stove. Elias came in from the rain.\n\n'
                   '"You\'re soaked," she said.\n\n"It\'s nothing," he said.\n\n'
                   '"Sit down."\n\n"I will," he said, "in a minute."\n')
    assert speakers(script) == ["Mara", "Elias", "Mara", "Elias", "Elias"]


def test_two_of_one_gender_take_turns() -> None:
    script = prose('"Have you seen Elias?" asked Mara.\n\n"Not since noon," said Ivy.\n\n'
                   '"Where did he go?" she asked.\n\n"To the boats," she said.\n')
    assert speakers(script) == ["Mara", "Ivy", "Mara", "Ivy"]


def test_a_vocative_is_said_to_someone_else() -> None:
    # "Thank you, Thomas" is said *to* Thomas: Thomas answers, and never says it himself.
    script = prose('Mara and Thomas stood on the quay. Elias stood by them.\n\n'
                   '"The boat is in," said Elias.\n\n"Thank you, Thomas."\n\n'
                   '"It was nothing."\n')
    lines = said(script)
    assert lines[1][0] != "Thomas"
    assert lines[2][0] == "Thomas"


def test_a_speech_calling_someone_is_said_by_the_one_who_talked_with_them() -> None:
    # the conversation was broken by narration about Ivy; "I tell you, Mary" is Tony's
    story = ('"Shall we walk?" asked Mary.\n\n"If you like," said Tony.\n\n'
             'They crossed the field. The gate was shut.\n\n'
             'Ivy watched them from the window. Ivy frowned and went back to her book.\n\n'
             '"I tell you, Mary, it is utter destruction."\n')
    assert speakers(prose(story))[-1] == "Tony"


def test_turn_taking_starts_from_a_speaker_and_the_addressee() -> None:
    script = prose('"Tea, Elias?" asked Mara.\n\n"Please."\n\n"Milk?"\n\n"A drop."\n')
    assert speakers(script) == ["Mara", "Elias", "Mara", "Elias"]


def test_the_other_is_whoever_did_not_speak_last() -> None:
    script = prose('"Ready?" asked Mara.\n\n"Almost," said Elias.\n\n'
                   '"Then hurry," returned the other.\n')
    assert speakers(script)[-1] == "Mara"


def test_her_mother_is_not_the_girl_herself() -> None:
    script = prose('Mrs. Vane knitted by the fire. Ivy came in.\n\n'
                   '"I walked to the mill," said Ivy.\n\n'
                   '"Alone?" cried her mother.\n')
    assert speakers(script) == ["Ivy", "Mrs. Vane"]


def test_her_mother_shares_her_family_name() -> None:
    # Kate is the woman the scene talks about; "her mother" is still Ivy Vane's: Mrs. Vane
    script = prose('Mr. Vane read; Mrs. Vane knitted. Ivy Vane came in with Kate Moss. Kate '
                   'sat down; Kate smiled at the fire.\n\n'
                   '"I walked to the mill," said Ivy.\n\n"Alone?" cried her mother.\n\n'
                   '"With Kate," said Ivy.\n\n"Foolish girl," said her father.\n')
    assert speakers(script) == ["Ivy", "Mrs. Vane", "Ivy", "Mr. Vane"]


def test_a_sentence_that_starts_someone_speaking_tags_the_speech_after_it() -> None:
    # the turn would go back to Mara; the narration says Elias starts again
    script = prose('"Will you come?" asked Elias.\n\n"No," said Mara.\n\n"Nor I," said Ivy.\n\n'
                   'The fire cracked. Elias began again about the mill.\n\n'
                   '"It burned before, you know."\n')
    assert speakers(script) == ["Elias", "Mara", "Ivy", "Elias"]


def test_someone_listening_is_not_the_one_speaking() -> None:
    script = prose('"Will you come?" asked Elias.\n\n"No," said Mara.\n\n'
                   '"It burned before, you know. It will burn again." Mara listened.\n')
    assert speakers(script) == ["Elias", "Mara", "Elias"]


def test_he_is_not_the_man_his_own_sentence_goes_up_to() -> None:
    script = prose('"Another," said Joe.\n\nIt was late when Tom came in. He came up to Joe and '
                   'sat down beside him. "You look glum," he said.\n')
    assert speakers(script) == ["Joe", "Tom"]


def test_she_is_not_someone_her_own_speech_talks_about() -> None:
    script = prose('"Come in," said Marilla.\n\nMarilla came in from the yard. Anne sat by the '
                   'fire and she did not look up.\n\n"I was thinking about Anne," she said.\n\n'
                   '"My name is Anne," she said.\n')
    assert speakers(script) == ["Marilla", "Marilla", "Anne"]


def test_a_parent_called_mother_answers() -> None:
    script = prose('Mrs. Vane sat by the window and she sewed.\n\n'
                   '"I am going out," said Sibyl Vane.\n\n'
                   '"Mother, are my things ready?" asked Jim Vane.\n\n"Quite ready, dear."\n')
    assert speakers(script) == ["Sibyl Vane", "Jim Vane", "Mrs. Vane"]


def test_someone_called_who_is_not_in_the_scene_does_not_answer() -> None:
    # (a point-of-view heading starts a new scene)
    script = prose('Frank walked to the mill. Frank sat down and he slept.\n\n'
                   'Mara:\n\n"Where is he?" asked Mara.\n\n"Gone," said Elias.\n\n'
                   '"Oh, Frank, Frank! Why did you go?"\n\n"He will come back."\n')
    assert speakers(script) == ["Mara", "Elias", "Mara", "Elias"]


def test_a_speech_left_open_continues_with_its_speaker() -> None:
    script = prose('"Listen," said Elias. "It began at the mill.\n\n"Then it spread."\n\n'
                   '"And then?" asked Mara.\n')
    assert speakers(script) == ["Elias", "Elias", "Elias", "Mara"]


def test_vocatives_found_in_a_quote() -> None:
    lexicon = Lexicon.build([("Thomas walked in. Mara saw Thomas.", True)])
    found = vocatives("Thank you, Thomas. Mara told me. Thomas, come here.", lexicon)
    assert [n.text for n in found] == ["Thomas", "Thomas"]
    assert vocatives("Mara told me so.", lexicon) == []


def test_names_in_a_list_or_repeated_back_are_not_addressed() -> None:
    lexicon = Lexicon.build([("Thomas walked in. Mara saw Thomas and Elias. Ivy sat.", True)])
    listed = "We read of Thomas, Elias, or Ivy the Great. But, Mara, Thomas will come."
    assert [n.text for n in vocatives(listed, lexicon)] == ["Mara"]
    echoed = vocatives("Thomas? I never thought of him.", lexicon)[0]
    assert is_echo(echoed, "Thomas? I never thought of him.", "Have you seen Thomas?")
    assert not is_echo(echoed, "Thomas? I never thought of him.", "Have you seen the boat?")


def test_a_name_answering_a_question_or_pitied_is_not_addressed() -> None:
    lexicon = Lexicon.build([("Thomas walked in. Mara saw Thomas and Elias. Ivy sat.", True)])
    answered = "Who went out with Ivy? Elias. And who stayed? Thomas, of course."
    assert [n.text for n in vocatives(answered, lexicon)] == ["Thomas"]
    assert vocatives("Poor Thomas! He never knew.", lexicon) == []
    assert kin_called("Yes, papa. Mother, come here! My mother is out.") == ["papa", "mother"]
    assert [n.text for n in vocatives("Oh, Thomas! You came.", lexicon)] == ["Thomas"]


def test_a_place_is_never_the_one_addressed() -> None:
    # "Oh, Harwood!" is no one to answer: the turn goes back to the other speaker
    story = ('Ivy lived at Harwood. Tony came from Harwood. In Harwood it rained.\n\n'
             '"Where were you?" asked Tony.\n\n"Oh, Harwood!" said Ivy.\n\n'
             '"Again?"\n\n"Always."\n')
    assert speakers(prose(story)) == ["Tony", "Ivy", "Tony", "Ivy"]


# --- first person, described speakers ------------------------------------------------------------

def test_first_person_narrator_is_a_character_named_by_the_others() -> None:
    script = prose('I found Holmes in his rooms. I sat down opposite him.\n\n'
                   '"You look tired, Watson," said Holmes.\n\n'
                   '"I am," I said. "The night was long."\n\n'
                   '"Then rest, Watson."\n\n"I cannot."\n')
    assert speakers(script) == ["Holmes", "Watson", "Watson", "Holmes", "Watson"]
    narrator = next(c for c in script.characters if c.narrator)
    assert narrator.name == "Watson"


def test_an_unnamed_old_man_joins_the_character_later_named() -> None:
    script = prose('A man sat at the end of the pier.\n\n'
                   '"You\'re late," said the old man.\n\n'
                   '"The tide was wrong," Mara said. "Thank you for waiting, Thomas."\n\n'
                   '"I always wait," the old man said.\n')
    assert speakers(script) == ["Thomas", "Mara", "Mara", "Thomas"]
    thomas = next(c for c in script.characters if c.name == "Thomas")
    assert "Old Man" in thomas.aliases and thomas.gender == "male"


# --- rules and confidence ------------------------------------------------------------------------

def test_every_dialogue_cue_carries_its_rule_and_confidence() -> None:
    script = prose('"Tea?" Mara asked.\n\n"Please," said Elias.\n\n"Milk?"\n\n'
                   '"A drop," he said.\n')
    cues = [c for c in script.lines() if c.kind is CueKind.DIALOGUE]
    assert [c.rule for c in cues] == ["tag-name", "tag-name", "turn-taking", "tag-pronoun"]
    assert all(0 < c.confidence <= 1 for c in cues)
    assert cues[0].confidence > cues[2].confidence
    narration = [c for c in script.lines() if c.kind is CueKind.NARRATION]
    assert all(c.rule is None and c.confidence is None for c in narration)


def test_a_tag_between_two_quotes_belongs_to_the_first() -> None:
    script = prose('Ivy sat with Mara by the window.\n\n'
                   '"I like it," said Ivy, as if Mara had asked her, "very much."\n')
    assert speakers(script) == ["Ivy", "Ivy"]


def test_this_lady_is_the_one_just_named() -> None:
    script = prose('Mrs. Vane came in. Ivy was by the window with Elias.\n\n'
                   '"Good evening," said Elias.\n\n'
                   'Ivy turned. "Are you cold?" this young lady asked.\n')
    assert speakers(script) == ["Elias", "Ivy"]


def test_kinship_words_addressed_are_no_characters() -> None:
    script = prose('"Papa, look!" cried Ivy.\n\n"I see, my dear," said Mr. Vane.\n')
    names = {c.name for c in script.characters}
    assert names == {"Ivy", "Mr. Vane"}
