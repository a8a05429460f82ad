"""Cover art: check a show's artwork against Apple's rules, or draw a default cover.

Apple Podcasts wants a square JPEG or PNG, 1400-3000 px a side, RGB colour space.
The default cover is drawn with Pillow only (built-in font, no randomness), so the same title gives
the same PNG bytes on the same Pillow version. Regenerate the example show's cover with::

    python -m pipeline.publish.artwork "Castwright Theatre" artwork/cover.png \
        --subtitle "Audio dramas"
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

MIN_SIDE, MAX_SIDE = 1400, 3000
FORMATS = {"JPEG": ".jpg", "PNG": ".png"}
RGB_MODES = {"RGB", "RGBA", "P"}  # P: palette PNG, whose palette is RGB

NIGHT = (16, 27, 46)
DUSK = (36, 67, 92)
AMBER = (242, 178, 76)
CREAM = (244, 234, 213)


class ArtworkProblem(ValueError):
    """The artwork file breaks one of Apple's rules; the message says which."""


def check_artwork(path: Path) -> tuple[int, str]:
    """Return (side in px, file suffix for the format) or raise ``ArtworkProblem``."""
    if not path.is_file():
        raise ArtworkProblem("file not found")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                fmt, (w, h), mode = im.format, im.size, im.mode
                if max(w, h) <= MAX_SIDE:  # never decode a huge image just to refuse it
                    im.load()  # a truncated file fails here rather than in a listener's app
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ArtworkProblem(f"is far too large to be a cover (over {MAX_SIDE} px a side; a "
                             "decompression bomb?)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise ArtworkProblem(f"not a readable image ({err})") from None
    if fmt not in FORMATS:
        raise ArtworkProblem(f"must be JPEG or PNG, not {fmt}")
    if w != h:
        raise ArtworkProblem(f"must be square, not {w}x{h} px")
    if not MIN_SIDE <= w <= MAX_SIDE:
        raise ArtworkProblem(f"must be {MIN_SIDE}-{MAX_SIDE} px a side, not {w}x{h} px")
    if mode not in RGB_MODES:
        raise ArtworkProblem(f"must use the RGB colour space, not {mode}")
    return w, FORMATS[fmt]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)  # Pillow's bundled font: same on every machine


def _wrap(draw: ImageDraw.ImageDraw, words: list[str], font, width: int,
          tracking: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and _tracked_width(draw, f"{lines[-1]} {word}", font, tracking) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _tracked_width(draw: ImageDraw.ImageDraw, text: str, font, tracking: int) -> float:
    return sum(draw.textlength(ch, font=font) for ch in text) + tracking * (len(text) - 1)


def _draw_tracked(draw: ImageDraw.ImageDraw, cx: int, y: int, text: str, font, fill,
                  tracking: int) -> None:
    """Centred text with extra space between letters (a title card look; Pillow has no tracking)."""
    x = cx - _tracked_width(draw, text, font, tracking) / 2
    for ch in text:
        draw.text((x, y), ch, font=font, fill=fill, anchor="lt")
        x += draw.textlength(ch, font=font) + tracking


def draw_cover(title: str, subtitle: str | None = None, side: int = MIN_SIDE) -> Image.Image:
    """A night-blue card with a lamp sending out sound waves, and the title in spaced capitals."""
    scale = 2  # draw at 2x and downsample: Pillow's shapes have no anti-aliasing of their own
    s = side * scale
    mask = Image.linear_gradient("L").resize((s, s))
    im = Image.composite(Image.new("RGB", (s, s), DUSK), Image.new("RGB", (s, s), NIGHT), mask)
    im = im.convert("RGBA")

    glow = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    g = ImageDraw.Draw(glow)
    cx, cy, r = s // 2, int(s * 0.33), int(s * 0.075)
    g.ellipse((cx - r, cy - r, cx + r, cy + r), fill=AMBER + (255,))
    for i in range(1, 5):  # sound waves to either side, fading out
        rr = r + int(s * 0.07) * i
        alpha = 230 - 45 * i
        box = (cx - rr, cy - rr, cx + rr, cy + rr)
        width = max(2, int(s * 0.012))
        g.arc(box, -35, 35, fill=AMBER + (alpha,), width=width)
        g.arc(box, 145, 215, fill=AMBER + (alpha,), width=width)
    im = Image.alpha_composite(im, glow)

    d = ImageDraw.Draw(im)
    max_width = int(s * 0.82)
    words = title.upper().split() or [" "]
    size = int(s * 0.10)
    while True:
        font, tracking = _font(size), size // 8
        lines = _wrap(d, words, font, max_width, tracking)
        fits = all(_tracked_width(d, ln, font, tracking) <= max_width for ln in lines)
        if (len(lines) <= 3 and fits) or size <= s // 40:
            break
        size = int(size * 0.9)
    line_h = int(size * 1.25)
    y = int(s * 0.63)
    rule = int(s * 0.06)
    d.line((cx - rule, y - int(s * 0.035), cx + rule, y - int(s * 0.035)), fill=AMBER,
           width=max(2, s // 400))
    for ln in lines:
        _draw_tracked(d, cx, y, ln, font, CREAM, tracking)
        y += line_h
    if subtitle:
        small = _font(int(s * 0.035))
        _draw_tracked(d, cx, y + int(s * 0.02), subtitle.upper(), small, AMBER, int(s * 0.008))
    return im.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)


def make_cover(title: str, target: Path, subtitle: str | None = None,
               side: int = MIN_SIDE) -> Path:
    """Write a default cover PNG (atomically) and return its path."""
    from pipeline.atomic import atomic_path

    with atomic_path(target) as tmp:
        draw_cover(title, subtitle, side).save(tmp, format="PNG")
    target.chmod(0o644)  # atomic_path's temp file is 0600; cover art is public
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Draw a default square cover for a show.")
    parser.add_argument("title")
    parser.add_argument("target", type=Path)
    parser.add_argument("--subtitle")
    parser.add_argument("--side", type=int, default=MIN_SIDE)
    args = parser.parse_args(argv)
    print(make_cover(args.title, args.target, args.subtitle, args.side))


if __name__ == "__main__":
    main()
