"""Mentions of people in narration: names ("Mrs. Bennet"), pronouns ("she") and descriptions
("the old man", "her mother", "the other"). ``mention_at`` reads the one at a given place (a
speech tag's subject); ``subject_mentions`` finds the people that sentences are about."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.parsing.attribution.names import Lexicon, Name, find_names, name_at
from pipeline.parsing.attribution.words import (
    FUNCTION_WORDS,
    OTHER_WORDS,
    PERSON_NOUNS,
    RELATION_NOUNS,
)

_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'\u2019\-]*")
_PERSONAL = {"he": "he", "she": "she", "i": "i", "they": "they", "we": "we"}
_DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "my", "our", "your", "this",
                          "that", "its", "one"})
_TITLE_NOUNS = frozenset({"ladyship", "lordship", "honour", "honor", "majesty", "highness",
                          "excellency", "grace", "reverence"})
MAX_ADJECTIVES = 3
_NOBODY_IN_PARTICULAR = frozenset({"someone", "somebody", "anyone", "anybody", "everyone",
                                   "everybody", "nobody", "all"})


@dataclass(frozen=True)
class Mention:
    """Someone mentioned at ``start``..``end``.

    kind: "name" (``name`` set), "pronoun" (``pronoun``: he/she/i/they/we), "unknown"
    (someone, everybody) or "description"
    (``noun``: its head noun; ``owner``: "his"/"her"/a name for "her mother", "Tom's sister";
    ``words``: the whole phrase without the determiner, "old man").
    """

    kind: str
    start: int
    end: int
    text: str
    name: Name | None = None
    pronoun: str | None = None
    noun: str | None = None
    owner: str | None = None
    words: str = ""
    determiner: str = ""
    subject: bool = False  # a name that acts: followed by a verb, after no preposition


# the noun is no "-ly" adverb: "said the station-master carelessly" is the station-master
_LOOSE = re.compile(r"(?P<det>the|a|an|this|that)\s+(?P<words>(?:[a-z][a-z\-]*\s+){0,2}"
                    r"(?P<noun>(?![a-z\-]+ly\b)[A-Za-z][a-z\-]*))(?=\s*(?:[,.;:!?\u2014]|$|"
                    r"\s+(?:to|with|in|as|and|from|at|who|after|[a-z]+ly)\b))")


def loose_description(text: str, pos: int) -> Mention | None:
    """Any "the + noun" phrase standing where a speech tag puts its speaker (``"...,"
    snarled the ex-convict.``): there it can only be a person."""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    match = _LOOSE.match(text, pos)
    if not match or match.group("noun").lower() in FUNCTION_WORDS:
        return None
    return Mention("description", pos, match.end(), match.group(), noun=match.group("noun"),
                   words=match.group("words"), determiner=match.group("det"))


def mention_at(text: str, pos: int, lexicon: Lexicon) -> Mention | None:
    """The mention starting at ``pos`` (after spaces): a pronoun, a name or a description."""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    word = _WORD.match(text, pos)
    if not word:
        return None
    lowered = word.group().lower()
    if lowered in _NOBODY_IN_PARTICULAR:
        return Mention("unknown", pos, word.end(), word.group())
    if lowered in _PERSONAL and (lowered != "i" or word.group() == "I"):
        return Mention("pronoun", pos, word.end(), word.group(), pronoun=_PERSONAL[lowered])
    if lowered in _DETERMINERS:
        return _description(text, pos, word, lexicon)
    name = name_at(text, pos, lexicon)
    if name is None:
        return None
    if name.possessive:  # "Tom's sister said": the sister, owned by Tom
        described = _description_after(text, name.end, name.text, lexicon, pos)
        return described
    return Mention("name", name.start, name.end, name.text, name=name)


def _description(text: str, pos: int, determiner: re.Match[str],
                 lexicon: Lexicon) -> Mention | None:
    lowered = determiner.group().lower()
    owner = lowered if lowered in ("his", "her", "their", "my", "our", "your") else None
    if lowered == "the" and (named := adjective_name(text, determiner.end(), lexicon)):
        return named
    return _description_after(text, determiner.end(), owner, lexicon, pos, lowered)


_ADJECTIVES_THEN_NAME = re.compile(r"\s+(?:[a-z][a-z\-]*\s+){1,2}(?=[A-Z])")


_EPITHET_WORDS = frozenset({"little", "old", "young", "poor", "good", "dear", "great"})


def adjective_name(text: str, after: int, lexicon: Lexicon) -> Mention | None:
    """"the obstinate Bounderby", "the unhappy Mrs. Smith", and in a tag "said astonished
    Marilla", "cried poor Mrs. Bennet": a name with one or two epithets before it."""
    match = _ADJECTIVES_THEN_NAME.match(text, after)
    if not match or any(w in FUNCTION_WORDS - _EPITHET_WORDS for w in match.group().split()):
        return None
    name = name_at(text, match.end(), lexicon)
    if name is None or name.possessive:
        return None
    return Mention("name", name.start, name.end, name.text, name=name)


