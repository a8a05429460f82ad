"""Transcripts and chapters from the timeline: WebVTT, SRT, Podcasting 2.0 JSON.

Cue times are the placements' times, so they match the audio exactly. Narration is attributed
to the speaker the renderer gave the line (normally "Narrator").
"""

from __future__ import annotations

import json
from html import escape

from pipeline.mix.timeline import Placement, Timeline

NARRATOR = "Narrator"


def _lines(tl: Timeline) -> list[Placement]:
    return sorted((p for p in tl.speech() if p.text.strip()), key=lambda p: p.start)


def _speaker(p: Placement) -> str:
    return (p.speaker or NARRATOR).strip() or NARRATOR


def _clock(t: float, sep: str) -> str:
    ms = int(round(max(t, 0.0) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _text(p: Placement) -> str:
    return " ".join(p.text.split())


def vtt(tl: Timeline) -> str:
    out = ["WEBVTT", ""]
    for i, p in enumerate(_lines(tl), 1):
        voice = _speaker(p).replace(">", "").replace("&", "&amp;")
        out += [str(i), f"{_clock(p.start, '.')} --> {_clock(p.end, '.')}",
                f"<v {voice}>{escape(_text(p), quote=False)}", ""]
    return "\n".join(out)


def srt(tl: Timeline) -> str:
    out = []
    for i, p in enumerate(_lines(tl), 1):
        out += [str(i), f"{_clock(p.start, ',')} --> {_clock(p.end, ',')}",
                f"{_speaker(p)}: {_text(p)}", ""]
    return "\n".join(out)


def transcript_json(tl: Timeline) -> str:
    segments = [{"speaker": _speaker(p), "startTime": round(p.start, 3),
                 "endTime": round(p.end, 3), "body": _text(p)} for p in _lines(tl)]
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False, indent=1)


def chapters_json(tl: Timeline) -> str:
    chapters = [{"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": c.title}
                for c in tl.chapters]
    return json.dumps({"version": "1.2.0", "chapters": chapters}, ensure_ascii=False, indent=1)
