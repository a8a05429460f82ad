"""Episode folders are unique per script: slugs of names with nothing in ASCII, the same stem
with another extension or spelling, a folder whose script is gone, reserved names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import PublishError, RenderError
from pipeline.files import slug_for_script
from pipeline.publish.show import load_show
from pipeline.render.episode import render_episode
from pipeline.render.folder import claimed_episode_dir
from pipeline.render.regen import regen_line

pytestmark = pytest.mark.xdist_group("render")


def test_slugs_keep_plain_names_and_tell_apart_what_ascii_cannot():
    assert slug_for_script(Path("scripts/the-lighthouse-keeper.txt")) == "the-lighthouse-keeper"
    japan, china = slug_for_script(Path("日本.txt")), slug_for_script(Path("中国.txt"))
    assert japan.startswith("episode-") and china.startswith("episode-") and japan != china
    assert slug_for_script(Path("feed.txt")).startswith("feed-")  # OUT/feed is the feed


def rendered_by(out: Path, slug: str, script: Path) -> None:
    (out / slug).mkdir(parents=True)
    (out / slug / "manifest.json").write_text(json.dumps({"script": str(script.resolve())}))


def claim(out: Path, script: Path, slug: str | None = None) -> tuple[str, list[str]]:
    notes: list[str] = []
    with claimed_episode_dir(out, script, slug, note=notes.append) as folder:
        return folder.name, notes


@pytest.mark.parametrize(("first", "second"), [
    ("x.txt", "x.fountain"), ("My Story.txt", "my_story.txt"), ("日本.txt", "日本.md")])
def test_a_folder_held_by_another_script_is_not_shared(tmp_path, first, second):
    out = tmp_path / "out"
    a, b = tmp_path / first, tmp_path / second
    a.write_text("A: one.\n")
    b.write_text("B: two.\n")
    slug, _ = claim(out, a)
    rendered_by(out, slug, a)
    assert claim(out, a) == (slug, [])  # its own folder, again
    other, notes = claim(out, b)
    assert other != slug
    assert notes == [f"{out / slug} holds the episode of {a.resolve()}; {b.name} renders "
                     f"into {out / other}"]
    rendered_by(out, other, b)
    assert claim(out, b)[0] == other  # and stays there


def test_a_moved_script_takes_its_folder_along(tmp_path):
    out = tmp_path / "out"
    rendered_by(out, "story", tmp_path / "old-place" / "story.txt")  # that file is gone
    script = tmp_path / "story.txt"
    script.write_text("A: one.\n")
    slug, notes = claim(out, script)
    assert slug == "story" and "which is gone" in notes[0]


def test_an_explicit_slug_held_by_another_script_is_an_error(tmp_path):
    out = tmp_path / "out"
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("A: one.\n")
    b.write_text("B: two.\n")
    rendered_by(out, "pilot", a)
    with pytest.raises(RenderError, match=r"holds the episode of another script .*a\.txt"):
        claim(out, b, "pilot")
    with pytest.raises(RenderError, match="'feed' cannot name an episode"):
        claim(out, b, "feed")


def test_a_show_refuses_the_feed_slug_and_tells_non_ascii_scripts_apart(tmp_path):
    (tmp_path / "scripts").mkdir()
    for name in ("日本.txt", "中国.txt"):
        (tmp_path / "scripts" / name).write_text("A: hello.\n", encoding="utf-8")
    head = ('title = "T"\nauthor = "A"\ndescription = "D"\nlanguage = "en"\n'
            'category = "Fiction"\nbase_url = "https://example.com/"\n'
            '[owner]\nname = "A"\nemail = "a@example.com"\n')
    show = tmp_path / "show.toml"
    show.write_text(head, encoding="utf-8")
    slugs = [e.slug for e in load_show(show).episodes]
    assert len(set(slugs)) == 2 and all(s.startswith("episode-") for s in slugs)
    show.write_text(head + '[[episodes]]\nscript = "scripts/日本.txt"\nslug = "feed"\n',
                    encoding="utf-8")
    with pytest.raises(PublishError, match=r"show.toml:\d+: slug 'feed' is reserved"):
        load_show(show)


def test_one_storys_regen_never_reaches_the_other(tmp_path):
    """The issue's case: `My Story.txt` and `my_story.txt` shared OUT/my-story."""
    mix = {"auto_beds": False, "intro_music": False, "outro_music": False}
    first, second = tmp_path / "My Story.txt", tmp_path / "my_story.txt"
    first.write_text("Title: First\n\nANNA: The first story.\n", encoding="utf-8")
    second.write_text("Title: Second\n\nBILL: The second story.\n", encoding="utf-8")
    out = tmp_path / "out"
    a = render_episode(first, out, mix=mix, show_progress=False)
    b = render_episode(second, out, mix=mix, show_progress=False)
    assert a.episode_dir != b.episode_dir and a.episode_dir.name == "my-story"
    assert any("renders into" in w for w in b.warnings)
    line = a.manifest["lines"][0]["line_id"]
    regen_line(a.episode_dir, line, text="Changed in the first story.")
    again = render_episode(second, out, mix=mix, show_progress=False)
    assert again.episode_dir == b.episode_dir
    assert [x["text"] for x in again.manifest["lines"]] == ["The second story."]
    assert not (b.episode_dir / "choices.json").exists()
