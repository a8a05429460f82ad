"""A QA report as ``qa.json`` and a one-file ``qa.html`` (the CLI prints it: commands/qa.py)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from pipeline.atomic import write_text
from pipeline.qa.episode import QaReport
from pipeline.qa.metrics import LineMetrics

JSON_FILE = "qa.json"
HTML_FILE = "qa.html"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}" if x >= 0.095 or x == 0 else f"{x:.1%}"


def _rate(m: LineMetrics) -> str:
    dev = "" if m.rate_deviation is None else f" {m.rate_deviation:+.0%}"
    return f"{m.wpm:.0f}{dev}"


def _fmt(x: float | None, spec: str, unit: str = "") -> str:
    return "—" if x is None else f"{x:{spec}}{unit}"


def episode_lines(report: QaReport) -> list[str]:
    e = report.episode
    out = [
        f"duration {e.duration:.1f}s, QA took {report.elapsed:.1f}s "
        f"({report.elapsed / e.duration:.2f}x realtime)" if e.duration else "",
        f"WER takes {_pct(e.wer_takes)}, as mixed {_pct(e.wer_mixed)}",
        f"loudness {_fmt(e.loudness, '.1f', ' LUFS')} (target {e.loudness_target:.1f}), "
        f"true peak {_fmt(e.true_peak, '.1f', ' dBTP')}, "
        f"longest silence {_fmt(e.longest_silence, '.1f', 's')}",
    ]
    return [line for line in out if line]


def write_json(report: QaReport, episode_dir: Path) -> Path:
    path = Path(episode_dir) / JSON_FILE
    write_text(path, json.dumps(report.to_dict(), indent=1, ensure_ascii=False) + "\n")
    return path


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;
text-align:left;vertical-align:top}th{background:#f4f4f4}tr.bad td{background:#fff1f0}
.num{text-align:right;white-space:nowrap}.heard{color:#666}.flag{color:#b00}
"""


def render_html(report: QaReport) -> str:
    e = html.escape
    rows = []
    for m in report.lines:
        heard = f'<div class="heard">heard: {e(m.heard)}</div>' if m.wer > 0 else ""
        flags = "".join(f'<div class="flag">{e(f)}</div>' for f in m.flags)
        rows.append(
            f'<tr class="{"bad" if m.flags else ""}"><td>{e(m.line_id)}</td>'
            f"<td>{e(m.speaker or 'narrator')}</td><td>{e(m.voice)}</td>"
            f'<td class="num">{m.take}</td><td class="num">{_pct(m.wer)}</td>'
            f'<td class="num">{_pct(m.wer_mixed)}</td><td class="num">{e(_rate(m))}</td>'
            f'<td class="num">{m.leading_silence:.2f}/{m.trailing_silence:.2f}s</td>'
            f'<td class="num">{m.longest_pause:.2f}s</td><td class="num">{m.clipped}</td>'
            f"<td>{e(m.text)}{heard}{flags}</td></tr>")
    summary = "".join(f"<li>{e(line)}</li>" for line in episode_lines(report))
    summary += "".join(f'<li class="flag">{e(f)}</li>' for f in report.episode.flags)
    if report.voices:
        summary += "".join(f"<li>voices: {e(a)} ~ {e(b)} similarity {s:.2f}</li>"
                           for a, b, s in report.voices["similarity"][:5])
        summary += "".join(f'<li class="flag">{e(f)}</li>' for f in report.voices["flags"])
    if report.before is not None:
        summary += "".join(
            f"<li>--fix {e(f['line_id'])}: take {f['before']['take']} → kept take "
            f"{f['kept']['take']} ({len(f['tries'])} tries)</li>" for f in report.fixes)
    n, bad = len(report.lines), len(report.flagged)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>QA — {e(report.title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>QA — {e(report.title)}</h1><p>{n - bad}/{n} lines pass; model "
        f"{e(report.model)}</p><ul>{summary}</ul><table><thead><tr><th>line</th>"
        f"<th>speaker</th><th>voice</th><th>take</th><th>WER</th><th>mixed</th><th>wpm Δrate</th>"
        f"<th>lead/trail</th><th>pause</th><th>clip</th><th>text</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n")


def write_html(report: QaReport, episode_dir: Path) -> Path:
    path = Path(episode_dir) / HTML_FILE
    write_text(path, render_html(report))
    return path
