"""A pycrdt peer for AtomoCRDT's interoperability tests.

Reads one JSON request on stdin and writes one JSON response on stdout. Byte strings travel as hex.

Request fields (all optional):
  client_id     the pycrdt client id
  state         an update that restores the peer's previous state
  apply         updates to apply, in order (duplicates and out-of-order allowed)
  redeliver     apply the same updates a second time (see below)
  edits, seed   random concurrent edits to make afterwards, one transaction each
  sync          a y-protocols message from the Swift side to handle with handle_sync_message (after
                the edits)
  want_sync_step1  whether to create this peer's own sync step 1 message
  rich          operations on the root text "rich" after the edits: ["insert", index, text, attrs],
                ["embed", index, value, attrs], ["format", start, stop, attrs], ["delete", start, stop]
                (pycrdt offsets: UTF-8 bytes); the response then carries rich_delta (text.diff())
  awareness     an awareness update to apply; the response then carries awareness_states and this
                peer's own awareness_update (local state {"user": "pycrdt"})

Response: updates (one per edit transaction), state (full update), state_vector, json (content),
first_pass_state_vector (after the first delivery of `apply`), sync_reply, sync_step1.
"""

import json
import os
import random
import string
import sys

from pycrdt import Array, Awareness, Doc, Map, Text, create_sync_message, handle_sync_message

KEYS = ["a", "b", "c", "d", "nested"]


def plain(value):
    if isinstance(value, (Map, Array, Text)):
        return plain(value.to_py()) if not isinstance(value, Text) else str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def word(rng):
    return "".join(rng.choice(string.ascii_letters + " ") for _ in range(rng.randint(1, 6)))


def random_edit(doc, rng, text, map_, array):
    choice = rng.random()
    with doc.transaction():
        if choice < 0.08 and len(text) > 0:
            index = rng.randrange(len(text))
            count = rng.randint(1, min(8, len(text) - index))
            key = rng.choice(["font", "color"])
            value = word(rng) if rng.random() < 0.5 else None
            text.format(index, index + count, {key: value})
        elif choice < 0.4:
            if len(text) > 0 and rng.random() < 0.35:
                index = rng.randrange(len(text))
                count = rng.randint(1, min(5, len(text) - index))
                del text[index : index + count]
            else:
                text.insert(rng.randint(0, len(text)), word(rng))
        elif choice < 0.7:
            key = rng.choice(KEYS)
            roll = rng.random()
            current = map_.get(key) if key in map_ else None
            if roll < 0.15 and key in map_:
                del map_[key]
            elif roll < 0.35 and isinstance(current, Map):
                current[rng.choice(KEYS)] = rng.randint(0, 1000)
            elif roll < 0.45:
                map_[key] = Map({"x": rng.randint(0, 100)})
            elif roll < 0.5:
                map_[key] = Array([rng.randint(0, 9), word(rng)])
            else:
                map_[key] = rng.choice([rng.randint(-1000, 1000), word(rng)])
        else:
            if len(array) > 0 and rng.random() < 0.3:
                index = rng.randrange(len(array))
                del array[index]
            else:
                index = rng.randint(0, len(array))
                if rng.random() < 0.2:
                    array.insert(index, Map({"y": word(rng)}))
                else:
                    array.insert(index, rng.choice([rng.randint(0, 1000), word(rng)]))


def main():
    request = json.load(sys.stdin)
    if os.environ.get("ATOMO_PEER_DUMP"):
        with open(os.environ["ATOMO_PEER_DUMP"], "a") as dump:
            dump.write(json.dumps(request) + "\n")
    doc = Doc(client_id=request["client_id"]) if request.get("client_id") else Doc()
    text = doc.get("text", type=Text)
    map_ = doc.get("map", type=Map)
    array = doc.get("array", type=Array)
    if request.get("state"):
        doc.apply_update(bytes.fromhex(request["state"]))
    incoming = [bytes.fromhex(update) for update in request.get("apply", [])]
    for update in incoming:
        doc.apply_update(update)
    response = {"first_pass_state_vector": doc.get_state().hex()}
    response["deliveries"] = 1
    if request.get("redeliver"):
        # pycrdt 0.14 (yrs) does not always integrate updates that arrive before their dependencies:
        # some stay missing after the dependencies arrive (it does so with its own updates too). A
        # provider would re-sync; here the same updates are delivered again until nothing changes.
        while response["deliveries"] < 10:
            before = doc.get_state()
            for update in incoming:
                doc.apply_update(update)
            response["deliveries"] += 1
            if doc.get_state() == before:
                break
    updates = []
    subscription = doc.observe(lambda event: updates.append(event.update.hex()))
    rng = random.Random(request.get("seed", 0))
    for _ in range(request.get("edits", 0)):
        random_edit(doc, rng, text, map_, array)
    rich = doc.get("rich", type=Text)
    for operation in request.get("rich", []):
        kind, arguments = operation[0], operation[1:]
        if kind == "insert":
            rich.insert(arguments[0], arguments[1], arguments[2])
        elif kind == "embed":
            rich.insert_embed(arguments[0], arguments[1], arguments[2])
        elif kind == "format":
            rich.format(arguments[0], arguments[1], arguments[2])
        elif kind == "delete":
            del rich[arguments[0] : arguments[1]]
    doc.unobserve(subscription)
    if "rich" in request:
        response["rich_delta"] = [[insert, attributes or {}] for insert, attributes in rich.diff()]
    if request.get("sync"):
        reply = handle_sync_message(bytes.fromhex(request["sync"]), doc)
        response["sync_reply"] = reply.hex() if reply else None
    if request.get("want_sync_step1"):
        response["sync_step1"] = create_sync_message(doc).hex()
    if request.get("awareness") is not None:
        awareness = Awareness(doc)
        awareness.apply_awareness_update(bytes.fromhex(request["awareness"]), "swift")
        awareness.set_local_state({"user": "pycrdt"})
        response["awareness_states"] = {str(k): v for k, v in awareness.states.items()}
        response["awareness_update"] = awareness.encode_awareness_update([doc.client_id]).hex()
    response.update(
        updates=updates,
        state=doc.get_update().hex(),
        state_vector=doc.get_state().hex(),
        json={
            "text": str(text),
            "delta": [[insert, attributes or {}] for insert, attributes in text.diff()],
            "map": plain(map_.to_py()),
            "array": plain(array.to_py()),
        },
    )
    json.dump(response, sys.stdout)


if __name__ == "__main__":
    main()
