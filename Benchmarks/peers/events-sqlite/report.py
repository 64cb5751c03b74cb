"""Reads the JSON lines of `run`, prints one table per durability and a final `RESULT {json}` line.

Usage: report.py RESULTS.jsonl MACHINE [LOAD]

Every line carries `system`, `synchronous` and `run`. Within one durability, run i of every system
ran back to back, so each ratio is taken run by run (Atomo's run i over the other system's run i)
and the median of those per-run ratios is the figure the targets are judged on: whatever else the
machine did at that moment weighed on both sides of the ratio alike. The ratio of the medians is
printed beside it.
"""

import json
import statistics
import sys

results_path, machine = sys.argv[1], sys.argv[2]
load = sys.argv[3] if len(sys.argv) > 3 else None
rows = [json.loads(line) for line in open(results_path) if line.strip()]
SYSTEMS = ["eventsourcing", "raw-c", "atomo"]
NAMES = {"eventsourcing": "eventsourcing", "raw-c": "raw C sqlite3", "atomo": "Atomo"}
# The targets, against the physical limit measured in the same run (issue 17, item 8).
TARGETS = {"appendVsRawC": 0.85, "readAllVsRawC": 0.75, "groupCommit": 10}


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def report(mode):
    of_mode = [row for row in rows if row.get("synchronous") == mode]

    def values(system, key):
        return {row["run"]: row[key] for row in of_mode if row["system"] == system and row.get(key)}

    def median(system, key):
        found = list(values(system, key).values())
        return statistics.median(found) if found else None

    def per_run(system_a, key_a, system_b, key_b):
        a, b = values(system_a, key_a), values(system_b, key_b)
        found = [a[run] / b[run] for run in a if run in b]
        return round(statistics.median(found), 2) if found else None

    append = {s: median(s, "appendEventsPerSecond") for s in SYSTEMS}
    read_all = {s: median(s, "readAllEventsPerSecond") for s in SYSTEMS}
    runs = len(values("atomo", "appendEventsPerSecond"))
    passes = of_mode[0].get("readPasses")
    first = of_mode[0]
    print()
    print(
        f"Events on SQLite, synchronous = {mode}: {first['events']} events in appends of {first['batch']}, "
        f"read-all {passes}× per run (median pass), medians of {runs} runs ({machine})"
    )
    print(
        f"{'system':<16}{'append ev/s':>14}{'read-all ev/s':>16}"
        f"{'append ×es':>12}{'read ×es':>10}{'append ×C':>11}{'read ×C':>9}"
    )
    for s in SYSTEMS:
        print(
            f"{NAMES[s]:<16}{append[s]:>14,.0f}{read_all[s]:>16,.0f}"
            f"{per_run(s, 'appendEventsPerSecond', 'eventsourcing', 'appendEventsPerSecond')!s:>12}"
            f"{per_run(s, 'readAllEventsPerSecond', 'eventsourcing', 'readAllEventsPerSecond')!s:>10}"
            f"{per_run(s, 'appendEventsPerSecond', 'raw-c', 'appendEventsPerSecond')!s:>11}"
            f"{per_run(s, 'readAllEventsPerSecond', 'raw-c', 'readAllEventsPerSecond')!s:>9}"
        )
    print("(ratios: median of the per-run ratios; run i of each system ran back to back)")
    sequential = median("atomo", "sequentialSingleAppendsPerSecond")
    concurrent = median("atomo", "concurrentSingleAppendsPerSecond")
    raw_single = median("raw-c", "sequentialSingleAppendsPerSecond")
    raw_grouped = median("raw-c", "groupedSingleAppendsPerSecond")
    concurrency = next((row.get("concurrency") for row in of_mode if row["system"] == "atomo"), 64)
    singles = next((row.get("singleAppends") for row in of_mode if row["system"] == "atomo"), None)
    group = per_run("atomo", "concurrentSingleAppendsPerSecond", "atomo", "sequentialSingleAppendsPerSecond")
    print(
        f"single-event appends ({singles} each way): Atomo 1 task {sequential:,.0f} ev/s, "
        f"{concurrency} tasks {concurrent:,.0f} ev/s ({group}×)"
    )
    print(
        f"  raw C limit: one commit per event {raw_single:,.0f} ev/s, 64 per commit {raw_grouped:,.0f} ev/s "
        f"({per_run('raw-c', 'groupedSingleAppendsPerSecond', 'raw-c', 'sequentialSingleAppendsPerSecond')}×)"
    )
    ratios = {
        "appendVsRawC": per_run("atomo", "appendEventsPerSecond", "raw-c", "appendEventsPerSecond"),
        "readAllVsRawC": per_run("atomo", "readAllEventsPerSecond", "raw-c", "readAllEventsPerSecond"),
        "groupCommit": group,
        "appendVsEventsourcing": per_run("atomo", "appendEventsPerSecond", "eventsourcing", "appendEventsPerSecond"),
        "readAllVsEventsourcing": per_run(
            "atomo", "readAllEventsPerSecond", "eventsourcing", "readAllEventsPerSecond"
        ),
    }
    of_medians = {
        "appendVsRawC": ratio(append["atomo"], append["raw-c"]),
        "readAllVsRawC": ratio(read_all["atomo"], read_all["raw-c"]),
        "groupCommit": ratio(concurrent, sequential),
        "appendVsEventsourcing": ratio(append["atomo"], append["eventsourcing"]),
        "readAllVsEventsourcing": ratio(read_all["atomo"], read_all["eventsourcing"]),
    }
    met = {name: ratios[name] is not None and ratios[name] >= bound for name, bound in TARGETS.items()}
    for name, bound in TARGETS.items():
        print(
            f"target {name} >= {bound}: {'met' if met[name] else 'NOT met'} "
            f"({ratios[name]}; ratio of medians {of_medians[name]})"
        )
    print(
        f"beside them, at equal durability: append × eventsourcing {ratios['appendVsEventsourcing']}, "
        f"read-all × eventsourcing {ratios['readAllVsEventsourcing']}"
    )
    return {
        "runs": runs,
        "readPasses": passes,
        "singleAppends": singles,
        "eventsourcing": {"appendEventsPerSecond": append["eventsourcing"], "readAllEventsPerSecond": read_all["eventsourcing"]},
        "rawC": {
            "appendEventsPerSecond": append["raw-c"],
            "readAllEventsPerSecond": read_all["raw-c"],
            "sequentialSingleAppendsPerSecond": raw_single,
            "groupedSingleAppendsPerSecond": raw_grouped,
        },
        "atomo": {
            "appendEventsPerSecond": append["atomo"],
            "readStreamEventsPerSecond": median("atomo", "readStreamEventsPerSecond"),
            "readAllEventsPerSecond": read_all["atomo"],
            "sequentialSingleAppendsPerSecond": sequential,
            "concurrentSingleAppendsPerSecond": concurrent,
            "concurrency": concurrency,
        },
        "medianOfRunRatios": ratios,
        "ratiosOfMedians": of_medians,
        "targetsMet": met,
    }


modes = [mode for mode in ("NORMAL", "FULL") if any(row.get("synchronous") == mode for row in rows)]
by_mode = {mode: report(mode) for mode in modes}
if load:
    print(f"\nload average at the end (1, 5, 15 min): {load}")
result = {
    "events": rows[0]["events"],
    "batch": rows[0]["batch"],
    "machine": machine,
    "loadAverage": load,
    "targets": TARGETS,
    "synchronous": by_mode,
    "allTargetsMet": all(all(figures["targetsMet"].values()) for figures in by_mode.values()),
}
print("RESULT " + json.dumps(result, separators=(",", ":")))
