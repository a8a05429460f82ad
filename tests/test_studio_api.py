"""The studio over plain HTTP: what it refuses (hosts, origins, tokens, paths), what a retake
does to the episode's files, and two tabs editing at once."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from studio_support import (
    get,
    post,
    render_episode,
    request,
    start_studio,
    takes,
    wait_idle,
    wait_job,
)
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.studio.security import Guard, GuardMiddleware

pytestmark = pytest.mark.xdist_group("studio-api")


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    folder = tmp_path_factory.mktemp("studio-api")
    render_episode(folder)
    # Opened on the script: it is rendered (here: nothing to do, all cached) and served.
    running = start_studio(folder / "harbour.txt", folder)
    wait_idle(running)
    yield running
    running.stop()


def host_of(studio) -> str:
    return studio.url.removeprefix("http://")


def test_pages_and_fragments_are_served(studio):
    page = get(f"{studio.url}/episodes/{studio.slug}")
    assert page.status == 200
    html = page.body.decode()
    for line_id in ("s01-l001", "s01-l002", "s01-l003", "s01-l004"):
        assert f'id="line-{line_id}"' in html
    assert "Harbour Lights" in html and "Ambience: sea" in html
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    cast = get(f"{studio.url}/episodes/{studio.slug}/cast").body.decode()
    assert 'data-name="Anna"' in cast and 'data-name="Bill"' in cast
    assert get(f"{studio.url}/").status == 200  # redirected to the episode
    assert get(f"{studio.url}/static/studio.js").status == 200


def test_a_foreign_host_name_is_refused(studio):
    """DNS rebinding: a page of evil.example resolving to 127.0.0.1 sends its own Host."""
    port = host_of(studio).split(":")[1]
    reply = get(f"{studio.url}/episodes/{studio.slug}", Host=f"evil.example:{port}")
    assert reply.status == 421
    assert "answers at http://127.0.0.1" in reply.json()["error"]
    assert get(f"{studio.url}/episodes", Host=f"localhost:{port}").status == 200


@pytest.mark.parametrize(("headers", "needle"), [
    ({"X-Castwright-Token": ""}, "missing or wrong studio token"),
    ({"X-Castwright-Token": "0" * 32}, "missing or wrong studio token"),
    ({"Origin": "http://evil.example"}, "cross-site request refused (from http://evil.example)"),
    ({"Origin": "null"}, "cross-site request refused"),
    ({"Sec-Fetch-Site": "cross-site"}, "cross-site request refused"),
])
def test_forged_requests_are_refused(studio, headers, needle):
    before = takes(studio)
    reply = post(studio, f"/api/episodes/{studio.slug}/lines/s01-l001/retake", {}, **headers)
    assert reply.status == 403
    assert needle in reply.json()["error"]
    assert takes(studio) == before
    assert not get(f"{studio.url}/api/episodes/{studio.slug}/busy").json()["jobs"]


def test_same_origin_requests_with_the_token_pass(studio):
    reply = post(studio, f"/api/episodes/{studio.slug}/lines/s09-l001/retake", {},
                 Origin=studio.url, **{"Sec-Fetch-Site": "same-origin"})
    assert reply.status == 404  # past the guard: the line does not exist
    assert "unknown line id 's09-l001'" in reply.json()["error"]


@pytest.mark.parametrize(("path", "body", "status", "needle"), [
    ("lines/s01-l001/keep", {"take": 0}, 400, "'take' must be a take number"),
    ("lines/s01-l001/text", {"text": "   "}, 400, "'text' must be non-empty text"),
    ("lines/s01-l001/delivery", {"pace": 3}, 400, "pace 3 is outside 0.5..2"),
    ("lines/s01-l001/delivery", {}, 400, "give 'pace', 'expressiveness' or 'clear'"),
    ("lines/s01-l001/voice", {"voice": "nobody"}, 400, "unknown voice 'nobody'"),
    ("lines/s01-l001/dance", {}, 404, "no line action 'dance'"),
    ("lines/bad-id/retake", {}, 404, "unknown line id 'bad-id'"),
    ("cast/Nobody", {"voice": "joe"}, 404, "no character 'Nobody'"),
    ("cast/Anna", {"voice": "nobody"}, 400, "unknown voice 'nobody'"),
])
def test_bad_requests_get_clear_errors(studio, path, body, status, needle):
    reply = post(studio, f"/api/episodes/{studio.slug}/{path}", body)
    assert reply.status == status, reply.body
    assert needle in reply.json()["error"]


def test_bad_json_is_a_clear_error(studio):
    reply = request(f"{studio.url}/api/episodes/{studio.slug}/lines/s01-l001/retake", "POST",
                    None, {"X-Castwright-Token": studio.token})
    assert reply.status == 400 and "not JSON" in reply.json()["error"]


def test_no_path_outside_the_output_folder_is_served(studio, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    episode = studio.episode_dir
    out = episode.parent
    feed = out / "feed"
    feed.mkdir(exist_ok=True)
    (feed / "leak.xml").symlink_to(secret)
    (episode / "qa.html").symlink_to(secret)  # a listed name, but a link out of the folder
    try:
        for path in [f"/episodes/{studio.slug}/files/manifest.json",
                     f"/episodes/{studio.slug}/files/choices.json",
                     f"/episodes/{studio.slug}/files/qa.html",
                     f"/episodes/{studio.slug}/files/..%2F..%2Fsecret.txt",
                     "/episodes/..%2F..%2Fetc/files/passwd",
                     f"/episodes/{studio.slug}/takes/..%2F..%2Fsecret.wav",
                     f"/episodes/{studio.slug}/takes/{'0' * 32}.wav",
                     "/feed/leak.xml", "/feed/../harbour/manifest.json",
                     "/feed/%2e%2e/harbour/manifest.json", "/cuts/notacut.wav",
                     "/static/../security.py"]:
            reply = get(studio.url + path)
            assert reply.status == 404, path
            assert b"top secret" not in reply.body
    finally:
        (feed / "leak.xml").unlink()
        (episode / "qa.html").unlink()


def test_episode_audio_answers_range_requests(studio):
    url = f"{studio.url}/episodes/{studio.slug}/files/episode.mp3"
    whole = get(url)
    part = get(url, Range="bytes=1000-1999")
    assert whole.status == 200 and part.status == 206
    assert part.body == whole.body[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(whole.body)}"


def test_a_retake_changes_that_line_only(studio):
    episode = studio.episode_dir
    before_takes = takes(studio)
    before, rate = sf.read(episode / "episode.wav", dtype="float32")
    line = next(x for x in json.loads((episode / "manifest.json").read_text())["lines"]
                if x["line_id"] == "s01-l003")
    reply = post(studio, f"/api/episodes/{studio.slug}/lines/s01-l003/retake")
    assert reply.status == 202
    job = wait_job(studio, reply.json()["job"]["id"])
    assert job["state"] == "done", job
    heard = get(studio.url + job["result"]["url"])  # the cut heard at once
    cut, cut_rate = sf.read(__import__("io").BytesIO(heard.body), dtype="float32")
    assert cut_rate == rate and len(cut) / rate > line["end"] - line["start"]
    wait_idle(studio)
    after, _ = sf.read(episode / "episode.wav", dtype="float32")
    after_takes = takes(studio)
    assert after_takes["s01-l003"] == before_takes["s01-l003"] + 1
    assert {k: v for k, v in after_takes.items() if k != "s01-l003"} == \
        {k: v for k, v in before_takes.items() if k != "s01-l003"}
    head = int(line["start"] * rate) - rate // 2  # before the line (and its ducking)
    assert np.array_equal(before[:head], after[:head])
    assert not np.array_equal(before[head:head + 10 * rate], after[head:head + 10 * rate])
    # The cut is the new mix around the line, sample for sample (16-bit).
    start = int(round(job["result"]["start"] * rate))
    np.testing.assert_allclose(cut[:rate], after[start:start + rate], atol=2 / 32768)


def test_two_tabs_editing_at_once_lose_nothing(studio):
    before = takes(studio)
    results: list = []

    def tab(line_id: str) -> None:
        results.append(post(studio, f"/api/episodes/{studio.slug}/lines/{line_id}/retake"))

    tabs = [threading.Thread(target=tab, args=(line_id,))
            for line_id in ("s01-l001", "s01-l002", "s01-l004", "s01-l001")]
    for thread in tabs:
        thread.start()
    for thread in tabs:
        thread.join()
    assert [r.status for r in results] == [202] * 4
    for reply in results:
        assert wait_job(studio, reply.json()["job"]["id"])["state"] == "done"
    wait_idle(studio)
    after = takes(studio)
    assert after["s01-l001"] == before["s01-l001"] + 2
    assert after["s01-l002"] == before["s01-l002"] + 1
    assert after["s01-l004"] == before["s01-l004"] + 1
    assert after["s01-l003"] == before["s01-l003"]
    choices = json.loads((studio.episode_dir / "choices.json").read_text())
    assert choices["s01-l001"]["take"] == after["s01-l001"]
    assert choices["s01-l004"]["take"] == after["s01-l004"]


def test_cast_plan_lists_the_lines_a_new_voice_synthesizes(studio):
    plan = get(f"{studio.url}/api/episodes/{studio.slug}/cast/Anna/plan?voice=edith").json()
    assert plan["cast_voice"] == "clara" and plan["voice"] == "edith"
    assert [x["line_id"] for x in plan["lines"]] == ["s01-l002", "s01-l004"]
    assert plan["synthesize"] == 2 and plan["cached"] == 0
    same = get(f"{studio.url}/api/episodes/{studio.slug}/cast/Anna/plan?voice=clara").json()
    assert same["synthesize"] == 0 and same["cached"] == 2


def test_guard_beyond_loopback_needs_the_token_to_read():
    guard = Guard(token="t0ken", host="0.0.0.0", port=8765)
    seen: list[str] = []

    async def inner(scope, receive, send):
        seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    def call(path: str, query: bytes = b"", cookie: str = "") -> tuple[int, dict]:
        sent: list[dict] = []

        async def send(message):
            sent.append(message)

        async def receive():
            return {"type": "http.request", "body": b""}

        headers = [(b"host", b"127.0.0.1:8765")] + ([(b"cookie", cookie.encode())]
                                                   if cookie else [])
        scope = {"type": "http", "method": "GET", "path": path, "query_string": query,
                 "headers": headers}
        asyncio.run(GuardMiddleware(inner, guard)(scope, receive, send))
        start = sent[0]
        return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}

    assert guard.private and "?token=t0ken" in guard.url("/")
    assert call("/episodes")[0] == 403
    status, headers = call("/episodes", b"token=t0ken")
    assert status == 303 and "castwright_studio=t0ken" in headers["set-cookie"]
    assert "HttpOnly" in headers["set-cookie"] and "SameSite=Strict" in headers["set-cookie"]
    assert call("/episodes", cookie="castwright_studio=t0ken")[0] == 200
    assert call("/episodes", cookie="castwright_studio=wrong")[0] == 403
    assert seen == ["/episodes"]


def test_studio_command_errors_are_one_line(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["studio", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "is neither a rendered episode" in result.output and "Traceback" not in result.output


def test_a_busy_port_is_a_clear_error(studio):
    port = host_of(studio).split(":")[1]
    result = CliRunner().invoke(app, ["studio", str(studio.episode_dir), "--port", port])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert os.path.exists(studio.episode_dir / "manifest.json")


def test_a_regen_outside_the_studio_reaches_the_open_pages(studio):
    """A ``castwright regen`` in a terminal while the studio is open: the pages hear of it."""
    from benchmarks.studio import EventStream
    from pipeline.render.regen import regen_line
    from pipeline.studio.views import episode_version

    wait_idle(studio)
    stream = EventStream(studio.url, f"?episode={studio.slug}")
    result = regen_line(studio.episode_dir, "s01-l004")
    changed = stream.wait_for(lambda kind, data: kind == "episode", timeout=30)
    stream.close()
    assert changed == {"episode": studio.slug, "version": episode_version(result.manifest)}
    assert takes(studio)["s01-l004"] == result.take


AHEAD = """Title: Harbour Mornings

