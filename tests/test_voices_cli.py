"""``castwright voices``: list, preview, download (never touches the network)."""

from __future__ import annotations

import pytest
import soundfile as sf
from typer.testing import CliRunner

from pipeline.cli import app

pytestmark = pytest.mark.xdist_group("piper")

runner = CliRunner()


def test_list_shows_catalog():
    result = runner.invoke(app, ["voices"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in ("joe", "maren", "harold", "wren"):
        assert name in result.output
    assert "yes" in result.output


def test_preview_writes_a_wav(tmp_path):
    out = tmp_path / "sub" / "maren.wav"
    result = runner.invoke(app, ["voices", "preview", "maren", "Hello there.", "-o", str(out)])
    assert result.exit_code == 0, result.output
    audio, sr = sf.read(out)
    assert sr == 22050 and 0.3 < len(audio) / sr < 3
    assert not list(out.parent.glob(".*.tmp*"))  # atomic: no temp file left


def test_preview_unknown_voice_is_one_line_exit_2(tmp_path):
    result = runner.invoke(app, ["voices", "preview", "nobody", "Hi.", "-o",
                                 str(tmp_path / "x.wav")])
    assert result.exit_code == 2
    assert "unknown voice 'nobody'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.wav").exists()


def test_preview_punctuation_only_is_an_error(tmp_path):
    result = runner.invoke(app, ["voices", "preview", "joe", "...", "-o",
                                 str(tmp_path / "x.wav")])
    assert result.exit_code == 2 and "nothing to say" in result.output


def test_download_uses_pipers_downloader(tmp_path, monkeypatch):
    import piper.download_voices as dv

    calls = []
    monkeypatch.setattr(dv, "download_voice", lambda name, folder: calls.append((name, folder)))
    result = runner.invoke(app, ["voices", "download", "en_US-lessac-medium",
                                 "--voices-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert calls == [("en_US-lessac-medium", tmp_path)]


def test_download_bad_name_or_no_network(tmp_path, monkeypatch):
    import piper.download_voices as dv

    result = runner.invoke(app, ["voices", "download", "lessac", "--voices-dir", str(tmp_path)])
    assert result.exit_code == 2 and "not a Piper voice name" in result.output

    def offline(name, folder):
        raise OSError("network is unreachable")

    monkeypatch.setattr(dv, "download_voice", offline)
    result = runner.invoke(app, ["voices", "download", "en_US-lessac-medium",
                                 "--voices-dir", str(tmp_path)])
    assert result.exit_code == 2 and "cannot download" in result.output
