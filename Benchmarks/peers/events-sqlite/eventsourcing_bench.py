"""The Python `eventsourcing` library (9.5.6) on SQLite: the peer Atomo's SQLite event store is compared with.

Usage: eventsourcing_bench.py PATH EVENTS BATCH  -> prints one JSON object.

Appends: EVENTS / BATCH `Contact` aggregates, each with BATCH events (one `ContactCreated`, then
`ContactUpdated`), payloads like Atomo's benchmark (about 160 bytes of fields). The aggregates and
their pending events are built first; only `Application.save(aggregate)` is timed: one aggregate per
call, which eventsourcing writes in one transaction.

Read-all: the application recorder's `select_notifications` in pages of 10,000 through the whole log
(rows as `Notification` objects, payloads not decoded), as Atomo's `readAllPage` returns undecoded
payload bytes.

eventsourcing runs with its defaults for SQLite (`PERSISTENCE_MODULE=eventsourcing.sqlite`, WAL mode
set by the library, random v4 aggregate ids, Python's sqlite3 module).
"""

import json
import os
import sys
import time

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


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
    path, events, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
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
    start = time.perf_counter()
    read = 0
    next_id = 1
    while True:
        page = recorder.select_notifications(start=next_id, limit=10000)
        read += len(page)
        if len(page) < 10000:
            break
        next_id = page[-1].id + 1
    read_rate = read / (time.perf_counter() - start)
    if read != events:
        sys.exit(f"read {read} notifications, expected {events}")

    print(json.dumps({
        "system": "eventsourcing",
        "version": "9.5.6",
        "events": events,
        "batch": batch,
        "appendEventsPerSecond": round(append_rate),
        "readAllEventsPerSecond": round(read_rate),
    }))
    app.close() if hasattr(app, "close") else None


if __name__ == "__main__":
    main()
