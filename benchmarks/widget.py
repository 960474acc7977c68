"""Redraw time of the live what-if widget (``carbonsim.widgets.what_if``).

Builds the widget for the bundled plan, moves each slider a few times as a planner would, and
prints the median and the slowest redraw, split into simulate + check and drawing, with the
machine it ran on.  The issue's target is 150 ms a redraw (to follow a slider).

    python benchmarks/widget.py          # 3 moves per slider
    python benchmarks/widget.py 10       # 10 moves per slider
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time


def main(moves: int = 3) -> None:
    from carbonsim.widgets import what_if

    start = time.perf_counter()
    widget = what_if("plan")
    built = time.perf_counter() - start
    total, model = [], []
    for slider in widget.sliders.values():
        for k in range(moves):
            value = slider.min + (slider.max - slider.min) * (k + 1) / (moves + 1)
            slider.value = round(value / slider.step) * slider.step  # observers redraw
            total.append(widget.last_redraw)
            t = time.perf_counter()
            widget.simulate()
            model.append(time.perf_counter() - t)
        slider.value = slider.min
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"build (baseline, arrays, first draw): {built:.2f} s")
    print(f"redraws: {len(total)} over {len(widget.sliders)} sliders")
    print(
        f"redraw median {statistics.median(total) * 1000:.0f} ms, "
        f"slowest {max(total) * 1000:.0f} ms (target 150 ms)"
    )
    print(f"  of which simulate + check: median {statistics.median(model) * 1000:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
