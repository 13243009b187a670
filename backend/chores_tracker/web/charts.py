"""Bar charts drawn on the server as SVG geometry: no JavaScript, no chart library, readable anywhere."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Frame:
    """The drawing's size in SVG units; drawn about 1:1 on the screen it is meant for, so text
    stays readable (a phone gets the narrow frame, a wider screen the wide one; see app.css)."""

    width: int
    height: int
    left: int  # room for the axis labels
    bottom: int  # room for the bar labels
    right: int = 8
    top: int = 22


NARROW = Frame(width=360, height=230, left=38, bottom=30)
WIDE = Frame(width=960, height=280, left=56, bottom=34)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: Decimal
    negative: bool


@dataclass(frozen=True)
class GridLine:
    y: float
    value: Decimal


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    grid: list[GridLine]
    baseline: float
    left: int
    right_edge: int
    label_y: float

    @property
    def is_empty(self) -> bool:
        return all(bar.value == 0 for bar in self.bars)


def _nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` grid lines."""
    raw = span / ticks
    power: float = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def bar_chart(points: list[tuple[str, Decimal]], frame: Frame = WIDE) -> BarChart:
    """Bars for (label, value) points; negative values hang below the zero line."""
    values = [float(value) for _, value in points] or [0.0]
    top = max(max(values), 0.0)
    bottom = min(min(values), 0.0)
    if top == bottom:
        top = 10.0
    step = _nice_step(top - bottom)
    top = math.ceil(top / step) * step
    bottom = math.floor(bottom / step) * step
    plot_height = frame.height - frame.top - frame.bottom

    def y_of(value: float) -> float:
        return frame.top + (top - value) / (top - bottom) * plot_height

    grid = []
    tick = bottom
    while tick <= top + step / 2:
        grid.append(GridLine(round(y_of(tick), 1), Decimal(str(round(tick, 2)))))
        tick += step
    baseline = y_of(0.0)
    slot = (frame.width - frame.left - frame.right) / max(len(points), 1)
    bar_width = min(slot * 0.62, 56)
    bars = []
    for index, (label, value) in enumerate(points):
        y_value = y_of(float(value))
        x = frame.left + slot * index + (slot - bar_width) / 2
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(min(y_value, baseline), 1),
                width=round(bar_width, 1),
                height=round(abs(baseline - y_value), 1),
                label=label,
                value=value,
                negative=value < 0,
            )
        )
    return BarChart(
        width=frame.width,
        height=frame.height,
        bars=bars,
        grid=grid,
        baseline=round(baseline, 1),
        left=frame.left,
        right_edge=frame.width - frame.right,
        label_y=frame.height - frame.bottom + 20,
    )
