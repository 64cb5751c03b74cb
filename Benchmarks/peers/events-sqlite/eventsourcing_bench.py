"""The Python `eventsourcing` library (9.5.6) on SQLite: the peer Atomo's SQLite event store is compared with.

Usage: eventsourcing_bench.py PATH EVENTS BATCH [NORMAL|FULL [READ_PASSES]]  -> prints one JSON object.

Appends: EVENTS / BATCH `Contact` aggregates, each with BATCH events (one `ContactCreated`, then
`ContactUpdated`), payloads like Atomo's benchmark (about 160 bytes of fields). The aggregates and
their pending events are built first; only `Application.save(aggregate)` is timed: one aggregate per
call, which eventsourcing writes in one transaction.

Read-all: the application recorder's `select_notifications` in pages of 10,000 through the whole log
(rows as `Notification` objects, payloads not decoded), as Atomo's `readAllPage` returns undecoded
payload bytes. The whole log is read READ_PASSES times (default 3) and the median pass counts, as
atomo-bench and raw_sqlite.c do.

eventsourcing runs with its defaults for SQLite (`PERSISTENCE_MODULE=eventsourcing.sqlite`, WAL mode
set by the library, random v4 aggregate ids, Python's sqlite3 module), except durability: every
connection the library opens gets `PRAGMA synchronous = NORMAL` or `FULL` as asked (default NORMAL,
Atomo's default; SQLite's own default here is FULL). The library has no setting for it, so the
benchmark wraps the connection pool's `_create_connection`.
"""

import json
import sys
import time

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.sqlite import SQLiteConnectionPool


def use_synchronous(mode):
    """Makes every connection the library opens run `PRAGMA synchronous = mode`."""
    create = SQLiteConnectionPool._create_connection

    def create_with_synchronous(self):
        connection = create(self)
        connection._sqlite_conn.execute(f"PRAGMA synchronous = {mode}")
        return connection

    SQLiteConnectionPool._create_connection = create_with_synchronous


class Contact(Aggregate):
    @event("ContactCreated")
    def __init__(self, name, email, phone, company, tags, score, revision):
        self.name = name
        self.email = email
        self.phone = phone
        self.company = company
        self.tags = tags
        self.score = score
        self.revision = revision

    @event("ContactUpdated")
    def update(self, name, email, phone, company, tags, score, revision):
        self.name = name
        self.email = email
        self.phone = phone
        self.company = company
        self.tags = tags
        self.score = score
        self.revision = revision


def fields(contact, revision):
    number = str(contact)
    return dict(
        name=f"Contact {number}",
        email=f"contact{number}@example.com",
        phone=f"+1-555-01{contact % 100}",
        company="Acme Corporation",
        tags=["lead", "newsletter"],
        score=revision % 100,
        revision=revision,
    )


def main():
    if not 4 <= len(sys.argv) <= 6:
        sys.exit("usage: eventsourcing_bench.py PATH EVENTS BATCH [NORMAL|FULL [READ_PASSES]]")
    path, events, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    synchronous = sys.argv[4] if len(sys.argv) > 4 else "NORMAL"
    passes = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    if synchronous not in ("NORMAL", "FULL") or passes < 1:
        sys.exit("synchronous must be NORMAL or FULL, read passes at least 1")
    use_synchronous(synchronous)
    aggregates = events // batch
    events = aggregates * batch
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})

    contacts = []
    for number in range(aggregates):
        contact = Contact(**fields(number, 0))
        for revision in range(1, batch):
            contact.update(**fields(number, revision))
        contacts.append(contact)

    start = time.perf_counter()
    for contact in contacts:
        app.save(contact)
    append_rate = events / (time.perf_counter() - start)

    recorder = app.recorder
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute("PRAGMA synchronous")
        applied = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[cursor.fetchone()[0]]
    if applied != synchronous:
        sys.exit(f"the library's connection runs synchronous = {applied}, expected {synchronous}")
    rates = []
    for _ in range(passes):
        start = time.perf_counter()
        read = 0
        next_id = 1
        while True:
            page = recorder.select_notifications(start=next_id, limit=10000)
            read += len(page)
            if len(page) < 10000:
                break
            next_id = page[-1].id + 1
        rates.append(read / (time.perf_counter() - start))
        if read != events:
            sys.exit(f"read {read} notifications, expected {events}")
    # The median pass (the upper middle one for an even count, as atomo-bench takes it).
    read_rate = sorted(rates)[passes // 2]

    print(json.dumps({
        "system": "eventsourcing",
        "version": "9.5.6",
        "events": events,
        "batch": batch,
        "synchronous": synchronous,
        "readPasses": passes,
        "appendEventsPerSecond": round(append_rate),
        "readAllEventsPerSecond": round(read_rate),
    }))
    app.close() if hasattr(app, "close") else None


if __name__ == "__main__":
    main()
