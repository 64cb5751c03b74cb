"""The B4 benchmark (automerge-paper trace) on pycrdt, for comparison with `atomo-bench crdt-b4`.

Usage: b4_pycrdt.py TRACE.json.gz [--runs N]. Prints one JSON object: medians of local apply (one
transaction per edit) and B1-style remote apply (every edit's update applied on a second document),
the encoded size, and the peak RSS of this process.
"""

import argparse
import gzip
import json
import resource
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trace")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with gzip.open(args.trace) as file:
        trace = json.load(file)
    edits = [patch for txn in trace["txns"] for patch in txn["patches"]]
    end = trace["endContent"]

    local, remote = [], []
    encoded = 0
    for _ in range(args.runs):
        doc = Doc(client_id=CLIENT_ID)
        text = doc.get("text", type=Text)
        start = time.perf_counter()
        replay(text, edits)
        local.append(time.perf_counter() - start)
        assert str(text) == end, "pycrdt did not reach endContent"
        encoded = len(doc.get_update())

        # The updates for the B1-style run come from a separate, untimed replay with an observer.
        source = Doc(client_id=CLIENT_ID)
        updates = []
        source.observe(lambda event: updates.append(event.update))
        replay(source.get("text", type=Text), edits)

        target = Doc(client_id=2)
        start = time.perf_counter()
        for update in updates:
            target.apply_update(update)
        remote.append(time.perf_counter() - start)
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
                "encoded_bytes": encoded,
                "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
