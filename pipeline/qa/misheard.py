"""Words the transcription keeps mishearing, with a lexicon entry to start from for each.

A word the engines say wrong (an invented name, a loanword) is misheard in every line it is in,
while Whisper's own slips wander. So QA aligns each line's transcript with its text, collects
the script words that came out wrong, and names those misheard in at least ``MIN_LINES`` lines
(and in most of the lines that have them). Each suggestion shows what was heard instead and the
phonemes the engines use now, as a ``voices/lexicon.toml`` line to edit and audition with
``castwright say WORD``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.qa.metrics import LineMetrics, join_compounds
from pipeline.qa.textnorm import words

MIN_LINES = 2
MIN_LETTERS = 4
MAX_SUGGESTIONS = 12
_STOP = {"that", "this", "with", "from", "have", "there", "their", "they", "what", "when",
         "were", "will", "would", "your", "been", "into", "then", "than", "them", "just"}


@dataclass
class Suggestion:
    word: str  # as the script writes it ("Oyelaran")
    misheard: int  # lines where it came out wrong
    lines: int  # lines that have it
    heard: list[str] = field(default_factory=list)  # what was heard instead, most often first
    phonemes: str = ""  # espeak IPA: what Piper and Kokoro say now (without an entry)
    has_entry: bool = False  # the lexicon already has one (it needs another try)

    @property
    def entry(self) -> str:
        """A lexicon line to start from."""
        heard = ", ".join(f'"{h}"' for h in self.heard[:3])
        value = f'"/{self.phonemes}/"' if self.phonemes else '"respelling"'
        return f"{self.word} = {value}  # heard as {heard}; edit, then: castwright say {self.word}"

    def to_dict(self) -> dict:
        return {"word": self.word, "misheard": self.misheard, "lines": self.lines,
                "heard": self.heard, "phonemes": self.phonemes, "has_entry": self.has_entry,
                "entry": self.entry}


def error_regions(ref: Sequence[str], hyp: Sequence[str]) -> list[tuple[list[str], list[str]]]:
    """The runs of script words that were not heard as written, each with the words heard in
    their place (Levenshtein alignment, traced back)."""
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]),
                             cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    regions: list[tuple[list[str], list[str]]] = []
    bad_ref: list[str] = []
    bad_hyp: list[str] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and ref[i - 1] == hyp[j - 1] and cost[i][j] == cost[i - 1][j - 1]:
            if bad_ref:
                regions.append((bad_ref[::-1], bad_hyp[::-1]))
            bad_ref, bad_hyp = [], []
            i, j = i - 1, j - 1
        elif i > 0 and j > 0 and cost[i][j] == cost[i - 1][j - 1] + 1:
            bad_ref.append(ref[i - 1])
            bad_hyp.append(hyp[j - 1])
            i, j = i - 1, j - 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            bad_ref.append(ref[i - 1])
            i -= 1
        else:
            bad_hyp.append(hyp[j - 1])
            j -= 1
    if bad_ref:
        regions.append((bad_ref[::-1], bad_hyp[::-1]))
    return regions[::-1]


def _as_written(word: str, texts: Sequence[str]) -> str:
    for text in texts:
        for token in re.findall(r"[\w'’-]+", text):
            if token.lower().strip("'’") == word:
                return token.strip("'’")
    return word


def suggest(lines: Sequence[LineMetrics], known: set[str] | None = None,
            phonemes: bool = True) -> list[Suggestion]:
    """Words misheard in at least ``MIN_LINES`` lines and most lines that have them."""
    known = {w.lower() for w in (known or set())}
    present: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    heard: dict[str, Counter[str]] = {}
    for m in lines:
        ref = words(m.text)
        hyp = words(m.heard)
        ref, hyp = join_compounds(ref, hyp), join_compounds(hyp, ref)
        present.update(set(ref))
        line_misses: set[str] = set()
        for bad_ref, bad_hyp in error_regions(ref, hyp):
            for word in bad_ref:
                line_misses.add(word)
                heard.setdefault(word, Counter())[" ".join(bad_hyp) or "(nothing)"] += 1
        missed.update(line_misses)
    chosen = [w for w, count in missed.items()
              if count >= MIN_LINES and count * 2 > present[w] and len(w) >= MIN_LETTERS
              and w not in _STOP]
    chosen.sort(key=lambda w: (-missed[w], w))
    texts = [m.text for m in lines]
    out = []
    for word in chosen[:MAX_SUGGESTIONS]:
        written = _as_written(word, texts)
        out.append(Suggestion(
            word=written, misheard=missed[word], lines=present[word],
            heard=[h for h, _ in heard[word].most_common()],
            phonemes=_phonemes(written) if phonemes else "", has_entry=word in known))
    return out


def _phonemes(word: str) -> str:
    try:
        from pipeline.engines.pronounce import word_ipa

        return word_ipa(word)
    except Exception:  # noqa: BLE001 (no espeak here: the suggestion goes without phonemes)
        return ""
