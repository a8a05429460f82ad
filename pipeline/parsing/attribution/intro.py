"""Who introduces a quote: the subject of the speaking verb in the clause just before it.

``Mary said,`` is the easy case; novels write longer lead-ins, and the speaker is the subject
of the verb that speaks, not the last name written:

- ``Elinor, smiling at her brother's tone, calmly replied,``: phrases set off by commas stand
  between a subject and its verb;
- ``Mr. Crawford smiled, and stepping forward to Maria, said,``: verbs joined by "and" share
  their clause's subject (Maria, after "to", is nobody's subject);
- ``Catherine found her arm seized by Isabella, who exclaimed,``: "who" is the person just
  named;
- ``Mary looked at him as he spoke, and said,``: "as he spoke" is a clause of its own;
- ``it was broken by Thorpe's saying,``, ``Lady Bertram's calm inquiry of``: a possessive
  before a speaking word.

The speaking verb is the last word of the clause that speaks in any form (``said``,
``exclaiming``, ``was calling out``, ``say``, ``began``); its subject is, in order: the person
right before it (adverbs between), the person a "who" before it points back to, a person
whose verb it is once comma-set phrases are skipped, and else the subject of the main clause:
the last person who acts, not after a preposition, a verb or a subordinating word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.parsing.attribution.mentions import Mention, mention_at
from pipeline.parsing.attribution.names import Lexicon, name_at
from pipeline.parsing.attribution.words import (
    FUNCTION_WORDS,
    IRREGULAR_PAST,
    SPEECH_VERBS,
    SUBORDINATORS,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*(?:-[A-Za-z]+)*")
# Words that may stand between a subject and its verb ("Miss Crawford thus began", "Mr.
# Price was only calling out").
_BETWEEN = _words("""then thus now again still also only just soon presently first at once
last length instantly had has have was were is would could did should might must will shall
not never always often quite very rather even yet merely simply but once more in turn""")
_AUXILIARIES = _words("""had has have was were is would could did should might must will
shall""")
# Words after which a new subject may stand ("and Julia", "then she").
_CLAUSE_OPENERS = _words("and but or nor then so yet now and while") | _BETWEEN
_PREPOSITIONS = _words("""at by in into onto on upon of off over under above below across
after before behind beside besides between beyond during except from inside outside near past
through throughout to toward towards underneath unlike with within without about against along
amid among amongst around via opposite round like than for""")
_SPEAKING_NOUNS = (r"saying|reply|answer|response|rejoinder|remark|comment|words|question|"
                   r"inquiry|enquiry|exclamation|cry|observation|language|declaration|"
                   r"address|speech|retort|greeting|answering|replying|exclaiming|asking|"
                   r"calling|crying|whisper|protest|entreaty|appeal|request")
_POSSESSIVE_SPEAKING = re.compile(
    rf"(?P<who>[A-Z][\w.'\u2019 ]{{0,30}}?)(?:['\u2019]s?| s)\s+(?:[a-z]+\s+){{0,2}}?"
    rf"(?:{_SPEAKING_NOUNS})(?:\s+(?:very|most|so|rather|quite|too|[a-z]+ly))*(?:\s+(?:was|were|of|to\s+\w+))?\s*[,:\u2014\-]*$")
_BEGIN_FORMS = frozenset({"begin", "beginning", "begun", "speaking", "speak", "telling", "tell",
                          "saying", "say", "said"})


def is_speaking(word: str) -> bool:
    """A verb of speaking in any form: "said", "exclaiming", "reply", "cried", "began"."""
    word = word.lower()
    if word in SPEECH_VERBS or word in _BEGIN_FORMS:
        return True
    stem = word[:-3] if word.endswith("ing") else word
    if stem == word and word.endswith(("ed", "s")):
        return False
    forms = {stem + "ed", stem + "d", stem + "s"}
    if stem.endswith("y"):
        forms.add(stem[:-1] + "ied")
    if len(stem) > 2 and stem[-1] == stem[-2]:  # "stopping"
        forms.add(stem[:-1] + "ed")
    return any(f in SPEECH_VERBS for f in forms) and stem not in FUNCTION_WORDS


def _verb_like(word: str) -> bool:
    lowered = word.lower()
    return word[:1].islower() and lowered not in FUNCTION_WORDS and (
        lowered in IRREGULAR_PAST or lowered.endswith("ed") or is_speaking(lowered))


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Candidate:
    mention: Mention
    first: int  # index of its first word
    last: int  # index of its last word
    after_object_word: bool  # after a preposition or a verb: an object
    subordinate: bool  # after "as", "when", "though": the subject of a clause of its own


def intro_subject(text: str, start: int, lexicon: Lexicon) -> tuple[Mention, str] | None:
    """The speaker of the lead-in ``text[start:]`` (which ends just before the quote) and its
    verb, or None when no speaking verb or no subject is found."""
    words = [_Word(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start)]
    verb_at = next((i for i in range(len(words) - 1, -1, -1)
                    if words[i].text[:1].islower() and is_speaking(words[i].text)), None)
    if verb_at is None:
        return None
    verb = words[verb_at].text
    if said := _POSSESSIVE_SPEAKING.search(text, start):
        name = name_at(text, said.start("who"), lexicon)
        if name is not None:
            return Mention("name", name.start, name.end, name.text, name=name), "said"
    inverted = mention_at(text, words[verb_at].end, lexicon)
    if inverted is not None and inverted.kind != "unknown" \
            and inverted.pronoun not in ("they", "we") \
            and text[inverted.end:].lstrip()[:1] in ("", ",", ":", "\u2014", "-"):
        return inverted, verb  # "Then said Mrs. Bennet," / "said he, turning round,"
    if owner := _gerund_owner(text, words, verb_at, lexicon):
        return owner, verb  # "by Mrs. Grant's saying"
    candidates = _candidates(text, words, verb_at, lexicon)
    if not candidates:
        return None
    for rule in (_adjacent, _who, _past_commas, _main_clause):
        found = rule(text, words, verb_at, candidates)
        if found is not None:
            return found.mention, verb
    return None


def _gerund_owner(text: str, words: list[_Word], verb_at: int,
                  lexicon: Lexicon) -> Mention | None:
    """"Mrs. Grant's saying", "Thorpe s calling out": the name owning a speaking gerund."""
    if not words[verb_at].text.endswith("ing") or verb_at == 0:
        return None
    for j in range(max(0, verb_at - 4), verb_at):  # the longest name first: "Mrs. Grant's"
        name = name_at(text, words[j].start, lexicon)
        if name is not None and name.possessive \
                and not text[name.end:words[verb_at].start].strip(" '\u2019s"):
            return Mention("name", name.start, name.end, name.text, name=name)
    return None


def _candidates(text: str, words: list[_Word], verb_at: int,
                lexicon: Lexicon) -> list[_Candidate]:
    out: list[_Candidate] = []
    covered = -1
    for i in range(verb_at):
        word = words[i]
        if word.start < covered:
            continue
        mention = mention_at(text, word.start, lexicon)
        if mention is None or mention.kind == "unknown" \
                or mention.kind == "pronoun" and mention.pronoun in ("they", "we"):
            continue
        covered = mention.end
        last = i
        while last + 1 < len(words) and words[last + 1].start < mention.end:
            last += 1
        if last >= verb_at:
            continue
        previous = words[i - 1].text if i else ""
        joined = bool(i) and _no_break(text, words[i - 1].end, word.start)
        lowered = previous.lower()
        subordinate = _in_subordinate_clause(text, words, i)
        # "to Maria", "watched Fanny", "press her friend": an object, not a subject
        object_word = joined and lowered not in SUBORDINATORS and (
            lowered in _PREPOSITIONS or _verb_like(previous)
            or previous[:1].islower() and lowered not in _CLAUSE_OPENERS)
        if _possessive(text, mention.end):
            continue  # "her friend's hand"
        if out and lowered == "and" and out[-1].after_object_word and out[-1].last == i - 2:
            object_word = True  # "eyeing Dr. Grant and Edmund"
        out.append(_Candidate(mention, i, last, object_word, subordinate))
    return out


def _in_subordinate_clause(text: str, words: list[_Word], i: int) -> bool:
    """"as he spoke", "where she and Eleanor were sitting": a subordinating word since the
    last comma."""
    j = i - 1
    while j >= 0 and _no_break(text, words[j].end, words[j + 1].start):
        if words[j].text.lower() in SUBORDINATORS:
            return True
        j -= 1
    return False


def _possessive(text: str, end: int) -> bool:
    return text[end:end + 2] in ("'s", "\u2019s", " s") and not text[end + 2:end + 3].isalpha()


def _no_break(text: str, end: int, start: int) -> bool:
    """Nothing but spaces between two words (no comma, dash or stop)."""
    return not text[end:start].strip()


def _adjacent(text: str, words: list[_Word], verb_at: int,
              candidates: list[_Candidate]) -> _Candidate | None:
    """"Miss Crawford thus began", "Mr. Price was only calling out"."""
    i = verb_at - 1
    while i >= 0 and (words[i].text.lower() in _BETWEEN or words[i].text.endswith("ly")
                      and words[i].text[:1].islower()) \
            and _no_break(text, words[i].end, words[i + 1].start):
        i -= 1
    if i < 0 or not _no_break(text, words[i].end, words[i + 1].start):
        return None
    word = words[i]
    if word.text in ("her", "him") and i + 1 == verb_at:  # "and hear her say"
        pronoun = "she" if word.text == "her" else "he"
        return _Candidate(Mention("pronoun", word.start, word.end, word.text, pronoun=pronoun),
                          i, i, False, False)
    return next((c for c in candidates if c.last == i), None)


def _who(text: str, words: list[_Word], verb_at: int,
         candidates: list[_Candidate]) -> _Candidate | None:
    """"... by her faithful Isabella, who in great spirits exclaimed": Isabella."""
    for i in range(verb_at - 1, -1, -1):
        lowered = words[i].text.lower()
        if any(c.first == i for c in candidates):
            return None  # someone else between the "who" and the verb
        if lowered == "who":
            return next((c for c in candidates if c.last == i - 1), None)
    return None


def _past_commas(text: str, words: list[_Word], verb_at: int,
                 candidates: list[_Candidate]) -> _Candidate | None:
    """"Elinor, smiling at her brother's tone, calmly replied": the phrase between commas
    belongs to nobody else."""
    verb_start = words[verb_at].start
    for candidate in reversed(candidates):
        if candidate.after_object_word:
            continue
        between = text[candidate.mention.end:verb_start]
        core = between.strip()
        tail = re.sub(r"(?:\s*\b(?:[a-z]+ly|" + "|".join(_BETWEEN) + r"))+\s*$", "", core)
        inside = [c for c in candidates if c.first > candidate.last
                  and not c.after_object_word]
        if core == "" or tail == "" or len(tail) > 1 and tail.startswith(",") \
                and tail.endswith(",") \
                and ";" not in tail and not inside:
            return candidate
    return None


def _acts(text: str, words: list[_Word], candidate: _Candidate) -> bool:
    """Followed by a verb (adverbs skipped) or by a comma-set phrase."""
    i = candidate.last + 1
    if i < len(words) and text[candidate.mention.end:words[i].start].strip()[:1] == ",":
        return True
    while i < len(words) and words[i].text.lower() in _BETWEEN - _AUXILIARIES:
        i += 1
    if i >= len(words):
        return False
    word = words[i].text
    return word[:1].islower() and (word in _AUXILIARIES or word not in FUNCTION_WORDS)


def _main_clause(text: str, words: list[_Word], verb_at: int,
                 candidates: list[_Candidate]) -> _Candidate | None:
    """"Mr. Crawford smiled his acquiescence, and stepping forward to Maria, said": the last
    person who acts in a clause of the sentence's own."""
    acting = [c for c in candidates if not c.after_object_word and _acts(text, words, c)]
    if not acting:
        return None
    last = acting[-1]
    verb = words[verb_at]
    if not last.subordinate or "," not in text[last.mention.end:verb.start] \
            or verb.text.endswith("ing"):
        # "as he laid down the manuscript and said", "when the servant came in,
        # announcing": the verb goes with the clause just before
        return last
    main = [c for c in acting if not c.subordinate]
    return main[-1] if main else last
