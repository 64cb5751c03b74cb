"""The Python `eventsourcing` library (9.5.6) on PostgreSQL: the peer Atomo's PostgreSQL event store is compared with.

Usage: eventsourcing_bench.py EVENTS BATCH  -> prints one JSON object.
Connection: POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DBNAME, POSTGRES_SCHEMA.

Appends: EVENTS / BATCH `Contact` aggregates, each with BATCH events (one `ContactCreated`, then
`ContactUpdated`), payloads of about 160 bytes of fields like Atomo's benchmark. The aggregates and
their pending events are built first; only `Application.save(aggregate)` is timed: one aggregate per
call, which eventsourcing writes in one transaction. It runs with POSTGRES_ENABLE_DB_FUNCTIONS=y (its
fastest insert path: one database function call per transaction).

Read-all: the application recorder's `select_notifications` in pages of 10,000 through the whole log.
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
    events, batch = int(sys.argv[1]), int(sys.argv[2])
    aggregates = events // batch
    events = aggregates * batch
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        "CREATE_TABLE": "y",
    }
    for key in ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DBNAME", "POSTGRES_SCHEMA"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    env.setdefault("POSTGRES_PASSWORD", "")
    app = Application(env=env)

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
    if hasattr(app, "close"):
        app.close()


if __name__ == "__main__":
    main()
