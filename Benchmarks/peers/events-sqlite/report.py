"""Reads the JSON lines of `run`, prints a table of medians and ratios and a final `RESULT {json}` line."""

import json
import statistics
import sys

results_path, machine = sys.argv[1], sys.argv[2]
rows = [json.loads(line) for line in open(results_path) if line.strip()]


def median(system, key):
    values = [row[key] for row in rows if row["system"] == system and key in row]
    return statistics.median(values) if values else None


systems = ["eventsourcing", "raw-c", "atomo"]
append = {s: median(s, "appendEventsPerSecond") for s in systems}
read_all = {s: median(s, "readAllEventsPerSecond") for s in systems}
runs = sum(1 for row in rows if row["system"] == "atomo")


def ratio(a, b):
    return round(a / b, 2) if a and b else None


print()
print(f"Events on SQLite, {rows[0]['events']} events in appends of {rows[0]['batch']}, medians of {runs} runs ({machine})")
print(f"{'system':<16}{'append ev/s':>14}{'read-all ev/s':>16}{'append ×es':>12}{'read ×es':>10}{'append ×C':>11}{'read ×C':>9}")
names = {"eventsourcing": "eventsourcing", "raw-c": "raw C sqlite3", "atomo": "Atomo"}
for s in systems:
    print(
        f"{names[s]:<16}{append[s]:>14,.0f}{read_all[s]:>16,.0f}"
        f"{ratio(append[s], append['eventsourcing']):>12}{ratio(read_all[s], read_all['eventsourcing']):>10}"
        f"{ratio(append[s], append['raw-c']):>11}{ratio(read_all[s], read_all['raw-c']):>9}"
    )
sequential = median("atomo", "sequentialSingleAppendsPerSecond")
concurrent = median("atomo", "concurrentSingleAppendsPerSecond")
raw_single = median("raw-c", "sequentialSingleAppendsPerSecond")
raw_grouped = median("raw-c", "groupedSingleAppendsPerSecond")
concurrency = rows[-1].get("concurrency", 64)
group_ratio = ratio(concurrent, sequential)
print(
    f"single-event appends: Atomo 1 task {sequential:,.0f} ev/s, {concurrency} tasks {concurrent:,.0f} ev/s "
    f"({group_ratio}×)"
)
print(
    f"  raw C limit: one commit per event {raw_single:,.0f} ev/s, 64 per commit {raw_grouped:,.0f} ev/s "
    f"({ratio(raw_grouped, raw_single)}×)"
)

ratios = {
    "appendVsEventsourcing": ratio(append["atomo"], append["eventsourcing"]),
    "appendVsRawC": ratio(append["atomo"], append["raw-c"]),
    "readAllVsEventsourcing": ratio(read_all["atomo"], read_all["eventsourcing"]),
    "readAllVsRawC": ratio(read_all["atomo"], read_all["raw-c"]),
    "groupCommit": group_ratio,
}
# The same ratios taken run by run (each system's runs are interleaved, so run i of each shares the
# machine's state), then their median: less sensitive to a disturbance that hit one system's run.
def run_ratios(key_a, system_a, key_b, system_b):
    a = [row[key_a] for row in rows if row["system"] == system_a]
    b = [row[key_b] for row in rows if row["system"] == system_b]
    values = [x / y for x, y in zip(a, b) if x and y]
    return round(statistics.median(values), 2) if values else None


per_run = {
    "appendVsEventsourcing": run_ratios("appendEventsPerSecond", "atomo", "appendEventsPerSecond", "eventsourcing"),
    "appendVsRawC": run_ratios("appendEventsPerSecond", "atomo", "appendEventsPerSecond", "raw-c"),
    "readAllVsEventsourcing": run_ratios("readAllEventsPerSecond", "atomo", "readAllEventsPerSecond", "eventsourcing"),
    "readAllVsRawC": run_ratios("readAllEventsPerSecond", "atomo", "readAllEventsPerSecond", "raw-c"),
    "groupCommit": run_ratios("concurrentSingleAppendsPerSecond", "atomo", "sequentialSingleAppendsPerSecond", "atomo"),
}

targets = {
    "appendVsEventsourcing": ratios["appendVsEventsourcing"] is not None and ratios["appendVsEventsourcing"] >= 5,
    "appendVsRawC": ratios["appendVsRawC"] is not None and ratios["appendVsRawC"] >= 0.7,
    "readAllVsEventsourcing": ratios["readAllVsEventsourcing"] is not None and ratios["readAllVsEventsourcing"] >= 5,
    "groupCommit": group_ratio is not None and group_ratio >= 10,
}
for name, met in targets.items():
    print(f"target {name}: {'met' if met else 'NOT met'} ({ratios[name]}; median of per-run ratios {per_run[name]})")
result = {
    "events": rows[0]["events"],
    "batch": rows[0]["batch"],
    "runs": runs,
    "machine": machine,
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
    "ratios": ratios,
    "medianOfRunRatios": per_run,
    "targetsMet": targets,
    "allTargetsMet": all(targets.values()),
}
print("RESULT " + json.dumps(result, separators=(",", ":")))
