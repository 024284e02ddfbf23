"""The one colour scale for gradients and weights: blue for a value > 0, red for a value < 0, stronger when larger.

The strength of a value v beside the largest |value| shown is s = sqrt(|v| / largest), rounded to one of
``LEVELS`` steps, so small values still show.  Each sign has two shades of the same steps: ``fill`` for boxes
with text on them (pale: black text stays readable) and ``line`` for edges and small cells.  Zero, nan, inf and
a picture whose largest value is 0 get the neutral colour.  Every picture (Graphviz's HSV text) and page (CSS,
its JavaScript given ``page_scale()`` in the page's data) takes its colours from ``STOPS`` here.
"""

from __future__ import annotations

import math
from typing import Any

LEVELS = 16
"""Steps of strength between the palest colour (level 0) and the strongest (level LEVELS)."""

HUES = {"positive": 216, "negative": 0}
"""Hue in degrees of each sign: blue for > 0, red for < 0."""

NEUTRAL = {"fill": "#ffffff", "line": "#9aa5b1"}
"""The colour of a zero or non-finite value, per shade."""

Hsv = tuple[float, float, float]


def _shade(shade: str, hue: float, level: int) -> Hsv:
    """One level as (hue, saturation, value) in [0, 1], t = level / LEVELS.

    fill: saturation 0.08 + 0.552 t at full value (pale, for text on it); line: saturation 0.12 + 0.68 t,
    value 0.95 - 0.2 t (darker, for edges and cells).
    """
    t = level / LEVELS
    if shade == "fill":
        return hue / 360.0, 0.08 + 0.552 * t, 1.0
    return hue / 360.0, 0.12 + 0.68 * t, 0.95 - 0.2 * t


STOPS: dict[str, dict[str, tuple[Hsv, ...]]] = {
    shade: {sign: tuple(_shade(shade, hue, level) for level in range(LEVELS + 1)) for sign, hue in HUES.items()}
    for shade in ("fill", "line")
}
"""STOPS[shade][sign][level]: each strength level as (hue, saturation, value), for "fill" and "line"."""


def graphviz_text(hsv: Hsv) -> str:
    """A colour as Graphviz writes HSV: "0.600 0.356 1.000"."""
    return " ".join(f"{x:.3f}" for x in hsv)


def css_text(hsv: Hsv) -> str:
    """A colour as CSS writes it: "hsl(216, 100%, 82%)" (the same colour as graphviz_text gives)."""
    hue, saturation, value = hsv
    lightness = value * (1.0 - saturation / 2.0)
    s_l = 0.0 if lightness in (0.0, 1.0) else (value - lightness) / min(lightness, 1.0 - lightness)
    return f"hsl({round(hue * 360)}, {round(100 * s_l)}%, {round(100 * lightness)}%)"


def level(value: float, largest: float) -> int | None:
    """round(LEVELS * min(1, sqrt(|value| / largest))), or None for a neutral colour (0, nan, inf, largest 0)."""
    if value == 0.0 or not math.isfinite(value) or not largest > 0.0 or not math.isfinite(largest):
        return None
    return round(LEVELS * min(1.0, math.sqrt(abs(value) / largest)))


def signed_colour(value: float, largest: float, shade: str = "fill", *, css: bool = False) -> str:
    """value's colour beside the largest |value|: STOPS[shade][sign][level] (Graphviz's HSV text, or CSS's)."""
    step = level(value, largest)
    if step is None:
        return NEUTRAL[shade]
    hsv = STOPS[shade]["positive" if value > 0 else "negative"][step]
    return css_text(hsv) if css else graphviz_text(hsv)


def page_scale() -> dict[str, Any]:
    """The scale as a page's data, in CSS: its JavaScript picks stops[shade][sign][level] by the rule of level()."""
    stops = {shade: {sign: [css_text(hsv) for hsv in levels] for sign, levels in signs.items()}
             for shade, signs in STOPS.items()}
    return {"levels": LEVELS, "neutral": dict(NEUTRAL), "stops": stops}


PASSES = (("green", "#2b8a3e", "#ebfbee"), ("violet", "#7048e8", "#f3f0ff"), ("brown", "#a0522d", "#fff4e6"))
"""(name, line, fill) of the box around the nodes a pass made, in a picture of a gradient's graph: the forward
pass, then the 1st, 2nd backward(create_graph=True) below the one drawn; a later one takes the last colours."""


def pass_colour(level: int) -> tuple[str, str, str]:
    """(name, line, fill) for the nodes made by backward pass `level` (0: the forward pass): PASSES[min(level, 2)]."""
    return PASSES[min(level, len(PASSES) - 1)]
