"""Writes the rows Atomo's benchmark appends as a COPY file for `atomo_events`-shaped tables.

Usage: copy_rows.py EVENTS BATCH FILE  -> FILE in PostgreSQL's text COPY format, one row per event:
position, transaction_id, event_id, stream_id, stream_name, stream_version, type, schema_version, payload
(hex bytea), committed_at. The same ~160-byte payloads, streams of BATCH events.
"""

import sys
import uuid

events, batch, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
calls = events // batch
with open(path, "w") as out:
    position = 0
    for call in range(calls):
        for revision in range(batch):
            position += 1
            payload = (
                '{"name":"Contact %d","email":"contact%d@example.com","phone":"+1-555-01%d",'
                '"company":"Acme Corporation","tags":["lead","newsletter"],"score":%d,"revision":%d}'
                % (call, call, call % 100, revision % 100, revision)
            )
            kind = "ContactCreated" if revision == 0 else "ContactUpdated"
            out.write(
                "%d\t1\t%s\t%d\tContact-a%d\t%d\t%s\t1\t\\\\x%s\t2026-01-01 00:00:00+00\n"
                % (position, uuid.uuid4(), call + 1, call, revision, kind, payload.encode().hex())
            )
