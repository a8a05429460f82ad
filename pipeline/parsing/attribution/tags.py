"""Speech tags: the words next to a quote that say who speaks it.

Any verb makes a tag, not a fixed list: after the quote ``said the Cat``, ``remarked Freddy``,
``Lady Catherine then observed``, ``she had said``, ``put in Mrs. Allen``; before it ``Mary
said,`` or ``Then, turning to him, she said:``. A subject followed by a verb after a quote that
ends a sentence (``"Why?" Mary frowned.``) is an action beat: weaker, but the paragraph's
speaker all the same. The narration before a quote that ends a sentence gives a beat too (``Mary
looked up. "Why?"``). The subject may be a name, a pronoun or a description (``the old man``,
``her mother``); the passes after this one decide who it is.
"""

from __future__ import annotations

import re

from pipeline.parsing.attribution.intro import intro_subject, is_speaking
from pipeline.parsing.attribution.mentions import (
    Mention,
    adjective_name,
    loose_description,
    mention_at,
    verb_after,
)
from pipeline.parsing.attribution.model import Quote, Tag
from pipeline.parsing.attribution.names import Lexicon, name_at
from pipeline.parsing.attribution.words import (
    FUNCTION_WORDS,
    IRREGULAR_PAST,
    LISTENING_VERBS,
    SPEECH_VERBS,
    TITLES,
)

_LEAD_CHARS = " \t\n,;:\u2014\u2013-"
_LEAD = re.compile(r"[\s,;:\u2014\u2013\-]*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019\-]*")
_PARTICLES = frozenset({"on", "out", "in", "forth", "up", "back", "off"})
# what someone's speech is called: "was her answer", "was Mary's reasoning", "Mary's reply was,"
_SPEECH_NOUNS = ("reply|answer|response|rejoinder|retort|remark|exclamation|comment|question|"
                 "greeting|words|cry|observation|language|declaration|advice|verdict|thought|"
                 "reasoning|reproach|entreaty|inquiry|enquiry|explanation|suggestion|protest|"
                 "objection|apology|assurance|salutation|speech|ejaculation|saying|request|"
                 "exhortation|admonition|counsel|comfort|consolation|argument|plea|boast|"
                 "complaint|lament|instruction|order|command|summons|answer|reflection")
# ("Mr. Allen s reply": the apostrophe lost, as archive texts often have it)
_ANSWER = re.compile(r"(?:was|were|came)\s+(?:the\s+)?(?P<who>(?:his|her|my|[A-Z][\w.'\u2019 ]"
                     r"{0,30}?(?:['\u2019]s?|(?<=\w) s)))\s+(?:\w+\s+)?(?:" + _SPEECH_NOUNS
                     + r")\b")
_SAYING = re.compile(r"(?P<who>[A-Z][\w.'\u2019 ]{0,30}?)(?:['\u2019]| )s\s+(?:\w+\s+)?(?:"
                     + _SPEECH_NOUNS + r")(?:\s+(?:was|were))?\s*[,:\u2014\-]*$")
# "cut in the clear voice of Inspector Ratcliffe"
_VOICE_OF = re.compile(r"(?:the|a)\s+(?:[a-z]+\s+){0,2}voice\s+of\s+")
_CLAUSE_END = re.compile(r"[.!?;](?:[\"'\u201d\u2019)]*)\s")
_ABBREVIATED = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Mme|Mlle|Messrs|Capt|Col|Gen|Lt|Rev|[A-Z])\.$")
_TO = re.compile(r"\s+(?:\w+ly\s+)?to\s+")
_INTRO_END = ",:\u2014\u2013-"
# reported speech: "replied that it was", "asked whether he would"
_REPORTED = re.compile(r"\s+(?:[a-z]+ly\s+)?(?:that|whether|if)\b")
TAIL_CHARS = 240  # how much narration before a quote can hold its tag


def find_tag(quote: Quote, lexicon: Lexicon) -> Tag | None:
    """The best tag for ``quote``: a real tag after it, else one before it, else a beat."""
    after = tag_after(quote.after, quote, lexicon) if quote.closed and quote.after else None
    before = tag_before(quote.before, lexicon) if quote.before else None
    between_is_earlier_tag = bool(before) and quote.between and not _CLAUSE_END.search(
        quote.before.rstrip()) and _tags_the_quote_before(quote.before, lexicon, before)
    if after and not between_is_earlier_tag:
        if _leads_in_both_ways(quote, before, after):
            return before  # 'Ann said, "Hi," Ben replied, "Bye."': Ben's leads in the next
        if _names_whom_the_pronoun_means(before, after):
            return before  # 'Ann cried, "Look!" she added': one speaker, the lead-in names her
    if after and not after.is_beat and not (
            before and not before.is_beat and is_speaking(before.verb or "")
            and not is_speaking(after.verb or "")):
        return after  # (not "Mary replied, "...;" Anne felt persuaded": Mary's)
    if between_is_earlier_tag:
        before = None  # "X," said Ivy, as if Mara knew, "Y.": the tag of X, not Mara
    if before and not before.is_beat:
        return before
    return after or before


