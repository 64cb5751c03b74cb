"""Catch-up throughput of the Python `eventsourcing` library's ProjectionRunner (version 9.5.6).

The peer of `atomo-bench projection`: the same number of events (appends of 1,000 events to one of
1,000 contacts, ~100-byte payloads) stored by an eventsourcing Application, then a ProjectionRunner
catches a projection up from the start, timed from the runner's construction to the moment its view
has tracked the last notification.

Where the events live: eventsourcing 9.5.6's SQLite application recorder does not support
subscriptions ("The SQLiteApplicationRecorder recorder does not support subscriptions"), so its
ProjectionRunner cannot read from SQLite. The events are therefore held by its in-memory (POPO)
application recorder, shared by the generating application and the runner's application. That is
the peer's fastest configuration (no disk, no decoding of rows), while Atomo reads from SQLite: the
comparison favours the peer.

Targets, as in atomo-bench:
- memory: a POPO (in-memory) tracking recorder that counts events;
- sqlite: a SQLite tracking recorder that upserts one row per event and records the tracking
  position in the same transaction (exactly-once), in the same SQLite file as the events.

Prints one JSON object.

    python eventsourcing_projection.py --events 200000 --target memory --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from typing import Any

from eventsourcing.application import Application
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Tracking
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from eventsourcing.sqlite import SQLiteConnectionPool, SQLiteTrackingRecorder

# Atomo's default durability is WAL with `synchronous = NORMAL`; eventsourcing opens WAL with
# SQLite's default (FULL, an fsync per commit) and has no setting for it. Give its connections
# NORMAL too, so that both sides sync alike.
_create_connection = SQLiteConnectionPool._create_connection


def _create_connection_with_normal_sync(self: Any) -> Any:
    connection = _create_connection(self)
    connection._sqlite_conn.execute("PRAGMA synchronous=NORMAL")  # noqa: SLF001
    return connection


SQLiteConnectionPool._create_connection = _create_connection_with_normal_sync  # type: ignore[method-assign]


class Contact(Aggregate):
    @event("Created")
    def __init__(self, name: str) -> None:
        self.name = name

    @event("Updated")
    def update(self, name: str, email: str, score: int) -> None:
        self.name = name


_SHARED_RECORDER: Any = None


class Contacts(Application[Any]):
    """The application; every instance shares one in-memory recorder (see the module docstring)."""

    def construct_recorder(self) -> Any:
        global _SHARED_RECORDER
        if _SHARED_RECORDER is None:
            _SHARED_RECORDER = super().construct_recorder()
        return _SHARED_RECORDER


class MemoryCountingView(POPOTrackingRecorder):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def count_event(self, tracking: Tracking) -> None:
        with self._database_lock:
            self._assert_tracking_uniqueness(tracking)
            self.count += 1
            self._insert_tracking(tracking)


class SQLiteUpsertView(SQLiteTrackingRecorder):
    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.append(
            "CREATE TABLE IF NOT EXISTS es_read_model ("
            "stream TEXT PRIMARY KEY, events INTEGER NOT NULL, last_position INTEGER NOT NULL)"
        )
        return statements

    def upsert(self, stream: str, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "INSERT INTO es_read_model (stream, events, last_position) VALUES (?, 1, ?) "
                "ON CONFLICT (stream) DO UPDATE SET events = events + 1, "
                "last_position = excluded.last_position",
                (stream, tracking.notification_id),
            )
            self._insert_tracking(c, tracking)


class MemoryProjection(Projection[MemoryCountingView]):
    name = "memoryprojection"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.count_event(tracking)


class SQLiteProjection(Projection[SQLiteUpsertView]):
    name = "sqliteprojection"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.upsert(str(domain_event.originator_id), tracking)


def generate(env: dict[str, str], events: int) -> tuple[int, float]:
    app = Contacts(env=env)  # stays open: closing would not matter for POPO, but keep it explicit
    contacts = [Contact(name=f"Contact {i}") for i in range(min(1000, events))]
    written = 0
    start = time.perf_counter()
    # The creations, then appends of up to 1,000 events to one contact at a time.
    app.save(*contacts)
    written += len(contacts)
    round_ = 0
    while written < events:
        contact = contacts[round_ % len(contacts)]
        size = min(1000, events - written)
        for offset in range(size):
            index = written + offset
            contact.update(name=f"Contact {index}", email=f"c{index}@example.com", score=index % 97)
        app.save(contact)
        written += size
        round_ += 1
    seconds = time.perf_counter() - start
    head = app.recorder.max_notification_id() or 0
    return head, events / seconds


def catch_up(env: dict[str, str], target: str, head: int, run: int) -> float:
    if target == "memory":
        projection_class: Any = MemoryProjection
        view_class: Any = MemoryCountingView
        prefix = MemoryProjection.name.upper()
        view_env = {f"{prefix}_PERSISTENCE_MODULE": "eventsourcing.popo"}
    else:
        projection_class = SQLiteProjection
        view_class = SQLiteUpsertView
        prefix = SQLiteProjection.name.upper()
        view_env = {
            f"{prefix}_PERSISTENCE_MODULE": "eventsourcing.sqlite",
            f"{prefix}_SQLITE_DBNAME": env["SQLITE_DBNAME"] + f".view{run}",
        }
    start = time.perf_counter()
    with ProjectionRunner(
        application_class=Contacts,
        projection_class=projection_class,
        view_class=view_class,
        env={**env, **view_env},
    ) as runner:
        runner.wait(head, timeout=3600)
        seconds = time.perf_counter() - start
    return head / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--target", choices=["memory", "sqlite"], default="memory")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.popo",
            "SQLITE_DBNAME": os.path.join(directory, "events.sqlite"),
        }
        head, generate_rate = generate(env, args.events)
        rates = [catch_up(env, args.target, head, run) for run in range(args.runs)]
    print(
        json.dumps(
            {
                "library": "eventsourcing 9.5.6",
                "target": args.target,
                "events": head,
                "generate_events_per_second": round(generate_rate),
                "catch_up_events_per_second": [round(rate) for rate in rates],
                "catch_up_median_events_per_second": round(statistics.median(rates)),
            },
            sort_keys=True,
        )
    )


if __name__ == "__main__":
    main()
