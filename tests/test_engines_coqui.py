"""Coqui engine through a tiny randomly initialised VITS model built here (no download)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.engines import available, identity, synthesize
from pipeline.engines.base import Delivery, VoiceSpec
from pipeline.errors import VoiceError

pytestmark = [pytest.mark.coqui, pytest.mark.xdist_group("coqui")]


@pytest.fixture(scope="module")
def tiny_vits(tmp_path_factory) -> VoiceSpec:
    pytest.importorskip("TTS")
    import torch
    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsConfig
    from TTS.tts.models.vits import Vits, VitsArgs

    torch.manual_seed(0)
    args = VitsArgs(
        hidden_channels=16, hidden_channels_ffn_text_encoder=32, num_heads_text_encoder=2,
        num_layers_text_encoder=1, num_layers_flow=1, num_layers_posterior_encoder=1,
        kernel_size_flow=3, resblock_kernel_sizes_decoder=[3],
        resblock_dilation_sizes_decoder=[[1, 3, 5]], upsample_rates_decoder=[8, 8, 4],
        upsample_initial_channel_decoder=32, upsample_kernel_sizes_decoder=[16, 16, 8],
        out_channels=257, spec_segment_size=8, init_discriminator=False,
    )
    config = VitsConfig(
        model_args=args, use_phonemes=False, text_cleaner="basic_cleaners", add_blank=True,
        audio=BaseAudioConfig(sample_rate=16000, fft_size=512, win_length=512, hop_length=256,
                              num_mels=20),
        characters=CharactersConfig(
            characters_class="TTS.tts.models.vits.VitsCharacters", pad="<PAD>", eos="<EOS>",
            bos="<BOS>", blank="<BLNK>", characters="abcdefghijklmnopqrstuvwxyz",
            punctuations="!'(),-.:;? ", phonemes=None, is_unique=True, is_sorted=True),
    )
    model = Vits(config)
    folder = tmp_path_factory.mktemp("vits")
    torch.save({"model": model.state_dict()}, folder / "model.pth")
    config.save_json(str(folder / "config.json"))
    return VoiceSpec(name="tiny", engine="coqui", model=str(folder / "model.pth"),
                     config=str(folder / "config.json"))


def test_tiny_vits_speaks(tiny_vits):
    assert available(tiny_vits) == (True, "")
    text = "hello there, how are you today."
    take = synthesize(tiny_vits, text)
    assert take.sample_rate == 16000
    assert take.samples.dtype == np.float32 and take.samples.size > 0
    assert np.all(np.isfinite(take.samples)) and np.max(np.abs(take.samples)) <= 1.0
    # Random weights still give one duration step per character: 0.05-3 s for this text.
    assert 0.05 < take.duration < 3.0
    again = synthesize(tiny_vits, text)
    assert np.array_equal(take.samples, again.samples)  # seeded by the take number
    slower = synthesize(tiny_vits, text, Delivery(pace=0.5))
    assert slower.duration > take.duration
    assert "coqui-tts" in identity(tiny_vits) and "model.pth" in identity(tiny_vits)


def test_missing_checkpoint(tmp_path):
    pytest.importorskip("TTS")
    spec = VoiceSpec(name="gone", engine="coqui", model=str(tmp_path / "model.pth"))
    assert not available(spec)[0]
    with pytest.raises(VoiceError, match="not found"):
        synthesize(spec, "Hello.")