def _leads_in_both_ways(quote: Quote, before: Tag | None, after: Tag) -> bool:
    """A speaking lead-in right before the quote, and the narration after it ends as a lead-in
    of the next quote with its subject first: each lead-in is its own quote's tag."""
    if before is None or before.is_beat or not is_speaking(before.verb or ""):
        return False
    text = quote.after
    first_word = len(text) - len(text.lstrip(_LEAD_CHARS))
    return text.rstrip()[-1:] in _INTRO_END and after.mention.start == first_word \
        and text[first_word:first_word + 1].isupper() and is_speaking(after.verb or "")


def _names_whom_the_pronoun_means(before: Tag | None, after: Tag) -> bool:
    return before is not None and not before.is_beat and before.mention.kind == "name" \
        and is_speaking(before.verb or "") and not after.is_beat \
        and after.mention.kind == "pronoun" and after.mention.pronoun in ("he", "she")


def _tags_the_quote_before(text: str, lexicon: Lexicon, before: Tag) -> bool:
    """The narration between two quotes is the first one's tag: it opens with a tag of
    speaking (``said Ivy, as if...``), or only ends in a verb that is no speaking."""
    opening = tag_after(text, Quote(text=",", line=0), lexicon)
    if opening is not None and not opening.is_beat and is_speaking(opening.verb or ""):
        return opening.mention.start != before.mention.start
    return not is_speaking(before.verb or "")


def tag_after(text: str, quote: Quote, lexicon: Lexicon) -> Tag | None:
    """``"...," said Mary`` / ``"...," Mary said`` / ``"...?" Mary frowned`` (a beat)."""
    pos = _LEAD.match(text).end()
    if answer := _ANSWER.match(text, pos):
        who = answer.group("who").strip()
        mention = _owner_mention(text, answer.start("who"), who, lexicon)
        if mention:
            return Tag(mention, "after", "answered")
    if inverted := _inverted(text, pos, lexicon):
        return inverted
    mention = mention_at(text, pos, lexicon) or bare_title(text, pos)
    if mention is None:
        return None
    verb = verb_after(text, mention.end)
    if verb is None:
        return None
    word = verb.group("verb")
    if _REPORTED.match(text, verb.end()) and is_speaking(word):
        return None  # "Elizabeth replied that it was.": her own turn, told, not this quote's
    place = "after" if word in SPEECH_VERBS or not quote.ends_sentence else "beat-after"
    if place == "beat-after" and word in LISTENING_VERBS:
        return None
    return Tag(mention, place, word, _addressee(text, verb.end(), lexicon))


def _inverted(text: str, pos: int, lexicon: Lexicon) -> Tag | None:
    """``said Mary``, ``cried the old man``, ``went on she``, ``put in Mrs. Allen``, ``cut in
    the clear voice of Inspector Hale``."""
    verb = _WORD.match(text, pos)
    if not verb or not _verb_like(verb.group()):
        return None
    starts = [verb.end()]
    particle = _WORD.match(text, verb.end() + 1) if text[verb.end():verb.end() + 1] == " " \
        else None
    if particle and particle.group() in _PARTICLES:
        starts.append(particle.end())
    for start in starts:
        voice = _VOICE_OF.match(text, start + 1)
        if voice and (owner := mention_at(text, voice.end(), lexicon)) \
                and owner.kind in ("name", "pronoun"):
            return Tag(owner, "after", verb.group())
        mention = mention_at(text, start, lexicon) or loose_description(text, start) \
            or adjective_name(text, start, lexicon) or bare_title(text, start)
        if mention is None or mention.kind == "pronoun" and mention.pronoun in ("they", "we"):
            continue
        return Tag(mention, "after", verb.group(), _addressee(text, mention.end, lexicon))
    return None


_BARE_TITLE = re.compile(r"\s*(?P<title>[A-Z][a-z]+)\b(?!\.?\s+[A-Z])")


