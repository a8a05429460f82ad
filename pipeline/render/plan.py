"""The render plan: for every spoken line, exactly what to synthesize and its cache key."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from pipeline import engines
from pipeline.casting import NARRATOR, Cast
from pipeline.catalog import get_voice
from pipeline.engines.base import Delivery, VoiceSpec
from pipeline.errors import CastError, VoiceError
from pipeline.model import Script
from pipeline.render.cache import take_key
from pipeline.render.choices import LineChoice
from pipeline.textprep import speech_text


@dataclass
class LinePlan:
    line_id: str
    section_id: str
    speaker: str
    voice: VoiceSpec
    text: str  # the author's text (transcript)
    spoken_text: str  # what the engine reads
    delivery: Delivery
    take: int
    key: str
    source_line: int = 0
    recording: dict | None = None  # the producer's recording this take is (see choices.py)

    def info(self) -> dict:
        return {"line_id": self.line_id, "speaker": self.speaker, "voice": self.voice.name,
                "text": self.text, "spoken_text": self.spoken_text, "take": self.take}


@cache
def _identity(voice: VoiceSpec) -> str:
    return engines.identity(voice)


def key_for(voice: VoiceSpec, spoken_text: str, delivery: Delivery, take: int) -> str:
    return take_key(_identity(voice), voice, spoken_text, delivery, take)


def plan_line(cue_text: str, line_id: str, section_id: str, speaker: str, voice: VoiceSpec,
              delivery: Delivery, choice: LineChoice | None, catalog: dict[str, VoiceSpec],
              warnings: list[str], source_line: int = 0) -> LinePlan:
    choice = choice or LineChoice()
    text = choice.text if choice.text is not None else cue_text
    if choice.voice:
        try:
            voice = get_voice(catalog, choice.voice)
        except VoiceError as err:
            raise CastError(f"{line_id}: {err.problem}") from None
    delivery = delivery_override(delivery, choice)
    take = choice.take or 1
    if choice.take and choice.text is None and choice.script_text not in (None, cue_text):
        warnings.append(f"{line_id}: the script changed since take {choice.take} was pinned; "
                        "using a fresh take")
        take = 1
    spoken = speech_text(text)
    recording = choice.recording(take)
    key = recording["key"] if recording else key_for(voice, spoken, delivery, take)
    return LinePlan(line_id=line_id, section_id=section_id, speaker=speaker, voice=voice,
                    text=text, spoken_text=spoken, delivery=delivery, take=take,
                    key=key, source_line=source_line, recording=recording)


def delivery_override(delivery: Delivery, choice: LineChoice) -> Delivery:
    """The cast's delivery with this line's own pace and expressiveness, if it has them."""
    if choice.pace is not None:
        delivery = replace(delivery, pace=float(choice.pace))
    if choice.expressiveness is not None:
        delivery = replace(delivery, expressiveness=float(choice.expressiveness))
    return delivery


def build_plan(script: Script, cast: Cast, choices: dict[str, LineChoice],
               catalog: dict[str, VoiceSpec], warnings: list[str]) -> list[LinePlan]:
    plans = []
    for section in script.sections:
        if section.is_summary and not cast.settings.narrate_summary:
            continue
        for cue in section.lines:
            assert cue.line_id is not None
            casting = cast.lines[cue.line_id]
            plans.append(plan_line(cue.text, cue.line_id, section.id, casting.speaker,
                                   casting.voice, casting.delivery, choices.get(cue.line_id),
                                   catalog, warnings, cue.source_line))
    return plans


NOTICE_ID = "notice"  # as pipeline.mix.timeline.NOTICE_ID (kept here: plan stays mixer-free)


def notice_plan(text: str, cast: Cast, catalog: dict[str, VoiceSpec]) -> LinePlan:
    """The show's spoken AI-voice notice, read by the narrator: a take like any line's."""
    return plan_line(text, NOTICE_ID, "", NARRATOR, cast.narrator,
                     cast.settings.narrator_delivery, None, catalog, [])
