"""Synthesis workers' memory: their heaps stay near what a take really needs
(pipeline/memory.py), and their models are loaded once and shared (pipeline/render/workers.py).

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
import pipeline.render.workers as workers
from pipeline.engines.base import DEFAULT_DELIVERY, VoiceSpec
from pipeline.render.cache import TakeCache

if sys.argv[2] == "plain":  # the workers as they were started before
    workers.worker_environment = lambda env=None: None
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


SHARING = """
import hashlib, json, sys
import pipeline.render.workers as workers
from pipeline.catalog import load_catalog
from pipeline.engines.base import DEFAULT_DELIVERY
from pipeline.render.cache import TakeCache
from pipeline.render.synth import SynthJob, run_job

workers._FORK_SERVER = sys.argv[2] == "shared"
catalog = load_catalog()
voices = [catalog["joe"], catalog["maren"], catalog["hana"]]  # Piper, designed Piper, Kokoro
jobs = [SynthJob(f"{v.name}{n}", v, text, DEFAULT_DELIVERY, 1, {})
        for v in voices for n, text in enumerate(("Good morning, Mister Darcy.", "Not at all."))]

def smaps(pid):
    fields = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        name, *rest = line.split()
        if rest and rest[0].isdigit():
            fields[name.rstrip(":")] = int(rest[0]) / 1024
    return fields

with workers.worker_pool(2, voices) as pool:
    for future in [pool.submit(run_job, job, sys.argv[1]) for job in jobs]:
        future.result()
    found = [smaps(pid) for pid in pool._processes]
    private = [f["Private_Clean"] + f["Private_Dirty"] for f in found]
cache = TakeCache(sys.argv[1])
shas = {job.key: hashlib.sha256(cache.load(job.key).samples.tobytes()).hexdigest() for job in jobs}
print(json.dumps({"private_mb": private, "rss_mb": [f["Rss"] for f in found], "shas": shas}))
"""


def _sharing(tmp_path: Path, mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", SHARING, str(tmp_path / mode), mode],
                         cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server is Linux-only")
def test_workers_share_the_models_they_were_forked_with(tmp_path):
    shared, spawned = _sharing(tmp_path, "shared"), _sharing(tmp_path, "spawned")
    assert shared["shas"] == spawned["shas"]  # every take the same, sample for sample
    assert len(shared["private_mb"]) == len(spawned["private_mb"]) == 2
    # A spawned worker holds its own Piper and Kokoro models and the design's libraries
    # (~0.3 GB of its own); a forked one only what its takes left behind.
    assert max(shared["private_mb"]) < 0.6 * max(spawned["private_mb"])
    assert min(shared["rss_mb"]) > 200  # the models are there, in shared pages