def _description_after(text: str, after: int, owner: str | None, lexicon: Lexicon,
                       start: int, determiner: str = "") -> Mention | None:
    """The person noun phrase after a determiner or a possessive name: up to three adjectives
    and a person noun ("old man", "other", "mother"), or a capitalised title ("Professor")."""
    words: list[re.Match[str]] = []
    pos = after
    for _ in range(MAX_ADJECTIVES + 1):
        while pos < len(text) and text[pos] in " \t\n":
            pos += 1
        match = _WORD.match(text, pos)
        if not match:
            break
        words.append(match)
        noun = match.group().lower()
        if noun.endswith(("'s", "\u2019s")) and len(words) <= MAX_ADJECTIVES:
            owner = match.group()[:-2]  # "the man's wife": someone else's wife
            pos = match.end()
            continue
        if _is_person_noun(noun, match.group(), determiner, lexicon):
            phrase = " ".join(m.group() for m in words)
            if len(words) > 1 and any(w.group().lower() in FUNCTION_WORDS - OTHER_WORDS
                                      - {"little", "old", "young", "poor", "good", "dear",
                                         "great"} for w in words[:-1]):
                return None
            return Mention("description", start, match.end(), text[start:match.end()],
                           noun=noun, owner=owner, words=phrase, determiner=determiner)
        if noun in FUNCTION_WORDS and noun not in ("little", "old", "young", "poor", "good",
                                                   "dear", "great"):
            break
        if not match.group()[:1].islower():
            break
        pos = match.end()
    return None


def _is_person_noun(noun: str, written: str, determiner: str, lexicon: Lexicon) -> bool:
    if noun in PERSON_NOUNS or noun in _TITLE_NOUNS or noun in RELATION_NOUNS:
        return True
    if noun in OTHER_WORDS and determiner == "the":
        return True
    # "the Professor", "the Secretary": a capitalised noun the story uses as a name
    return determiner == "the" and written[:1].isupper() and not written.isupper() \
        and noun not in FUNCTION_WORDS and lexicon.mid_caps[written] >= 2


def find_mentions(text: str, lexicon: Lexicon) -> list[Mention]:
    """Every name and personal pronoun (he, she, I) in ``text``, in order. A name is marked
    ``subject`` when it acts ("Anne laughed"): places ("at Carmody") and things do not."""
    out = [Mention("name", n.start, n.end, n.text, name=n, subject=_acts(text, n.start, n.end))
           for n in find_names(text, lexicon) if not n.possessive]
    for match in re.finditer(r"\b(?:he|she|He|She|I)\b", text):
        out.append(Mention("pronoun", match.start(), match.end(), match.group(),
                           pronoun=match.group().lower()))
    out.sort(key=lambda m: m.start)
    return out


_PREPOSITION_BEFORE = re.compile(
    r"\b(?:at|in|into|to|from|of|near|towards|toward|for|on|upon|by|with|about|through|"
    r"across|beyond|round|around|the|a|an)\s+$", re.IGNORECASE)


def _acts(text: str, start: int, end: int) -> bool:
    if _PREPOSITION_BEFORE.search(text, max(0, start - 12), start):
        return False
    return verb_after(text, end) is not None


_VERB_AFTER = re.compile(
    r"\s*(?:,[^,.;!?\"\u201c\u201d]{1,60},\s*)?"  # "Elizabeth, smiling, replied"
    r"(?:(?:[a-z]+ly|then|now|again|still|at\s+once|at\s+last|at\s+length|instantly|also|"
    r"only|just|soon|presently|had|has|was|would|could|did|should|might|must|will|shall)\s+){0,3}"
    r"(?P<verb>[a-z][a-z'\u2019\-]*)")


def verb_after(text: str, end: int) -> re.Match[str] | None:
    """The verb right after a subject ending at ``end`` ("Elizabeth then observed" ->
    observed), skipping adverbs, auxiliaries and a comma-set clause."""
    match = _VERB_AFTER.match(text, end)
    if not match or match.group("verb") in FUNCTION_WORDS - {"had", "was", "did"}:
        return None
    return match