# The boats

NARRATOR: Morning on the quay. The boats are out.
ANNA: The wind is rising from the west.
BILL: Then we stay ashore today.
"""


def test_every_lines_next_take_is_made_ahead(studio):
    """Once a line is opened and the studio is idle, it holds every line's next take, so a
    retake is heard without a synthesis; then that line's following take is made again."""
    from pipeline.render.episode import render_episode as render
    from pipeline.studio.prepare import missing_next_takes

    folder = studio.episode_dir.parent.parent  # lines of its own: no take shared with others
    (folder / "ahead.txt").write_text(AHEAD, encoding="utf-8")
    (folder / "ahead.cast.toml").write_bytes((folder / "harbour.cast.toml").read_bytes())
    episode = render(folder / "ahead.txt", folder / "out", show_progress=False).episode_dir
    studio = replace(studio, episode_dir=Path(episode).resolve())
    assert len(missing_next_takes(studio.episode_dir)[0]) == len(takes(studio)) == 3
    post(studio, f"/api/episodes/{studio.slug}/lines/s01-l003/prepare")  # opened
    wait_idle(studio)
    assert missing_next_takes(studio.episode_dir)[0] == []
    before = takes(studio)
    reply = post(studio, f"/api/episodes/{studio.slug}/lines/s01-l002/retake")
    job = wait_job(studio, reply.json()["job"]["id"])
    assert job["state"] == "done" and job["result"]["synthesized"] is False
    assert job["result"]["take"] == before["s01-l002"] + 1 == 2
    wait_idle(studio)
    assert takes(studio)["s01-l002"] == 2
    assert missing_next_takes(studio.episode_dir)[0] == []
