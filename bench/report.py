"""The report: a table on stdout, bench/results/<date>.md, and PNG plots (matplotlib) beside it."""

import platform
from pathlib import Path

TARGETS = {
    "detail": ("≤ 1.3× raw GET + parse", lambda r: r["ratio_median"] <= 1.3),
    "page": ("≤ 4× a detail read", lambda r: r["ratio_median"] <= 4),
    "change": ("≤ 2× the unchanged page", lambda r: r["ratio_median"] <= 2),
    "create": ("≤ 1.3× the MULTI", lambda r: r["ratio_median"] <= 1.3),
    "update": ("≤ 2.5× raw SET", lambda r: r["ratio_median"] <= 2.5),
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


def memory_table(memory_rows):
    from .analysis import MEMORY_TARGET_SIZES  # analysis imports this module

    lines = [
        "| run | collection | records | JSON per record | Redis per record (INFO delta) | ratio | target ≤ 2× "
        "| record keys | index | changes | unique | by-indexes, other | op-id key per write (300 s) |",
        "|---|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|",
    ]
    for m in memory_rows:
        p = m["parts_per_record"]
        judged = m["count"] >= MEMORY_TARGET_SIZES.get(m["collection"], 0)
        verdict = mark(m["ratio"] <= 2) if judged else "not judged at this size"
        lines.append(
            f"| {m.get('run', '')} | {m['collection']} | {m['count']:,} | {m['json_per_record']:.0f} B "
            f"| {m['total_per_record']:.0f} B "
            f"| {m['ratio']:.2f}× | {verdict} | {p['records']:.0f} B | {p['index']:.0f} B "
            f"| {p['changes']:.0f} B | {p['unique']:.0f} B | {p['by-indexes, other']:.0f} B "
            f"| {m['op_keys_per_write']:.0f} B |"
        )
    return lines


def api_table(api):
    lines = [
        "| endpoint | system | requests | errors | req/s (median of rounds) | p50 | p99 | req/s per round |",
        "|---|---|--:|--:|--:|--:|--:|---|",
    ]
    for endpoint, systems in api["endpoints"].items():
        for system, m in systems.items():
            kinds = ", ".join(f"{k} {v}" for k, v in m.get("error_kinds", {}).items())
            lines.append(
                f"| {endpoint} | {system} | {m['requests']:,} | {m['errors']}{f' ({kinds})' if kinds else ''} "
                f"| {m['rps']:.0f} | {duration(m['median'])} | {duration(m['p99'])} "
                f"| {', '.join(f'{r:.0f}' for r in m['rounds'])} |"
            )
    return lines


def trips_lines(results):
    lines = []
    for r in results:
        if "round_trips" in r:
            commands = ", ".join(f"{k} {v:g}" for k, v in r["by_command"].items())
            lines.append(
                f"- {r['backend']} {r['op']}: {r['round_trips']:g} round trip(s) (redis-py sends counted), "
                f"{r['commands']:g} Redis command(s) (INFO commandstats delta, the script's own included): {commands}."
            )
    return lines


def header_lines(run):
    """Title, machine and method: what every figure below was measured on and how."""
    info = run["machine"]
    return [
        f"# Benchmark report {run['date']} ({run['profile']} run)",
        "",
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), Python {platform.python_version()}, "
        f"redis-server {info['redis']}, PostgreSQL {info.get('postgres', 'not reachable')}. "
        f"Run took {run['seconds']:.0f} s. Produced by `{COMMANDS[run['profile']]}`. Load average (1 min) "
        f"{info.get('load_start', 0):.1f} at the start, {info.get('load_end', 0):.1f} at the end: other "
        "processes may share these cores, which is why every comparison alternates its systems in rounds.",
        "",
        "Every ratio is ours / baseline, measured in this one run on this machine, ours and the baseline "
        "interleaved in rounds. Medians and p99 (nearest rank; with fewer than 100 samples p99 is the "
        "maximum). Storage times are per operation, in process, over loopback. A list page is what the API "
        "does for ?limit=50: a QuerySet of the model (Client.objects, Session.objects), its count, then the "
        "slice of 50.",
        "",
    ]


