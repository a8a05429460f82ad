"""QA from the studio, in a real headless Chromium: run QA on the episode, retake a line (its QA
goes stale), check that line again: its flags are measured anew (by the limits the report was
made with) and shown in the page, and the other lines' QA entries are left as they were."""

from __future__ import annotations

import json

import pytest
import soundfile as sf
from studio_support import (
    episode_url,
    manifest,
    post,
    render_episode,
    start_studio,
    takes,
    wait_idle,
    wait_job,
    wait_remixed,
)

from pipeline.qa import metrics as M

pytestmark = pytest.mark.xdist_group("studio-qa")

LINE = "s01-l003"


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    folder = tmp_path_factory.mktemp("studio-qa")
    running = start_studio(render_episode(folder), folder)
    yield running
    running.stop()


def qa_lines(studio) -> dict[str, dict]:
    report = json.loads((studio.episode_dir / "qa.json").read_text(encoding="utf-8"))
    return {m["line_id"]: m for m in report["lines"]}


def wait_checked(page, count: int) -> None:
    """Until the page has taken in ``count`` QA results (the ``qa`` event, fragments reloaded)."""
    page.wait_for_function("n => Number(document.body.dataset.qa || 0) >= n", arg=count,
                           timeout=240_000)


def test_run_qa_on_the_episode_from_the_deck(studio, page):
    for name in ("qa.json", "qa.html"):  # QA never ran (whatever ran before this test)
        (studio.episode_dir / name).unlink(missing_ok=True)
    page.goto(episode_url(studio))
    assert "no QA yet" in page.inner_text("#deck")
    page.click("#deck .check-episode")
    wait_checked(page, 1)
    keys = {line["line_id"]: line["cache_key"] for line in manifest(studio)["lines"]}
    assert {i: m["cache_key"] for i, m in qa_lines(studio).items()} == keys
    assert "QA-flagged" in page.inner_text("#deck")
    assert page.locator("#lines .qa").count() == len(keys)  # every row shows its QA
    assert page.locator("#lines .qa.stale").count() == 0


def test_check_a_line_again_after_a_retake(studio, page):
    # The report was made with strict silence limits (as `castwright qa --thresholds` would):
    # a checked take is measured by them.
    path = studio.episode_dir / "qa.json"
    if not path.exists():  # QA of the episode first (the test above does it from the page)
        job = post(studio, f"/api/episodes/{studio.slug}/check").json()["job"]["id"]
        assert wait_job(studio, job, timeout=240)["state"] == "done"
    report = json.loads(path.read_text(encoding="utf-8"))
    report["thresholds"].update(max_leading_silence=0.0, max_trailing_silence=0.0)
    # Figures of a mix that is no more: checking a line after a re-mix must not keep them.
    report["episode"].update(loudness=-40.0, true_peak=-30.0, longest_silence=99.0)
    path.write_text(json.dumps(report), encoding="utf-8")
    before = qa_lines(studio)
    assert not any(f.startswith(("leading", "trailing")) for f in before[LINE]["flags"])

    page.goto(episode_url(studio))
    page.click(f"#line-{LINE} .text")
    panel = page.locator(f'#inspector .panel[data-line="{LINE}"]')
    panel.wait_for()
    version = page.evaluate("document.body.dataset.version")
    panel.locator(".retake").click()
    wait_remixed(page, version)
    assert "QA: not checked since retake" in page.inner_text(f"#line-{LINE}")
    assert "QA heard another take" in panel.inner_text()

    panel.locator(".check-qa").click()
    wait_checked(page, 1)
    wait_idle(studio)
    after = qa_lines(studio)
    line = next(x for x in manifest(studio)["lines"] if x["line_id"] == LINE)
    assert after[LINE]["cache_key"] == line["cache_key"] != before[LINE]["cache_key"]
    assert after[LINE]["take"] == takes(studio)[LINE] == before[LINE]["take"] + 1
    silences = [f for f in after[LINE]["flags"] if f.startswith(("leading", "trailing"))]
    assert silences, after[LINE]["flags"]
    assert {i: m for i, m in after.items() if i != LINE} == \
        {i: m for i, m in before.items() if i != LINE}  # other lines: not heard again
    figures = json.loads(path.read_text(encoding="utf-8"))["episode"]
    mix, rate = sf.read(studio.episode_dir / "episode.wav", dtype="float32")
    assert figures["loudness"] == pytest.approx(M.integrated_loudness(mix, rate), abs=0.05)
    assert figures["true_peak"] == pytest.approx(M.true_peak(mix, rate), abs=0.1)
    assert figures["longest_silence"] < 99.0 and figures["duration"] == pytest.approx(
        len(mix) / rate, abs=0.01)
    row = page.locator(f"#line-{LINE}")
    assert "flagged" in row.get_attribute("class")
    assert silences[0] in row.inner_text()
    shown = page.locator(f'#inspector .panel[data-line="{LINE}"] .qa-notes').inner_text()
    assert silences[0] in shown and "heard:" in shown
