"""Vocatives: the people a quote speaks *to* ("Thank you, Thomas." is said to Thomas).

A name is a vocative when it opens the quote before a comma or stop ("Thomas, come here"),
sits between commas or before the final stop (", Thomas."), or follows "dear", "my dear",
"oh" or "O". The speaker of a quote is never its addressee, and the addressee is likely the
one who answers.

Not vocatives, though punctuated alike: a name that is the whole answer to a question ("Who
went with her? Ralph Denham."), a name in a list, and "Poor Augustus!" (said of someone, not
to them).
"""

from __future__ import annotations

import re

from pipeline.parsing.attribution.names import Lexicon, Name, find_names

_BEFORE = re.compile(r"(?:^|[,;:!?.\u2014\-]\s*|\b(?:dear|my dear|oh|o|ah|dearest)\s+)$",
                     re.IGNORECASE)
_AFTER = re.compile(r"^\s*(?:[,;:!?.\u2014\-]|$)")
# what joins the names of a list ("Caractacus, Agricola, or Alfred"): no one addressed
_LIST_JOINT = re.compile(r",?\s*(?:(?:and|or|nor|&)\s+)?$")
_CONJUNCTION = re.compile(r"\b(?:and|or|nor)\b|&")


def vocatives(text: str, lexicon: Lexicon) -> list[Name]:
    """Names in ``text`` (a quote's words) used to address someone."""
    found = []
    names = find_names(text, lexicon)
    for i, name in enumerate(names):
        if name.possessive or _in_list(text, names, i) or is_answer(text, name):
            continue
        before = text[max(0, name.start - 12):name.start]
        after = text[name.end:name.end + 3]
        if not (_BEFORE.search(before) and _AFTER.match(after)):
            continue
        if name.start == 0 and not after.startswith(",") and name.title is None \
                and not lexicon.mid_caps[name.words[0]]:
            continue  # "Tea?" alone: a word that starts a sentence, not someone addressed
        found.append(name)
    return found


_ASKED_BEFORE = re.compile(r"\?\s*$")


def is_answer(text: str, name: Name) -> bool:
    """"Who has Katharine gone out with? Ralph Denham.": the name alone answers a question."""
    return bool(_ASKED_BEFORE.search(text, 0, name.start)) and \
        text[name.end:name.end + 1] in (".", "") and name.start > 0


def _in_list(text: str, names: list[Name], i: int) -> bool:
    """The name in a run of names joined by commas and an "and"/"or" ("Caractacus,
    Agricola, or Alfred"); "Anne, Mrs. Rachel says" is someone addressed, then a subject."""
    start = end = i
    while start > 0 and _LIST_JOINT.match(text[names[start - 1].end:names[start].start]):
        start -= 1
    while end + 1 < len(names) and _LIST_JOINT.match(text[names[end].end:names[end + 1].start]):
        end += 1
    joints = [text[names[k].end:names[k + 1].start] for k in range(start, end)]
    return any(_CONJUNCTION.search(joint) for joint in joints) \
        and len({names[k].text for k in range(start, end + 1)}) > 1


def is_echo(name: Name, text: str, previous: str) -> bool:
    """``"Mrs. Milvain?"`` after a speech that named her: the name repeated, not called."""
    return name.start == 0 and text[name.end:name.end + 1] in ("?", "!") \
        and name.text in previous


# "Mother, are my things ready?", "Yes, papa.": a parent called by what they are to the speaker
_KIN_CALLED = re.compile(r"(?:^|[,;!?.]\s+|\b(?:my dear|dear|oh|O)\s+)"
                         r"(?P<noun>papa|mamma|mama|father|mother)(?=\s*[,.!?;])", re.IGNORECASE)


def kin_called(text: str) -> list[str]:
    """The kin nouns ``text`` uses to address someone ("mother", "papa")."""
    return [m.group("noun").lower() for m in _KIN_CALLED.finditer(text)]
