"""matplotlib charts for the Word report, returned as PNG bytes (150 dpi)."""

from __future__ import annotations

import io
import os
import tempfile
import textwrap
from pathlib import Path

from agenda.models import SECTORS, AgendaItem

from . import common

DPI = 150
KIND_COLOURS = {
    "meeting": "#1F3B5A",
    "case": "#2F8F9D",
    "survey": "#E3A33B",
    "publication": "#9B6FB0",
}
_FONT = ["Carlito", "Calibri", "DejaVu Sans"]


def _plt():
    # matplotlib keeps its font cache and config under ~/.cache and ~/.config; an unattended build
    # writes nothing under the operator's home (a folder of its own in the temp dir, reused)
    os.environ.setdefault("MPLCONFIGDIR", str(Path(tempfile.gettempdir()) / f"kennisagenda-matplotlib-{getattr(os, 'getuid', lambda: 0)()}"))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": _FONT + list(plt.rcParams["font.sans-serif"]),
        "font.size": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.hashsalt": "kennisagenda",
    })
    return plt


def _label(item: AgendaItem, width: int, lines: int = 1) -> str:
    """'<rank>. <question>', shortened to ``lines`` lines of ``width`` characters."""
    q = f"{item.rank}. {common.one_line(item.question)}"
    wrapped = textwrap.wrap(q, width=width)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = textwrap.shorten(wrapped[-1] + " " + "x" * width, width=width, placeholder=" …")
    return "\n".join(wrapped)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def top_sources_chart(items: list[AgendaItem], *, width_cm: float = 16.0) -> bytes:
    """Horizontal bars: the top items by number of distinct sources, stacked by source kind."""
    plt = _plt()
    items = sorted(items, key=lambda i: i.rank)[:10]
    kinds_present = [k for k in common.KIND_ORDER if any(i.kinds.get(k) for i in items)]
    extra = sorted({k for i in items for k in i.kinds if k not in common.KIND_ORDER})
    kinds_present += extra
    height_cm = 1.8 + 0.8 * max(len(items), 1)
    fig, ax = plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54))
    labels = [_label(i, 50, lines=2) for i in items]
    ypos = list(range(len(items)))[::-1]
    left = [0.0] * len(items)
    for kind in kinds_present:
        values = [float(i.kinds.get(kind, 0)) for i in items]
        ax.barh(ypos, values, left=left, height=0.62, color=KIND_COLOURS.get(kind, "#888888"),
                label=common.KIND_LABELS.get(kind, (kind, kind))[1].capitalize(), edgecolor="white", linewidth=0.5)
        left = [a + b for a, b in zip(left, values)]
    # items without a per-kind breakdown: show the frequency as a plain bar
    rest = [max(float(i.frequency) - l, 0.0) for i, l in zip(items, left)]
    if any(rest):
        ax.barh(ypos, rest, left=left, height=0.62, color="#BBBBBB", label="Overig", edgecolor="white", linewidth=0.5)
    for y, item in zip(ypos, items):
        ax.text(max(item.frequency, 0) + 0.1, y, str(item.frequency), va="center", fontsize=7.5, color="#333333")
    ax.set_yticks(ypos)
    ax.set_yticklabels(labels, fontsize=7.5)
    ax.set_xlabel("Aantal verschillende bronnen (een enquêterespondent telt als één bron)", fontsize=7.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    if kinds_present:
        ax.legend(loc="lower right", fontsize=7, frameon=False)
    fig.tight_layout()
    data = _png(fig)
    plt.close(fig)
    return data


def sector_heatmap(items: list[AgendaItem], *, width_cm: float = 16.0) -> bytes:
    """Questions (rows) × sectors (columns): number of formulations per sector, annotated."""
    plt = _plt()
    import numpy as np

    items = sorted(items, key=lambda i: i.rank)
    columns = list(SECTORS)
    counts = [common.sector_counts(i) for i in items]
    if any(c.get("-") for c in counts):
        columns.append("-")
    data = np.array([[c.get(s, 0) for s in columns] for c in counts], dtype=float)
    height_cm = 2.0 + 0.6 * max(len(items), 1)
    fig, ax = plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54))
    vmax = max(float(data.max()) if data.size else 1.0, 1.0)
    ax.imshow(data, cmap="Blues", aspect="auto", vmin=0, vmax=vmax * 1.15)
    for r in range(data.shape[0]):
        for c in range(data.shape[1]):
            v = int(data[r, c])
            if v:
                ax.text(c, r, str(v), ha="center", va="center", fontsize=7.5,
                        color="white" if v > vmax * 0.6 else "#1F3B5A")
    ax.set_xticks(range(len(columns)))
    ax.set_xticklabels(["geen" if s == "-" else s for s in columns], fontsize=8.5)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(items)))
    ax.set_yticklabels([_label(i, 64) for i in items], fontsize=8)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([x - 0.5 for x in range(1, len(columns))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(items))], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.2)
    ax.tick_params(which="minor", length=0)
    fig.tight_layout()
    out = _png(fig)
    plt.close(fig)
    return out
