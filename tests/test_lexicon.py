"""Pronunciation lexicon: entries, files and layering, the engine rewrite, `castwright say`,
QA suggestions, and the end-to-end fix of a misread name without re-reading other lines."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.engines import synthesize
from pipeline.engines.base import VoiceSpec, WordTiming
from pipeline.engines.pronounce import relabel, rewrite
from pipeline.lexicon import Entry, Lexicon, LexiconError, entry_from, load_file, load_lexicon
from pipeline.qa.metrics import LineMetrics
from pipeline.qa.misheard import error_regions, suggest

JOE = VoiceSpec(name="joe", engine="piper", model="builtin:joe")
runner = CliRunner()


# -- entries and files ---------------------------------------------------------------------
def test_three_ways_to_write_an_entry():
    assert entry_from("Oyelaran", "oh-yeh-LAH-ran", "") == Entry("Oyelaran", say="oh-yeh-LAH-ran")
    assert entry_from("Niamh", "/n'i:v/", "") == Entry("Niamh", ipa="nˈiːv")  # ASCII made IPA
    both = entry_from("Kittiwake", {"say": "kitty wake", "ipa": "kˈɪtiwˌeɪk"}, "")
    assert (both.say, both.ipa) == ("kitty wake", "kˈɪtiwˌeɪk")
    assert entry_from("Van  Helsing", "van HEL sing", "").word == "Van Helsing"


@pytest.mark.parametrize(("word", "value", "needle"), [
    ("", "x", "is not a word"),
    ("Ann", "", "non-empty"),
    ("Ann", {"sound": "x"}, "unknown key 'sound'"),
    ("Ann", {}, "give 'say'"),
    ("Ann", 3, "give a respelling"),
    ("Ann", "[[ae]]", "cannot contain"),
])
def test_bad_entries_are_named(word, value, needle):
    with pytest.raises(LexiconError, match=needle):
        entry_from(word, value, "", Path("voices/lexicon.toml"), 4)


def test_matching_is_whole_word_case_insensitive_and_possessive():
    lex = Lexicon({"ann": Entry("Ann", say="An"), "van helsing": Entry("Van Helsing", say="x")})
    assert [e.word for e in lex.matching("Tell ANN's brother.")] == ["Ann"]
    assert lex.matching("Anne and Annabel") == ()
    assert [e.word for e in lex.matching("Dr. Van\nHelsing")] == ["Van Helsing"]


def test_files_layer_and_errors_name_the_line(tmp_path):
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "lexicon.toml").write_text('Joaquin = "/wɑːkˈiːn/"\nNiamh = "neev"\n',
                                         encoding="utf-8")
    (tmp_path / "show.toml").write_text('title = "x"\n[pronounce]\nNiamh = "/nˈiːv/"\n',
                                        encoding="utf-8")
    lex = load_lexicon(voices)  # the show.toml beside voices/ is found
    assert lex.entries["joaquin"].ipa == "wɑːkˈiːn" and lex.entries["niamh"].ipa == "nˈiːv"
    assert load_lexicon(voices, {}).entries["niamh"].say == "neev"  # a show without [pronounce]
    bad = voices / "lexicon.toml"
    bad.write_text('Joaquin = "/wɑːkˈiːn/"\nNiamh = 3\n', encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        load_file(bad)
    assert str(err.value).startswith(f"{bad}:2:")
    bad.write_text('Joaquin = "/w\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="TOML syntax error"):
        load_file(bad)
    (voices / "lexicon.toml").write_text("[pronounce]\nAnn = 'An'\n", encoding="utf-8")
    assert load_file(voices / "lexicon.toml").entries["ann"].say == "An"


def test_the_catalog_does_not_read_the_lexicon_as_voices(tmp_path):
    from pipeline.catalog import load_catalog

    (tmp_path / "lexicon.toml").write_text('voices = "vɔɪsᵻz"\n', encoding="utf-8")
    assert "joe" in load_catalog(tmp_path)


# -- the rewrite ---------------------------------------------------------------------------
def test_rewrite_for_each_kind_of_engine():
    entries = (Entry("Oyelaran", say="oh-yeh-LAH-ran", ipa="ˌoʊjɛlˈɑːɹən"),
               Entry("Van Helsing", say="van HEL sing"))
    text = "Ask Oyelaran's men, and Van Helsing."
    plain = rewrite(text, entries, phonemes=False)
    assert plain.text == "Ask oh-yeh-LAH-ran's men, and van HEL sing."
    ipa = rewrite(text, entries, phonemes=True)
    assert ipa.text == "Ask [[ˌoʊjɛlˈɑːɹənz]] men, and van HEL sing."
    assert ipa.groups == [1, 1, 1, 1, 3, 0]
    assert rewrite("Nothing here.", entries).changed is False


def test_relabel_gives_back_the_authors_words():
    entries = (Entry("Van Helsing", say="van HEL sing"),)
    text = "Ask Van Helsing now."
    out = rewrite(text, entries)
    timed = [WordTiming(w, i, i + 0.5) for i, w in enumerate(out.text.split())]
    words = relabel(timed, text, out)
    assert [w.word for w in words] == ["Ask", "Van", "Helsing", "now."]
    assert (words[1].start, words[1].end) == (1, 3.5) and words[3].start == 4


def test_an_entry_changes_what_piper_says():
    plain = synthesize(JOE, "Tell Joaquin the boat is back.")
    fixed = synthesize(JOE, "Tell Joaquin the boat is back.",
                       pronounce=(Entry("Joaquin", ipa="wɑːkˈiːn"),))
    assert len(plain.samples) != len(fixed.samples) or not np.allclose(plain.samples,
                                                                       fixed.samples)
    assert [w.word for w in fixed.words] == ["Tell", "Joaquin", "the", "boat", "is", "back."]


# -- castwright say ----------------------------------------------------------------------------
def test_say_auditions_and_adds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    voices = tmp_path / "voices"
    voices.mkdir()
    result = runner.invoke(app, ["say", "Joaquin", "--voice", "joe", "--voices-dir", str(voices)])
    assert result.exit_code == 0, result.output
    assert "dʒˈoʊkwɪn" in result.output and "no lexicon entry" in result.output
    assert (tmp_path / "say-joaquin.wav").stat().st_size > 10_000
    result = runner.invoke(app, ["say", "Joaquin", "--ipa", "wɑːkˈiːn", "--in", "Ask {} now.",
                                 "--add", "--voice", "joe", "--voices-dir", str(voices),
                                 "-o", str(tmp_path / "try.wav")])
    assert result.exit_code == 0, result.output
    assert "[[wɑːkˈiːn]]" in result.output
    assert load_file(voices / "lexicon.toml").entries["joaquin"].ipa == "wɑːkˈiːn"
    again = runner.invoke(app, ["say", "Joaquin", "--say", "wah-keen", "--add", "--voice", "joe",
                                "--voices-dir", str(voices)])
    assert again.exit_code == 0
    assert load_file(voices / "lexicon.toml").entries["joaquin"].say == "wah-keen"
    assert (voices / "lexicon.toml").read_text().count("Joaquin") == 1  # replaced, not added
    bad = runner.invoke(app, ["say", "Joaquin", "--in", "no word here", "--voices-dir",
                              str(voices)])
    assert bad.exit_code == 2 and "does not contain" in bad.output


# -- QA names misheard words ---------------------------------------------------------------------
def test_error_regions_pair_script_words_with_what_was_heard():
    ref = ["tell", "joaquin", "the", "boat", "is", "back"]
    hyp = ["tell", "joke", "when", "the", "boat", "is", "back"]
    assert error_regions(ref, hyp) == [(["joaquin"], ["joke", "when"])]
    assert error_regions(["a", "b"], ["a", "b"]) == []


def _metrics(text: str, heard: str, line: str) -> LineMetrics:
    return LineMetrics(line_id=line, speaker="Ann", voice="joe", take=1, cache_key=line,
                       text=text, heard=heard, wer=0.0, errors=0, ref_words=0, duration=1.0,
                       leading_silence=0, trailing_silence=0, longest_pause=0, clipped=0,
                       wpm=0, syllable_rate=0)


def test_suggestions_need_a_word_misheard_again_and_again():
    lines = [_metrics("Tell Joaquin the boat is back.", "Tell joke when the boat is back.", "a"),
             _metrics("Joaquin, come home.", "Joke in, come home.", "b"),
             _metrics("The weather turned.", "The whether turned.", "c")]
    found = suggest(lines, known=set())
    assert [s.word for s in found] == ["Joaquin"]
    assert found[0].misheard == 2 and found[0].heard[0] in ("joke when", "joke in")
    assert found[0].phonemes == "dʒˈoʊkwɪn" and found[0].entry.startswith('Joaquin = "/')
    assert suggest(lines, known={"joaquin"})[0].has_entry


# -- end to end: a lexicon entry fixes the name and re-reads only its lines ---------------------
@pytest.mark.qa
@pytest.mark.xdist_group("render")
def test_lexicon_entry_fixes_a_misread_name_and_rereads_only_its_lines(tmp_path):
    pytest.importorskip("faster_whisper")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from pipeline.qa.episode import QaSettings, run_qa
    from pipeline.render.episode import render_episode

    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "cast.toml").write_text(
        'narrator = "joe"\n[characters.Mara]\nvoice = "joe"\n[characters.Elias]\nvoice = "joe"\n'
        "[mix]\nauto_beds = false\nintro_music = false\noutro_music = false\n",
        encoding="utf-8")
    script = tmp_path / "boat.txt"
    script.write_text("Title: The Boat\n\n# Harbour\nMARA: Tell Joaquin the boat is back.\n"
                      "ELIAS: The tide will turn before the light goes.\n"
                      "MARA: Joaquin always comes home late.\n", encoding="utf-8")
    out = tmp_path / "out"
    first = render_episode(script, out, voices_dir=voices, show_progress=False)
    settings = QaSettings(mixed=False, voices=False, vocabulary="")  # no names prompt
    before = run_qa(first.episode_dir, settings)
    wer_before = {m.line_id: m.wer for m in before.lines}
    assert wer_before["s01-l001"] > 0 and wer_before["s01-l003"] > 0  # the name is misheard
    assert [s["word"] for s in before.pronounce] == ["Joaquin"]
    keys_before = {line["line_id"]: line["cache_key"] for line in first.manifest["lines"]}

    (voices / "lexicon.toml").write_text('Joaquin = "/wɑːkˈiːn/"\n', encoding="utf-8")
    second = render_episode(script, out, voices_dir=voices, show_progress=False)
    assert second.synthesized == 2  # the two lines with the name, nothing else
    keys_after = {line["line_id"]: line["cache_key"] for line in second.manifest["lines"]}
    assert keys_after["s01-l002"] == keys_before["s01-l002"]
    assert keys_after["s01-l001"] != keys_before["s01-l001"]
    assert second.manifest["pronounce"] == [["joaquin", None, "wɑːkˈiːn"]]
    after = run_qa(second.episode_dir, settings)
    wer_after = {m.line_id: m.wer for m in after.lines}
    for line in ("s01-l001", "s01-l003"):
        assert wer_after[line] < wer_before[line]
    assert after.pronounce == []