def bare_title(text: str, pos: int) -> Mention | None:
    """``said Mademoiselle``, ``the Colonel said``: a title standing for the one person who
    bears it, read like "the Professor"."""
    match = _BARE_TITLE.match(text, pos)
    if not match or match.group("title").lower() not in TITLES:
        return None
    title = match.group("title")
    return Mention("description", match.start("title"), match.end(), title, noun=title,
                   words=title, determiner="the")


def _verb_like(word: str) -> bool:
    if not word[:1].islower() or word in FUNCTION_WORDS:
        return False
    return word in SPEECH_VERBS or word in IRREGULAR_PAST or word.endswith("ed")


def _addressee(text: str, pos: int, lexicon: Lexicon) -> Mention | None:
    """"said she to Charlotte": the person spoken to."""
    match = _TO.match(text, pos)
    return mention_at(text, match.end(), lexicon) if match else None


def _owner_mention(text: str, pos: int, who: str, lexicon: Lexicon) -> Mention | None:
    lowered = who.lower()
    if lowered in ("his", "her", "my"):
        return Mention("pronoun", pos, pos + len(who), who,
                       pronoun={"his": "he", "her": "she", "my": "i"}[lowered])
    name = name_at(text, pos, lexicon)  # "Mary's reply": Mary
    return Mention("name", name.start, name.end, name.text, name=name) if name else None


def tag_before(text: str, lexicon: Lexicon) -> Tag | None:
    """``Mary said, "..."`` (a tag) or ``Mary looked up. "..."`` (a beat)."""
    tail = text[-TAIL_CHARS:].rstrip()
    if not tail:
        return None
    starts = [m.end() for m in _CLAUSE_END.finditer(tail)
              if not _ABBREVIATED.search(tail, 0, m.start() + 1)]
    if tail.rstrip("\"'\u201d\u2019)")[-1:] in (".", "!", "?"):
        # a whole sentence before the quote: an action beat, about its subject
        found = _first_subject(tail, starts[-1] if starts else 0, lexicon)
        return Tag(found[0], "beat-before", found[1]) if found else None
    if tail[-1] not in _INTRO_END and not tail[-1].isalpha():
        return None
    if said := _SAYING.search(tail):  # "Mary's reply was," / "Mary's saying,"
        name = name_at(tail, said.start("who"), lexicon)
        if name is not None:
            return Tag(Mention("name", name.start, name.end, name.text, name=name), "before",
                       "said")
    start = starts[-1] if starts else 0
    found = intro_subject(tail, start, lexicon) or _last_subject(tail, start, lexicon)
    return Tag(found[0], "before", found[1]) if found else None


def _positions(text: str, start: int) -> list[int]:
    """Word starts where a mention may begin."""
    return [m.start() for m in _WORD.finditer(text, start)]


def _first_subject(text: str, start: int, lexicon: Lexicon) -> tuple[Mention, str] | None:
    for pos in _positions(text, start):
        mention = mention_at(text, pos, lexicon)
        if mention is None or mention.kind == "pronoun" and mention.pronoun in ("they", "we"):
            continue
        verb = verb_after(text, mention.end)
        if verb and _REPORTED.match(text, verb.end()) and is_speaking(verb.group("verb")):
            return None  # "Elizabeth replied that it was.": a turn told, then someone answers
        if verb and verb.group("verb") not in LISTENING_VERBS:
            return mention, verb.group("verb")
        return None  # the sentence is not about a speaking person: no beat
    return None


def _last_subject(text: str, start: int, lexicon: Lexicon) -> tuple[Mention, str] | None:
    """The subject of the clause that introduces a quote: ``said Mary,`` at its end, else the
    last person followed by a verb (``Then, turning to Jane, she said,`` -> she)."""
    best: tuple[Mention, str] | None = None
    previous_word: re.Match[str] | None = None
    covered = -1  # the end of the last mention: "Bennet" inside "Mrs. Bennet" is no other
    for word in _WORD.finditer(text, start):
        mention = mention_at(text, word.start(), lexicon) if word.start() >= covered else None
        if mention:
            covered = mention.end
        if mention and not (mention.kind == "pronoun" and mention.pronoun in ("they", "we")):
            tail = text[mention.end:].strip(" " + _INTRO_END)
            if previous_word and _verb_like(previous_word.group()) and not tail:
                return mention, previous_word.group()
            verb = verb_after(text, mention.end)
            if verb:
                best = (mention, verb.group("verb"))
        previous_word = word
    return best
