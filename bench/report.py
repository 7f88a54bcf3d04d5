"""The report: a table on stdout, bench/results/<date>.md, and PNG plots (matplotlib)."""

import platform
from pathlib import Path

TARGETS = {
    "detail": ("≤ 1.5× raw GET + parse", lambda r: r["ratio_median"] <= 1.5),
    "list": ("≥ 50× faster than the seed", lambda r: r["ratio_median"] <= 1 / 50),
    "change": ("≤ 3× the unchanged list", lambda r: r["ratio_median"] <= 3),
    "write": ("≤ 2× raw SET", lambda r: r["ratio_median"] <= 2),
}
RESULTS = Path(__file__).parent / "results"
COMMANDS = {"full": "make bench", "quick": "make bench-quick", "tiny": "python -m bench.run --tiny"}


def duration(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def ratio(value):
    return f"{value:.2f}×" if value >= 0.1 else f"1/{1 / value:.0f}"


def verdict(result):
    """(target text, met?) for the redis rows that carry a target; ("", None) otherwise."""
    if result["target"] not in TARGETS or not result["backend"].startswith("redis"):
        return "", None
    if result["target"] == "list" and result["size"] > 10_000:
        return "", None  # at 100,000 the target is flatness (see below), not the seed ratio
    text, check = TARGETS[result["target"]]
    return text, check(result)


def mark(met):
    return "" if met is None else ("met" if met else "**missed**")


def storage_table(results):
    lines = [
        "| backend | operation | records | ours median / p99 | baseline | baseline median / p99 "
        "| ours/baseline median / p99 | target | |",
        "|---|---|--:|--:|---|--:|--:|---|---|",
    ]
    for r in results:
        text, met = verdict(r)
        lines.append(
            f"| {r['backend']} | {r['op']} | {r['size']:,} | {duration(r['ours']['median'])} / "
            f"{duration(r['ours']['p99'])} | {r['baseline_name']} | {duration(r['baseline']['median'])} / "
            f"{duration(r['baseline']['p99'])} | {ratio(r['ratio_median'])} / {ratio(r['ratio_p99'])} "
            f"| {text} | {mark(met)} |"
        )
    return lines


def flatness(results):
    """Our unchanged redis list at the largest size against the smallest (target ≤ 2×)."""
    lists = sorted(
        (r for r in results if r["backend"] == "redis" and r["op"] == "list, unchanged"), key=lambda r: r["size"]
    )
    if len(lists) < 2:
        return None
    small, large = lists[0], lists[-1]
    return {
        "small": small["size"],
        "large": large["size"],
        "median": large["ours"]["median"] / small["ours"]["median"],
        "p99": large["ours"]["p99"] / small["ours"]["p99"],
    }


def memory_table(memory_rows):
    lines = [
        "| run | collection | records | JSON per record | Redis per record (INFO delta) | ratio | target ≤ 2× "
        "| record keys | index | changes | unique | by-indexes, other | op-id key per write (300 s) |",
        "|---|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|",
    ]
    for m in memory_rows:
        p = m["parts_per_record"]
        lines.append(
            f"| {m.get('run', '')} | {m['collection']} | {m['count']:,} | {m['json_per_record']:.0f} B "
            f"| {m['total_per_record']:.0f} B "
            f"| {m['ratio']:.2f}× | {mark(m['ratio'] <= 2)} | {p['records']:.0f} B | {p['index']:.0f} B "
            f"| {p['changes']:.0f} B | {p['unique']:.0f} B | {p['by-indexes, other']:.0f} B "
            f"| {m['op_keys_per_write']:.0f} B |"
        )
    return lines


def api_table(api):
    lines = [
        "| endpoint | system | requests | errors | req/s | median | p99 | req/s vs ORM on PostgreSQL |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for endpoint, systems in api["endpoints"].items():
        reference = systems.get("ORM on PostgreSQL", {}).get("rps")
        for system, m in systems.items():
            if "unavailable" in m:
                lines.append(f"| {endpoint} | {system} | — | — | — | — | — | {m['unavailable']} |")
                continue
            versus = f"{m['rps'] / reference:.2f}×" if reference else "—"
            lines.append(
                f"| {endpoint} | {system} | {m['requests']:,} | {m['errors']} | {m['rps']:.0f} "
                f"| {duration(m['median'])} | {duration(m['p99'])} | {versus} |"
            )
    return lines


def write(run):
    """Write the markdown report and plots; returns the report's path."""
    RESULTS.mkdir(exist_ok=True)
    stem = run["date"]
    plots = make_plots(run, stem)
    info = run["machine"]
    lines = [
        f"# Benchmark report {run['date']} ({run['profile']} run)",
        "",
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), Python {platform.python_version()}, "
        f"redis-server {info['redis']}, PostgreSQL {info.get('postgres', 'not reachable')}. "
        f"Run took {run['seconds']:.0f} s. Produced by `{COMMANDS[run['profile']]}`.",
        "",
        "Every ratio is ours / baseline, measured in this one run on this machine, ours and the baseline "
        "interleaved in rounds. Medians and p99 (nearest rank; with fewer than 100 samples p99 is the "
        "maximum). Times are per operation, in process, over loopback.",
        "",
        *analysis_section(run),
        "## Storage layer",
        "",
        *storage_table(run["storage"]),
        "",
    ]
    flat = flatness(run["storage"])
    if flat:
        met = flat["median"] <= 2
        lines += [
            f"Unchanged list, {flat['large']:,} against {flat['small']:,} records (flat in size, target ≤ 2×): "
            f"median {flat['median']:.2f}×, p99 {flat['p99']:.2f}× — {mark(met)}.",
            "",
        ]
    if run.get("memory"):
        lines += ["## Memory in Redis per record", "", *memory_table(run["memory"]), ""]
    if run.get("scale"):
        lines += ["## At scale", ""]
        for cold in run["scale"]["cold"]:
            lines.append(
                f"- Cold start of a new process on {cold['count']:,} {cold['collection']}: first list "
                f"{duration(cold['seconds'])}, process memory +{cold['rss_per_record']:.0f} B per record."
            )
        lines.append("")
    if run.get("api"):
        lines += ["## API over HTTP", "", run["api"]["setup"], "", *api_table(run["api"]), ""]
        lines += [f"- {note}" for note in run["api"]["notes"]] + [""]
    if run.get("notes"):
        lines += ["## Notes", "", *[f"- {n}" for n in run["notes"]], ""]
    lines += ["## Plots", "", *[f"![{p.stem}]({p.name})" for p in plots], ""]
    path = RESULTS / f"{stem}.md"
    path.write_text("\n".join(lines))
    return path


def analysis_section(run):
    from .analysis import section

    return section(run)


def make_plots(run, stem):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    lists = [r for r in run["storage"] if r["backend"] == "redis" and r["op"].startswith("list")]
    if lists:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        series = {}
        for r in lists:
            series.setdefault(f"ours: {r['op']}", []).append((r["size"], r["ours"]["median"]))
            if r["op"] == "list, unchanged":
                series.setdefault("seed: fetch all + parse", []).append((r["size"], r["baseline"]["median"]))
        for label, points in series.items():
            points.sort()
            ax.plot([p[0] for p in points], [p[1] * 1e3 for p in points], marker="o", label=label)
        ax.set(xscale="log", yscale="log", xlabel="records in the collection", ylabel="median latency (ms)")
        ax.set_title("List latency vs collection size (redis, in process)")
        ax.legend()
        ax.grid(True, which="both", alpha=0.3)
        paths.append(_save(fig, f"{stem}-list-latency.png"))
    if run.get("api"):
        endpoints = run["api"]["endpoints"]
        systems = sorted({s for e in endpoints.values() for s, m in e.items() if "rps" in m})
        fig, ax = plt.subplots(figsize=(8, 4.5))
        width = 0.8 / max(1, len(systems))
        for n, system in enumerate(systems):
            values = [endpoints[e].get(system, {}).get("rps", 0) for e in endpoints]
            ax.bar([i + n * width for i in range(len(endpoints))], values, width, label=system)
        ax.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(endpoints))], list(endpoints))
        ax.set(ylabel="requests/s", title="API requests/s per system (gunicorn, 2 workers)")
        ax.legend(fontsize=8)
        paths.append(_save(fig, f"{stem}-api-rps.png"))
    return paths


def _save(fig, name):
    import matplotlib.pyplot as plt

    path = RESULTS / name
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def print_table(run):
    for line in storage_table(run["storage"]):
        print(line)
    if run.get("memory"):
        print()
        for line in memory_table(run["memory"]):
            print(line)
    if run.get("api"):
        print()
        for line in api_table(run["api"]):
            print(line)
