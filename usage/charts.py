"""Line charts drawn on the server as inline SVG (no script, no CDN): the geometry is computed
here and the template (usage/_chart.html) writes the elements. Each chart carries its figures
as a table too, for screen readers and for anyone who wants the numbers."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48  # room for the axes' ticks and titles
# Told apart by colour and by dash pattern (readable in greyscale and by the colour-blind).
STYLES = [("#0b6e7a", ""), ("#c25400", "6 3"), ("#5b3fa8", "2 3"), ("#2f7d32", "10 3 2 3"),
          ("#a4262c", "4 4")]


@dataclass
class Series:
    name: str
    values: list[float | None]  # one per x; None leaves a gap
    colour: str = ""
    dash: str = ""
    points: str = ""  # SVG polyline coordinates, filled in by line_chart
    dots: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Tick:
    at: float  # pixel position along its axis
    label: str


@dataclass
class Chart:
    slug: str  # for element ids
    title: str
    x_title: str
    y_title: str
    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    table_head: list[str]
    table_rows: list[list[str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return not any(v is not None for s in self.series for v in s.values)


def nice_step(span: float, ticks: int = 5) -> float:
    """1, 2 or 5 times a power of ten, so that about `ticks` steps cover `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power: float = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _format(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}"


def line_chart(slug: str, title: str, x_title: str, y_title: str, x: Sequence[float],
               x_label: Callable[[float], str], series: list[Series], *,
               max_x_ticks: int = 8, integer_y: bool = False) -> Chart:
    """Series over shared x values (numbers: day indexes or training steps)."""
    values = [v for s in series for v in s.values if v is not None]
    low = min(0.0, *values) if values else 0.0
    high = max(values) if values else 1.0
    step = nice_step(high - low)
    if integer_y:
        step = max(1.0, round(step))
    top_value = step * math.ceil(high / step) if high > 0 else step
    bottom_value = step * math.floor(low / step)
    x_low, x_high = (min(x), max(x)) if x else (0.0, 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(xv: float) -> float:
        return LEFT + (plot_w * (xv - x_low) / (x_high - x_low) if x_high > x_low else plot_w / 2)

    def py(yv: float) -> float:
        return TOP + plot_h * (1 - (yv - bottom_value) / (top_value - bottom_value))

    for n, item in enumerate(series):
        item.colour, item.dash = STYLES[n % len(STYLES)]
        coords = [(px(xv), py(yv)) for xv, yv in zip(x, item.values, strict=True)
                  if yv is not None]
        item.points = " ".join(f"{a:.1f},{b:.1f}" for a, b in coords)
        item.dots = [(round(a, 1), round(b, 1)) for a, b in coords]
    y_ticks = []
    value = bottom_value
    while value <= top_value + step / 2:
        y_ticks.append(Tick(round(py(value), 1), _format(value)))
        value += step
    every = max(1, math.ceil(len(x) / max_x_ticks))
    marked = list(x)[::every]
    if x and marked[-1] != x[-1]:  # the latest point always has its label (today, last step)
        marked[-1 if (len(x) - 1) % every <= every * 3 / 4 else len(marked):] = [x[-1]]
    x_ticks = [Tick(round(px(xv), 1), x_label(xv)) for xv in marked]
    head = [x_title, *(s.name for s in series)]
    rows = [[x_label(xv), *("—" if s.values[i] is None else _format(s.values[i] or 0)
                            for s in series)] for i, xv in enumerate(x)]
    return Chart(slug, title, x_title, y_title, series, x_ticks, y_ticks, head, rows)
