"""The cluster side that needs no running Ray: which address, a quick one-line failure when no
head answers, where actors go, takes that are the same bytes wherever they are made, and a
render without a cluster that never imports Ray."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from cli_support import run
from test_publish_fakes import SHOW_TOML, make_show

from pipeline.cluster.address import ClusterError, parse_address, probe, resolve
from pipeline.cluster.placement import plan_actors
from pipeline.engines.base import Take
from pipeline.errors import PublishError
from pipeline.publish.show import load_show
from pipeline.render.cache import TakeCache, encode_take

REPO = Path(__file__).resolve().parents[1]
ONE_LINE = "Title: Short\n\n# Scene\nANNA: Just one line, to keep it quick.\n"


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_address_precedence_option_then_env_then_show(monkeypatch):
    monkeypatch.setenv("RAY_ADDRESS", "envhost:7000")
    assert resolve("cli:6000", "show:5000").text == "cli:6000"
    assert resolve(None, "show:5000").source == "RAY_ADDRESS"
    assert resolve("off", "show:5000") is None  # render here whatever RAY_ADDRESS says
    monkeypatch.delenv("RAY_ADDRESS")
    found = resolve(None, "show:5000", "show.toml")
    assert (found.text, found.source) == ("show:5000", "show.toml: [render] cluster")
    assert resolve(None, None) is None


def test_address_forms():
    assert parse_address("head").text == "head:6379"  # Ray's default GCS port
    client = parse_address("ray://head")
    assert (client.text, client.client, client.port) == ("ray://head:10001", True, 10001)
    assert parse_address("[::1]:7000").text == "[::1]:7000"
    assert parse_address("AUTO").text == "auto" and parse_address("auto").host is None
    for bad in ("http://head:80", "head:port", "head:99999", "ray://", "a/b:1", ":6379"):
        with pytest.raises(ClusterError, match="not a Ray address"):
            parse_address(bad)


def test_probe_fails_fast_in_one_line():
    port = closed_port()
    started = time.monotonic()
    with pytest.raises(ClusterError) as caught:
        probe(parse_address(f"127.0.0.1:{port}"))
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert "\n" not in message and f"127.0.0.1:{port}" in message and "refused" in message


def test_render_with_unreachable_head_is_one_line_error(tmp_path, monkeypatch):
    script = tmp_path / "short.txt"
    script.write_text(ONE_LINE, encoding="utf-8")
    port = closed_port()
    started = time.monotonic()
    result = run("render", str(script), "--out", str(tmp_path / "out"), "--cluster",
                 f"127.0.0.1:{port}")
    assert time.monotonic() - started < 10
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --cluster: cannot reach the Ray head")
    assert not (tmp_path / "out").exists()  # nothing parsed into an output folder
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{port}")
    result = run("render", str(script), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "error: RAY_ADDRESS: cannot reach" in result.output


def test_without_cluster_ray_is_never_imported(tmp_path):
    """A render here, and one told ``--cluster off`` despite RAY_ADDRESS, run with Ray made
    unimportable: both succeed."""
    script = tmp_path / "short.txt"
    script.write_text(ONE_LINE, encoding="utf-8")
    code = ("import sys; sys.modules['ray'] = None\n"
            "sys.argv = ['castwright', *sys.argv[1:]]\n"
            "from pipeline.cli import main; main()\n")
    base = [sys.executable, "-c", code, "render", str(script), "--out", str(tmp_path / "out")]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(Path.home())}
    plain = subprocess.run(base, cwd=REPO, env=env, capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    port = closed_port()
    off = subprocess.run([*base, "--cluster", "off"], cwd=REPO, capture_output=True, text=True,
                         env={**env, "RAY_ADDRESS": f"127.0.0.1:{port}"})
    assert off.returncode == 0, off.stderr
    assert (tmp_path / "out" / "short" / "episode.mp3").is_file()


def test_actors_are_placed_by_engine_needs():
    cpu_only = plan_actors({"piper": 40, "coqui": 5}, cpus=8, gpus=0)
    assert cpu_only.routes == {"piper": "cpu", "coqui": "cpu"}
    assert [(k.name, k.count) for k in cpu_only.kinds] == [("cpu", 8)]
    with_gpus = plan_actors({"piper": 40, "coqui": 5}, cpus=8, gpus=2)
    assert with_gpus.routes == {"piper": "cpu", "coqui": "gpu"}
    assert {k.name: (k.count, k.num_gpus) for k in with_gpus.kinds} == {
        "cpu": (6, 0.0), "gpu": (2, 1.0)}  # a GPU actor holds a CPU too
    assert plan_actors({"piper": 3}, cpus=64, gpus=4).actors == 3  # never more than lines
    with pytest.raises(ClusterError, match="CPU"):
        plan_actors({"piper": 3}, cpus=0, gpus=0)


def test_takes_are_the_same_bytes_whenever_they_are_made(tmp_path):
    """No PEAK chunk (libsndfile stamps it with the time): a take encoded later, or on another
    machine, is byte-identical, so cluster and local caches agree."""
    samples = np.random.default_rng(3).standard_normal(22050).astype(np.float32) * 0.1
    take = Take(samples=samples, sample_rate=22050)
    first = encode_take(take)
    assert encode_take(take) == first and b"PEAK" not in first
    cache = TakeCache(tmp_path)
    meta = cache.store("ab" * 16, take)
    assert cache.wav_path("ab" * 16).read_bytes() == first
    assert np.array_equal(cache.load("ab" * 16).samples, samples)
    assert meta["frames"] == 22050


def test_show_file_render_cluster(tmp_path):
    text = SHOW_TOML.format(title='"T"') + '\n[render]\ncluster = "ray://head"\n'
    assert load_show(make_show(tmp_path, text)).render_cluster == "ray://head"
    assert load_show(make_show(tmp_path)).render_cluster is None
    for table, problem in (('cluster = "http://head:80"', "not a Ray address"),
                           ("cluster = 6379", "must be a string"),
                           ('clutser = "head"', "unknown field 'clutser'")):
        path = make_show(tmp_path, SHOW_TOML.format(title='"T"') + f"\n[render]\n{table}\n")
        with pytest.raises(PublishError, match=problem) as caught:
            load_show(path)
        assert caught.value.line == len(path.read_text().splitlines())


def test_publish_with_unreachable_show_cluster_fails_before_rendering(tmp_path):
    port = closed_port()
    text = SHOW_TOML.format(title='"T"') + f'\n[render]\ncluster = "127.0.0.1:{port}"\n'
    show = make_show(tmp_path, text)
    result = run("publish", "--show", str(show), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "[render] cluster: cannot reach the Ray head" in lines[0]
    assert not (tmp_path / "out" / "one").exists()
