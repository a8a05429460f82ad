"""The studio as a producer uses it, in a real headless Chromium (Debian's, driven by Playwright).

One studio process serves the module; each test gets an episode of its own (the play rendered
again under another name, from the take cache), so no test depends on another's edits or
their order: open the episode, click a line, make a new take, compare takes in context and
keep one, change words, voice and delivery, recast a character (and see a refused change
explained), publish, and get clear errors for an unknown line or a forged request.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from studio_support import (
    episode_url,
    get,
    manifest,
    post,
    render_again,
    render_episode,
    row_takes,
    start_studio,
    takes,
    wait_idle,
    wait_job,
    wait_remixed,
)

pytestmark = pytest.mark.xdist_group("studio")

SHOW = """title = "Harbour Tales"
author = "Test Author"
description = "Short plays by the sea."
language = "en"
category = "Fiction"
base_url = "https://example.com/harbour/"
[owner]
name = "Test Author"
email = "test@example.com"
[[episodes]]
script = "harbour.txt"
number = 1
date = 2025-01-06
"""


@pytest.fixture(scope="module")
def studio_process(tmp_path_factory):
    folder = tmp_path_factory.mktemp("studio")
    episode = render_episode(folder)
    (folder / "show.toml").write_text(SHOW, encoding="utf-8")
    running = start_studio(episode, folder, "--show", "show.toml")
    yield running
    running.stop()


@pytest.fixture
def studio(studio_process, request):
    """This test's own episode, served by the module's studio (which serves every episode in
    its output folder)."""
    slug = "harbour-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:60]
    folder = studio_process.episode_dir.parent.parent
    return replace(studio_process, episode_dir=render_again(folder, slug).resolve())


def test_click_a_line_then_make_a_new_take(studio, page):
    before = takes(studio)
    page.goto(episode_url(studio))
    assert row_takes(page) == before
    audio_src = page.get_attribute("#episode-audio", "src")
    version = page.evaluate("document.body.dataset.version")
    row = page.locator("#line-s01-l003")
    start = float(row.get_attribute("data-start"))

    row.locator(".text").click()  # hear it in context: the episode from a second before it
    page.wait_for_selector('#inspector .panel[data-line="s01-l003"]')
    # playing, and at least one played range (empty until the clock first moves)
    page.wait_for_function("() => { const a = document.querySelector('#episode-audio');"
                           " return !a.paused && a.played.length > 0; }")
    # Where playback began (the played ranges), not where it is by now: on a loaded machine
    # the player may be seconds further on before the test looks.
    began = page.evaluate("(() => { const p = document.querySelector('#episode-audio').played;"
                          " return [...Array(p.length).keys()].map(i => p.start(i)); })()")
    assert any(start - 1.05 <= at <= start + 0.5 for at in began), (start, began)

    row.locator(".retake").click()
    page.wait_for_function("() => document.querySelector('#cue-audio').src.includes('/cuts/')")
    page.wait_for_function("() => document.querySelector('#cue-audio').readyState >= 2")
    assert "Take 2 in context" in page.inner_text("#now")
    new_version = wait_remixed(page, version)

    assert page.get_attribute("#episode-audio", "src") != audio_src
    assert f"v={new_version}" in page.get_attribute("#episode-audio", "src")
    shown = row_takes(page)
    assert shown["s01-l003"] == before["s01-l003"] + 1
    assert {k: v for k, v in shown.items() if k != "s01-l003"} == \
        {k: v for k, v in before.items() if k != "s01-l003"}
    assert takes(studio) == shown  # what the page shows is what was mixed
    # The new episode file plays, and seeking works (range requests).
    status = page.evaluate("src => fetch(src, {headers: {Range: 'bytes=100-199'}})"
                           ".then(r => [r.status, r.headers.get('content-range')])",
                           page.get_attribute("#episode-audio", "src"))
    assert status[0] == 206 and status[1].startswith("bytes 100-199/")


def test_compare_takes_in_context_and_keep_one(studio, page):
    from playwright.sync_api import expect

    post(studio, f"/api/episodes/{studio.slug}/lines/s01-l003/retake")  # two to compare
    wait_idle(studio)
    page.goto(episode_url(studio))
    page.click("#line-s01-l003 .text")
    panel = page.locator('#inspector .panel[data-line="s01-l003"]')
    current = int(panel.get_attribute("data-take"))
    assert current >= 2, (takes(studio), (studio.episode_dir / "choices.json").read_text())
    expect(panel.locator(".takes tr")).to_have_count(current)
    version = page.evaluate("document.body.dataset.version")

    panel.locator('.takes tr[data-take="1"] .ab').click()  # A/B: take 1 in context
    page.wait_for_function("() => document.querySelector('#cue-audio').src"
                           ".includes('context.wav?take=1')")
    page.wait_for_function("() => document.querySelector('#cue-audio').readyState >= 2")
    duration = page.evaluate("document.querySelector('#cue-audio').duration")
    line = next(x for x in manifest(studio)["lines"] if x["line_id"] == "s01-l003")
    assert duration > (line["end"] - line["start"])  # the line plus its context

    panel.locator('.takes tr[data-take="1"] .keep').click()
    wait_remixed(page, version)
    assert row_takes(page)["s01-l003"] == 1 == takes(studio)["s01-l003"]
    page.wait_for_selector('#inspector .panel[data-take="1"] .takes tr.current[data-take="1"]')


def test_change_words_voice_and_delivery_of_a_line(studio, page):
    page.goto(episode_url(studio))
    page.click("#line-s01-l002 .text")
    panel = '#inspector .panel[data-line="s01-l002"]'
    page.wait_for_selector(panel)

    version = page.evaluate("document.body.dataset.version")
    page.fill(f"{panel} textarea", "The tide is turning now.")
    page.click(f"{panel} .edit-text button[type=submit]")
    version = wait_remixed(page, version)
    assert page.inner_text("#line-s01-l002 .text") == "The tide is turning now."
    assert "edited" in page.inner_text("#line-s01-l002 .meta")

    page.select_option(f"{panel} select[name=voice]", "maren")
    page.click(f"{panel} .edit-voice button[type=submit]")
    version = wait_remixed(page, version)
    assert page.inner_text("#line-s01-l002 .voice") == "maren"

    page.eval_on_selector(f"{panel} input[name=pace]", "el => { el.value = '1.3'; }")
    page.click(f"{panel} .edit-delivery button[type=submit]")
    version = wait_remixed(page, version)
    assert "delivery" in page.inner_text("#line-s01-l002 .meta")
    choice = json.loads((studio.episode_dir / "choices.json").read_text())["s01-l002"]
    assert choice["text"] == "The tide is turning now." and choice["voice"] == "maren"
    assert choice["pace"] == pytest.approx(1.3)

    page.click(f"{panel} .reset")  # back to the script's words, the cast's voice and delivery
    wait_remixed(page, version)
    assert page.inner_text("#line-s01-l002 .text") == "The tide is coming in."
    assert page.inner_text("#line-s01-l002 .voice") == "clara"
    assert page.locator("#line-s01-l002 .badge").count() == 0


def test_recast_a_character_after_auditioning(studio, page):
    before = {x["line_id"]: x for x in manifest(studio)["lines"]}
    page.goto(f"{episode_url(studio)}/cast")
    bill = page.locator('.person[data-name="Bill"]')
    assert bill.locator(".cast-voice").inner_text() == "harold"
    bill.locator("select").select_option("tomas")
    bill.locator(".audition").click()  # Bill's line in tomas, cut in context
    page.wait_for_function("() => document.querySelector('#cue-audio').src.includes('/cuts/')")
    page.wait_for_function("() => document.querySelector('#cue-audio').readyState >= 2")

    bill.locator(".plan").click()  # which lines would change, before confirming
    plan = bill.locator(".plan-out .plan")
    plan.wait_for()
    assert "s01-l003" in plan.inner_text()
    assert "from cache" in plan.inner_text()  # the audition already made that take
    plan.locator(".confirm").click()
    # Synthesized, re-mixed: the cast page reloads with Bill's new voice.
    page.wait_for_function("() => document.querySelector('.person[data-name=Bill] .cast-voice')"
                           "?.textContent === 'tomas'")
    wait_idle(studio)
    page.goto(episode_url(studio))
    assert page.inner_text("#line-s01-l003 .voice") == "tomas"
    after = {x["line_id"]: x for x in manifest(studio)["lines"]}
    assert after["s01-l003"]["voice"] == "tomas"
    assert [after[k]["voice"] for k in after if k != "s01-l003"] == \
        [before[k]["voice"] for k in before if k != "s01-l003"]


def test_a_refused_or_lost_cast_change_is_explained_in_the_page(studio, page):
    before = manifest(studio)["lines"]
    page.goto(f"{episode_url(studio)}/cast")
    bill = page.locator('.person[data-name="Bill"]')
    bill.locator("select").select_option("tomas")
    bill.locator(".plan").click()
    bill.locator(".plan-out .plan").wait_for()
    # The voice goes away between the plan and the confirmation (as another tab could do):
    # the studio refuses the change and the page says why, next to the button.
    bill.locator("select").evaluate("s => { s.add(new Option('nobody', 'nobody')); "
                                    "s.value = 'nobody'; }")
    confirm = bill.locator(".plan-out .confirm")
    confirm.click()
    alert = bill.locator(".plan-out .error[role=alert]")
    alert.wait_for()
    assert "Could not change Bill to nobody: unknown voice 'nobody'" in alert.inner_text()
    assert shown_times(page, "unknown voice 'nobody'") == 1  # there, not on an error card too
    # The studio cannot be reached at all (the request is lost): said too, not swallowed.
    bill.locator("select").select_option("tomas")
    bill.locator(".plan").click()
    bill.locator(".plan-out .plan").wait_for()
    page.route(f"**/api/episodes/{studio.slug}/cast/Bill", lambda route: route.abort())
    bill.locator(".plan-out .confirm").click()
    alert.wait_for()
    assert "Could not change Bill to tomas: cannot reach the studio" in alert.inner_text()
    assert shown_times(page, "cannot reach the studio") == 1
    wait_idle(studio)
    assert manifest(studio)["lines"] == before  # nothing changed
    # A refusal with no place of its own in the page (a line's action) gets an error card.
    page.goto(episode_url(studio))
    page.route(f"**/api/episodes/{studio.slug}/lines/s01-l003/retake",
               lambda route: route.abort())
    page.locator("#line-s01-l003 .retake").click()
    card = page.locator('#jobs .job[data-state="failed"]')
    card.wait_for()
    assert "cannot reach the studio" in card.inner_text()
    assert shown_times(page, "cannot reach the studio") == 1


def shown_times(page, message: str) -> int:
    """How often ``message`` is visible in the page (an inline alert, an error card...)."""
    return page.evaluate("m => document.body.innerText.split(m).length - 1", message)


def test_publish_from_the_studio(studio, page):
    page.goto(episode_url(studio))
    page.click("#publish")
    page.wait_for_selector("#feed-link:not([hidden])", timeout=120_000)
    with page.context.expect_page() as opened:
        page.click("#feed-link")
    feed_page = opened.value
    feed_page.wait_for_load_state()
    assert "Harbour Tales" in feed_page.content()
    feed = get(f"{studio.url}/feed/feed.xml")
    assert feed.status == 200 and b"<rss" in feed.body and b"Harbour Lights" in feed.body


class _Evil(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass


def test_unknown_line_and_forged_requests_get_clear_errors(studio, page, tmp_path):
    before = takes(studio)
    response = page.goto(f"{episode_url(studio)}/fragments/lines/s09-l999")
    assert response.status == 404
    assert "unknown line id 's09-l999'" in page.inner_text("body")

    page.goto(episode_url(studio))
    call = ("([url, headers]) => fetch(url, {method: 'POST', headers, body: '{}'})"
            ".then(async r => [r.status, (await r.json()).error])")
    url = f"/api/episodes/{studio.slug}/lines/s01-l001/retake"
    status, error = page.evaluate(call, [url, {"Content-Type": "application/json"}])
    assert status == 403 and "missing or wrong studio token" in error
    status, error = page.evaluate(call, [url, {"X-Castwright-Token": "forged"}])
    assert status == 403 and "missing or wrong studio token" in error
    token = page.get_attribute('meta[name="castwright-token"]', "content")
    status, error = page.evaluate(call, [f"/api/episodes/{studio.slug}/lines/s09-l999/retake",
                                         {"X-Castwright-Token": token}])
    assert status == 404 and "unknown line id 's09-l999'" in error

    # Another site's page posts a form to the studio (no token, its own Origin); the browser
    # then shows the studio's answer (a frame could not: the studio forbids framing).
    (tmp_path / "evil.html").write_text(
        f'<form id="f" method="post" enctype="text/plain" action="{studio.url}{url}">'
        f'<input name="x" value="y"></form><script>document.getElementById("f").submit()'
        f'</script>')
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Evil, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with page.expect_navigation(url=f"{studio.url}{url}") as navigation:
            page.goto(f"http://127.0.0.1:{server.server_port}/evil.html")
        assert navigation.value.status == 403
        assert "cross-site request refused" in page.inner_text("body")
    finally:
        server.shutdown()
        server.server_close()
    assert takes(studio) == before


def test_opening_a_line_prepares_its_next_take(studio, page):
    before = takes(studio)
    page.goto(episode_url(studio))
    page.click("#line-s01-l004 .text")  # heard in context; its next take made meanwhile
    page.wait_for_selector('#inspector .panel[data-line="s01-l004"]')
    wait_idle(studio)
    assert takes(studio) == before  # prepared, not kept: the episode is as it was
    reply = post(studio, f"/api/episodes/{studio.slug}/lines/s01-l004/retake")
    job = wait_job(studio, reply.json()["job"]["id"])
    assert job["state"] == "done", job["error"]
    assert job["result"]["synthesized"] is False  # it was waiting in the take cache
    assert job["result"]["take"] == before["s01-l004"] + 1
    wait_idle(studio)
    assert takes(studio)["s01-l004"] == before["s01-l004"] + 1
