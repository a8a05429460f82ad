"""QA from the studio: check one line again after a retake (about a second once Whisper is
loaded), or the whole episode; the page's flags follow (``qa`` event)."""

from __future__ import annotations

from pipeline.studio.jobs import REMIX, Job, JobContext
from pipeline.studio.state import StudioState


def check_qa(state: StudioState, slug: str, line_id: str | None = None) -> Job:
    """Queued behind the edits and the re-mix already waiting, so it hears what they made."""
    def work(ctx: JobContext) -> dict:
        from pipeline.qa.recheck import check_episode, check_line

        episode = state.episode_dir(slug)
        ctx.progress(0.1, f"hearing {line_id or 'the episode'} (Whisper)")
        report = check_line(episode, line_id) if line_id else check_episode(episode)
        lines = [m for m in report.lines if line_id is None or m.line_id == line_id]
        result = {"episode": slug, "line_id": line_id,
                  "flagged": [m.line_id for m in lines if m.flags],
                  "flags": {m.line_id: m.flags for m in lines},
                  "heard": {m.line_id: m.heard for m in lines},
                  "summary": report.summary()}
        ctx.emit("qa", result)
        return result

    title = f"{line_id}: QA again" if line_id else "QA the episode"
    return state.runner.submit("qa", title, work, episode=slug, line_id=line_id,
                               priority=REMIX)
