"""Synthesis workers' heaps stay near what a take really needs (pipeline/memory.py).

A long Kokoro line is synthesized through the real worker pool in a fresh process, once as a
render starts its workers and once without their heap settings; the largest worker's peak
resident size is read from the kernel (``RUSAGE_CHILDREN``) and the takes are compared."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.memory import TUNABLES, WORKER_TUNABLES, worker_environment

pytestmark = pytest.mark.xdist_group("kokoro")

REPO = Path(__file__).resolve().parents[1]
# One sentence of ~85 phonemes: one Kokoro call (~7 s of audio).
LINE = ("Mister Bingley does not know the whole of his history, and is quite ignorant of "
        "the circumstances.")

CHILD = """
import hashlib, json, resource, sys
import pipeline.render.synth as synth
from pipeline.engines.base import DEFAULT_DELIVERY, VoiceSpec
from pipeline.render.cache import TakeCache

if sys.argv[2] == "plain":  # the workers as they were started before
    synth.worker_environment = lambda env=None: None
voice = VoiceSpec(name="kumo", engine="kokoro", speaker="jm_kumo")
jobs = [synth.SynthJob(key, voice, text, DEFAULT_DELIVERY, 1, {})
        for key, text in (("long", sys.argv[3]), ("short", "Yes."))]
synth.synthesize_jobs(jobs, sys.argv[1], workers=2, show_progress=False)
take = TakeCache(sys.argv[1]).load("long")
print(json.dumps({"worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "sha": hashlib.sha256(take.samples.tobytes()).hexdigest(),
                  "seconds": len(take.samples) / take.sample_rate}))
"""


def _render(tmp_path: Path, mode: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != TUNABLES}
    out = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / mode), mode, LINE],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc heap settings")
def test_a_long_line_does_not_fragment_the_workers_heap(tmp_path):
    tuned, plain = _render(tmp_path, "tuned"), _render(tmp_path, "plain")
    assert tuned["sha"] == plain["sha"]  # the same take, sample for sample
    assert tuned["seconds"] > 5
    # Model, styles and runtime take ~0.2 GB; the call's own tensors ~0.15 GB. Without the
    # settings the fragmented heap held ~1.1 GB for this one call.
    assert tuned["worker_peak_mb"] < 600
    assert tuned["worker_peak_mb"] < 0.75 * plain["worker_peak_mb"]


def test_worker_settings_keep_the_users_own():
    env = {TUNABLES: "glibc.malloc.mmap_threshold=1048576:glibc.malloc.arena_max=2"}
    worker_environment(env)
    parts = env[TUNABLES].split(":")
    assert "glibc.malloc.mmap_threshold=1048576" in parts  # the user's threshold stays
    assert "glibc.malloc.arena_max=2" in parts
    assert "glibc.malloc.hugetlb=1" in parts
    assert len(parts) == 3
    worker_environment(env)  # a second pool adds nothing twice
    assert len(env[TUNABLES].split(":")) == 3
    fresh: dict[str, str] = {}
    worker_environment(fresh)
    assert fresh[TUNABLES].split(":") == [f"{k}={v}" for k, v in WORKER_TUNABLES.items()]
