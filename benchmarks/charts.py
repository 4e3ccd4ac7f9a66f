"""The bench charts (SPEC §6): each plan's week as a Gantt chart, the department's
daily load per kind, and the solver's gap to its bound over time, as PNG files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from benchmarks.cases import CaseResult
from engine.domain import Timetable
from engine.policy import Policy, format_clock

KIND_COLOURS = {
    "visit": "#4caf50", "maintenance": "#00acc1", "site_study": "#ab47bc", "promotion": "#fbc02d",
    "pos_project": "#1e88e5", "phone": "#8d6e63", "meeting": "#e53935", "admin": "#9e9e9e",
    "lunch": "#e0e0e0",
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


def gantt_chart(timetable: Timetable, policy: Policy, path: Path, title: str) -> Path:
    """Each manager's week as a Gantt chart: a panel per working day, a row per manager."""
    plt = _pyplot()
    dates = sorted({b.date for b in timetable.blocks})
    managers = [m.id for m in timetable.managers] or sorted({b.manager for b in timetable.blocks})
    rows = {m: i for i, m in enumerate(managers)}
    height = max(3.0, 0.28 * len(managers) + 1.5)
    fig, axes = plt.subplots(1, max(1, len(dates)), figsize=(3.2 * max(1, len(dates)), height),
                             sharey=True, squeeze=False)
    for ax, date in zip(axes[0], dates, strict=False):
        for block in (b for b in timetable.blocks if b.date == date and b.manager in rows):
            ax.barh(rows[block.manager], (block.end - block.start) / 60, left=block.start / 60,
                    color=KIND_COLOURS.get(block.kind, "#607d8b"), edgecolor="white", linewidth=0.4)
        ax.set_xlim(policy.day.start / 60, policy.day.end / 60)
        ax.axvline(policy.day.normal_end / 60, color="black", linestyle=":", linewidth=0.8)
        ax.set_title(f"{date:%a %m-%d}", fontsize=9)
        ax.set_xticks(range(policy.day.start // 60, policy.day.end // 60 + 1, 2))
        ax.tick_params(labelsize=7)
    axes[0][0].set_yticks(range(len(managers)), managers, fontsize=7)
    axes[0][0].set_ylim(len(managers) - 0.5, -0.5)  # first manager on top, no empty margin
    handles = [plt.Rectangle((0, 0), 1, 1, color=KIND_COLOURS[k]) for k in KIND_COLOURS
               if any(b.kind == k for b in timetable.blocks)]
    labels = [policy.kind_label(k, "en") for k in KIND_COLOURS if any(b.kind == k for b in timetable.blocks)]
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), fontsize=7, frameon=False)
    fig.suptitle(title, fontsize=10)
    # Room for the legend and title in inches, whatever the number of managers.
    fig.tight_layout(rect=(0, 0.6 / height, 1, 1 - 0.45 / height))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def daily_load_chart(timetables: dict[str, Timetable], policy: Policy, path: Path, title: str) -> Path:
    """The department's hours per day and kind, one panel per plan."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(timetables), figsize=(5 * len(timetables), 3.6), sharey=True,
                             squeeze=False)
    for ax, (name, timetable) in zip(axes[0], timetables.items(), strict=True):
        dates = sorted({b.date for b in timetable.blocks})
        bottom = [0.0] * len(dates)
        for kind, colour in KIND_COLOURS.items():
            if kind == "lunch":
                continue
            hours = [sum(b.end - b.start for b in timetable.blocks if b.date == d and b.kind == kind) / 60
                     for d in dates]
            if any(hours):
                ax.bar([f"{d:%a}" for d in dates], hours, bottom=bottom, color=colour,
                       label=policy.kind_label(kind, "en"))
                bottom = [a + b for a, b in zip(bottom, hours, strict=True)]
        ax.set_title(name, fontsize=9)
        ax.set_ylabel("hours, whole department")
    axes[0][-1].legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def gap_chart(cases: Sequence[CaseResult], path: Path) -> Path:
    """The solver's relative gap to its bound over time, one curve per case."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for case in cases:
        if not case.progress:
            continue
        seconds = [p[0] for p in case.progress]
        gaps = [max(abs(obj - bound) / max(1.0, abs(obj)), 1e-4) for _, obj, bound in case.progress]
        seconds.append(case.seconds)
        gaps.append(max(case.gap if case.gap is not None else gaps[-1], 1e-4))
        ax.step(seconds, gaps, where="post", label=f"{case.case} ({case.status})")
    ax.set_yscale("log")
    ax.set_xlabel("seconds")
    ax.set_ylabel("gap |objective − bound| / |objective|")
    ax.set_title("CP-SAT gap to bound over time")
    ax.grid(True, which="both", linewidth=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no solution found in the time limit", transform=ax.transAxes,
                ha="center", va="center")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_plots(cases: Sequence[CaseResult], folder: Path) -> list[Path]:
    """Gantt charts of both plans, the daily load, and the gap curves of the suite."""
    written = []
    for case in cases:
        policy = case.policy
        if policy is None:
            raise ValueError(f"case {case.case} has no policy to draw its day with")
        stem = f"{case.suite}-{_slug(case.case)}"
        for name, timetable in case.timetables.items():
            written.append(gantt_chart(timetable, policy, folder / f"{stem}-{name}-gantt.png",
                                       f"{case.case}: {name} week ({format_clock(policy.day.start)}–"
                                       f"{format_clock(policy.day.end)})"))
        if case.timetables:
            written.append(daily_load_chart(case.timetables, policy, folder / f"{stem}-daily-load.png",
                                            f"{case.case}: the department's daily load"))
    if cases:
        written.append(gap_chart(cases, folder / "gap-vs-time.png"))
    return written
