"""The digest's trend chart: 14 days of opened vs resolved as a small PNG. matplotlib is imported here, on
first use, with the Agg backend chosen in code: no display is needed and importing the bot stays cheap."""

from __future__ import annotations

import io

from bot.services.digest import Trend


def trend_png(trend: Trend, *, title: str, opened_label: str, resolved_label: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # headless servers: never try a GUI backend
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    # A Figure made directly (not pyplot) is not registered globally, so concurrent digests never share state.
    figure = Figure(figsize=(6.4, 2.4), dpi=100)
    axes = figure.subplots()
    positions = list(range(len(trend.days)))
    width = 0.4
    axes.bar([p - width / 2 for p in positions], trend.opened, width, label=opened_label, color="#1d9bd1")
    axes.bar([p + width / 2 for p in positions], trend.resolved, width, label=resolved_label, color="#2bac76")
    axes.set_xticks(positions, [f"{day.day}/{day.month}" for day in trend.days], fontsize=7)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of tickets: no 2.5 on the axis
    axes.tick_params(axis="y", labelsize=7)
    axes.set_title(title, fontsize=9)
    axes.legend(fontsize=7, frameon=False)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
