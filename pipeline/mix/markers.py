"""Markers for finishing an episode in a DAW: every line and chapter, in two formats.

``labels.txt`` is an Audacity label track (File > Import > Labels...: one ``start<TAB>end<TAB>
label`` row per region, seconds with six decimals): chapters first, then lines, so importing it
beside ``episode.wav`` (or the stems) shows where everything is. ``markers.csv`` holds the same
regions for other DAWs and scripts (Reaper imports marker CSVs; a spreadsheet opens it), with
the kind, id, speaker and full text in columns of their own. Both come from the timeline, so
they match the audio to the sample grid.
"""

from __future__ import annotations

import csv
import io

from pipeline.mix import captions
from pipeline.mix.timeline import Timeline
from pipeline.textmarkup import reader_text

LABEL_TEXT = 60  # characters of a line's text in its Audacity label


def _rows(tl: Timeline) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for c in tl.chapters:
        rows.append({"kind": "chapter", "id": c.section_id, "start": c.start, "end": c.end,
                     "speaker": "", "text": c.title})
    for p in captions.spoken(tl):
        rows.append({"kind": "line" if p.kind == "speech" else "recording",
                     "id": p.line_id or "", "start": p.start, "end": p.end,
                     "speaker": captions.speaker(p) or "", "text": reader_text(p.text)})
    return rows


def _short(text: str) -> str:
    return text if len(text) <= LABEL_TEXT else text[:LABEL_TEXT - 1].rstrip() + "…"


def audacity_labels(tl: Timeline) -> str:
    out = []
    for row in _rows(tl):
        if row["kind"] == "chapter":
            label = f"Chapter: {row['text']}"
        else:
            who = f"{row['speaker']}: " if row["speaker"] else ""
            label = f"{row['id']} {who}{_short(str(row['text']))}".strip()
        label = label.replace("\t", " ").replace("\n", " ")
        out.append(f"{float(row['start']):.6f}\t{float(row['end']):.6f}\t{label}")
    return "\n".join(out) + "\n"


def markers_csv(tl: Timeline) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, ["kind", "id", "start", "end", "speaker", "text"],
                            lineterminator="\n")
    writer.writeheader()
    for row in _rows(tl):
        writer.writerow({**row, "start": f"{float(row['start']):.3f}",
                         "end": f"{float(row['end']):.3f}"})
    return buffer.getvalue()
