"""The programme figures as a chart (matplotlib, imported only when a chart is drawn: 0.4 s that every other command
and page would pay): the CLI's PNG file and the web console's image are the same drawing."""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any

from core.i18n import Translator
from domain.indicators import Report
from handlers.report import Line, period_text, week_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _pyplot() -> Any:
    """matplotlib, imported only when a chart is drawn (0.4 s, which every other command would pay)."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.pyplot as plt

    return plt


def chart(report: Report, lines: list[Line], i18n: Translator, where: str) -> Figure:
    """One panel per section, a line per indicator (none for an indicator that stayed at 0); hidden and
    withheld weeks are left out (gaps); a panel with nothing to draw says so; counts on whole-number axes."""
    from matplotlib.ticker import MaxNLocator

    _ = i18n.gettext
    plt = _pyplot()
    figure: Figure
    sections = list(dict.fromkeys(line.section for line in lines))
    figure, axes = plt.subplots(len(sections), 1, figsize=(11, 3.2 * len(sections)), sharex=True, squeeze=False)
    positions = list(range(len(report.weeks)))
    for axis, section in zip(axes[:, 0], sections, strict=True):
        for row, line in zip(report.rows, lines, strict=True):
            if line.section != section:
                continue
            values = [c.value if c.exact else math.nan for c in row.weeks]
            if all(math.isnan(v) or v == 0 for v in values):  # nothing drawable, or nothing happened
                continue
            axis.plot(positions, values, marker="o", label=line.label)
        axis.set_title(section, loc="left", fontsize=11)
        axis.set_ylim(bottom=0)
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts of people and events
        if not axis.get_lines():
            axis.set_ylim(0, 1)
            axis.text(0.5, 0.5, _("No figures"), transform=axis.transAxes, ha="center", va="center", color="grey")
        axis.grid(axis="y", alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[-1, 0].set_xticks(positions, [week_label(i18n, w) for w in report.weeks], rotation=45)
    figure.suptitle(f"{_('Programme figures')}, {where}, {period_text(i18n, report.weeks)}")
    figure.text(
        0.01,
        0.005,
        _("Weeks with 1 to 4 events, and withheld figures, are not drawn. Anonymous weekly counts."),
        fontsize=8,
    )
    figure.tight_layout(rect=(0, 0.02, 1, 1))
    return figure


def chart_png(report: Report, lines: list[Line], i18n: Translator, where: str, *, dpi: int) -> bytes:
    """:func:`chart` as PNG bytes (the figure closed after)."""
    figure = chart(report, lines, i18n, where)
    out = io.BytesIO()
    try:
        figure.savefig(out, format="png", dpi=dpi)
    finally:
        _pyplot().close(figure)
    return out.getvalue()