def storage_section(results):
    lines = ["## Storage layer", "", *storage_table(results), ""]
    trips = trips_lines(results)
    if trips:
        lines += ["Round trips per write (50 writes counted):", "", *trips, ""]
    return lines


def memory_section(run):
    if not run.get("memory"):
        return []
    return ["## Memory in Redis per record", "", *memory_table(run["memory"]), ""]


def first_page_section(run):
    if not run.get("scale"):
        return []
    lines = ["## A new process's first list page", ""]
    for cold in run["scale"]["cold"]:
        lines.append(
            f"- {cold['count']:,} {cold['collection']}: first page of 50 (count + slice through the model "
            f"API) {duration(cold['seconds'])} after Django is set up; the process grew by "
            f"{cold['rss_delta'] / 1048576:.0f} MB ({cold['rss_delta'] / cold['count']:.0f} B per record)."
        )
    return lines + [""]


def fresh_worker_text(fresh):
    return (
        f"Fresh gunicorn worker (1 worker, STORAGE_CACHE_MAX_RECORDS={fresh['cache_max_records']} in its "
        f"environment) on {fresh['records']:,} clients: first list page "
        f"{duration(fresh['first_page_seconds'])} after its first detail GET; RSS idle "
        f"{fresh['idle_rss'] / 1048576:.0f} MB, after paging through every client ({fresh['pages']} pages "
        f"of 500, {fresh['paging_seconds']:.1f} s) {fresh['rss_after_paging'] / 1048576:.0f} MB."
    )


def api_section(run):
    api = run.get("api")
    if not api:
        return []
    lines = ["## API over HTTP", "", api["setup"], "", *api_table(api), ""]
    if api.get("fresh_worker"):
        lines += [fresh_worker_text(api["fresh_worker"]), ""]
    return lines + [f"- {note}" for note in api["notes"]] + [""]


def notes_section(run):
    if not run.get("notes"):
        return []
    return ["## Notes", "", *[f"- {n}" for n in run["notes"]], ""]


def write(run):
    """Write the markdown report and plots; returns the report's path."""
    RESULTS.mkdir(exist_ok=True)
    stem = run["date"]
    plots = make_plots(run, stem)
    lines = [
        *header_lines(run),
        *analysis_section(run),
        *storage_section(run["storage"]),
        *memory_section(run),
        *first_page_section(run),
        *api_section(run),
        *notes_section(run),
        *["## Plots", "", *[f"![{p.stem}]({p.name})" for p in plots], ""],
    ]
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
    lists = [r for r in run["storage"] if r["backend"].startswith("redis") and r["op"].startswith("list page")]
    if lists:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        series = {}
        for r in lists:
            series.setdefault(f"ours: {r['op']}", []).append((r["size"], r["ours"]["median"]))
        for r in run["storage"]:
            if r["backend"].startswith("redis") and r["op"] == "detail read":
                series.setdefault("ours: detail read", []).append((r["size"], r["ours"]["median"]))
        for label, points in series.items():
            points.sort()
            ax.plot([p[0] for p in points], [p[1] * 1e3 for p in points], marker="o", label=label)
        ax.set(xscale="log", yscale="log", xlabel="records in the collection", ylabel="median latency (ms)")
        ax.set_title("List page of 50 and detail read vs collection size (redis, in process)")
        ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
        paths.append(_save(fig, f"{stem}-list-latency.png"))
    if run.get("api"):
        endpoints = run["api"]["endpoints"]
        systems = sorted({s for e in endpoints.values() for s, m in e.items() if "rps" in m})
        fig, ax = plt.subplots(figsize=(10, 5.5))
        width = 0.8 / max(1, len(systems))
        for n, system in enumerate(systems):
            values = [endpoints[e].get(system, {}).get("rps", 0) for e in endpoints]
            ax.bar([i + n * width for i in range(len(endpoints))], values, width, label=system)
        names = [e.split(":")[0] if e.startswith("mixed") else e for e in endpoints]
        ax.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(endpoints))], names)
        ax.tick_params(axis="x", labelrotation=20, labelsize=7)
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
