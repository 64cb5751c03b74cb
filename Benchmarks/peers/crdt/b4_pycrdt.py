"""The B4 benchmark (automerge-paper trace) on pycrdt, for comparison with `atomo-bench crdt-b4`.

Usage: b4_pycrdt.py TRACE.json.gz [--runs N]. Prints one JSON object: medians of local apply (one
transaction per edit) and B1-style remote apply (every edit's update applied on a second document),
the encoded size, and the resident memory of this process measured as `atomo-bench crdt-b4` measures
its own: after the trace is loaded (and kept, as atomo-bench keeps its edits), the peak is reset
through `/proc/self/clear_refs` and the resident size noted (`rss_after_load_bytes`); `peak_rss_bytes`
is `VmHWM` at the end. The rise between the two is what the replays, the captured updates and the
documents needed, on the same basis for both implementations.
"""

import argparse
import gzip
import json
import statistics
import time

from pycrdt import Doc, Text

# yrs's client id in yrs-b4-update-v1.bin; AtomoCRDT's crdt-b4 uses the same, so sizes compare.
CLIENT_ID = 182476973021437


def replay(text, edits):
    for position, delete_count, insert in edits:
        # The trace is ASCII, so pycrdt's UTF-8 offsets equal its code point positions.
        if delete_count:
            del text[position : position + delete_count]
        if insert:
            text.insert(position, insert)


def status_bytes(field):
    """A size in kB from /proc/self/status, in bytes (None where there is no such file)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def reset_peak_resident():
    """Resets VmHWM to the current resident size on Linux, as atomo-bench does before its replays."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trace")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with gzip.open(args.trace) as file:
        trace = json.load(file)
    edits = [patch for txn in trace["txns"] for patch in txn["patches"]]
    end = trace["endContent"]
    reset_peak_resident()
    rss_after_load = status_bytes("VmRSS:")

    local, remote, local_cpu, remote_cpu = [], [], [], []
    encoded = 0
    for _ in range(args.runs):
        doc = Doc(client_id=CLIENT_ID)
        text = doc.get("text", type=Text)
        start, cpu = time.perf_counter(), time.process_time()
        replay(text, edits)
        local.append(time.perf_counter() - start)
        local_cpu.append(time.process_time() - cpu)
        assert str(text) == end, "pycrdt did not reach endContent"
        encoded = len(doc.get_update())

        # The updates for the B1-style run come from a separate, untimed replay with an observer.
        source = Doc(client_id=CLIENT_ID)
        updates = []
        source.observe(lambda event: updates.append(event.update))
        replay(source.get("text", type=Text), edits)

        target = Doc(client_id=2)
        start, cpu = time.perf_counter(), time.process_time()
        for update in updates:
            target.apply_update(update)
        remote.append(time.perf_counter() - start)
        remote_cpu.append(time.process_time() - cpu)
        assert str(target.get("text", type=Text)) == end, "pycrdt remote replay did not reach endContent"

    print(
        json.dumps(
            {
                "benchmark": "crdt-b4",
                "implementation": "pycrdt 0.14.13",
                "edits": len(edits),
                "runs": args.runs,
                "local_apply_seconds": statistics.median(local),
                "remote_apply_seconds": statistics.median(remote),
                "local_cpu_seconds": statistics.median(local_cpu),
                "remote_cpu_seconds": statistics.median(remote_cpu),
                "encoded_bytes": encoded,
                "peak_rss_bytes": status_bytes("VmHWM:"),
                "rss_after_load_bytes": rss_after_load,
            }
        )
    )


if __name__ == "__main__":
    main()
