"""Real GraphQL clients against a running crm-server, for Examples/Tests/AtomoExamplesTests/InteropTests.swift.

    python crm_clients.py gql <base-url> <token>          # gql over HTTP: a mutation and a filtered query
    python crm_clients.py subscribe <base-url> <token> <contact-id> <ready-file>
                                                          # websockets + graphql-transport-ws: waits for one
                                                          # contactChanged event, prints it as JSON
    python crm_clients.py introspect <base-url> <token>   # graphql-core: build_client_schema on the served
                                                          # introspection, then validate operations against it

Each prints one JSON object on stdout; a failure exits non-zero with the reason on stderr.
"""
import asyncio
import json
import sys


def gql_http(base, token):
    from gql import Client, gql
    from gql.transport.requests import RequestsHTTPTransport

    transport = RequestsHTTPTransport(url=base + "/graphql", headers={"Authorization": "Bearer " + token}, timeout=30)
    # gql 4's default introspection asks for `__InputValue.isDeprecated` on arguments and input fields.
    client = Client(transport=transport, fetch_schema_from_transport=True)
    created = client.execute(
        gql("mutation Create($input: CompanyCreateInput!) { createCompany(input: $input) { id name version } }"),
        variable_values={"input": {"name": "Python Corp", "industry": "Software"}},
    )
    listed = client.execute(
        gql("query Find($where: CompanyWhere) { companies(where: $where, first: 10) { nodes { id name industry } totalCount } }"),
        variable_values={"where": {"name": {"eq": "Python Corp"}}},
    )
    # gql validated both documents against the schema it fetched by introspection.
    print(json.dumps({"created": created["createCompany"], "listed": listed["companies"],
                      "schemaTypes": len(client.schema.type_map) if client.schema else 0}))


async def subscribe(base, token, contact_id, ready_file):
    import websockets

    url = base.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"], open_timeout=30) as socket:
        assert socket.subprotocol == "graphql-transport-ws", socket.subprotocol
        await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer " + token}}))
        ack = json.loads(await asyncio.wait_for(socket.recv(), 30))
        assert ack["type"] == "connection_ack", ack
        await socket.send(json.dumps({
            "id": "1", "type": "subscribe",
            "payload": {
                "query": "subscription Watch($id: ID!) { contactChanged(id: $id) { kind id version changedFields record { id name } } }",
                "variables": {"id": contact_id},
            },
        }))
        # Give the server a moment to register the subscription, then tell the test to write.
        await asyncio.sleep(0.5)
        with open(ready_file, "w") as ready:
            ready.write("ready")
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), 30))
            if message["type"] == "next":
                print(json.dumps(message["payload"]))
                await socket.send(json.dumps({"id": "1", "type": "complete"}))
                return
            if message["type"] in ("error", "complete"):
                raise SystemExit("subscription ended without an event: " + json.dumps(message))


def introspect(base, token):
    import urllib.request

    from graphql import build_client_schema, get_introspection_query, parse, validate

    request = urllib.request.Request(
        base + "/graphql",
        data=json.dumps({"query": get_introspection_query(descriptions=True, input_value_deprecation=True)}).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + token},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result = json.load(response)
    if result.get("errors"):
        raise SystemExit("introspection failed: " + json.dumps(result["errors"]))
    schema = build_client_schema(result["data"])
    operations = {
        "list": "query { contacts(where: {name: {contains: \"a\"}}, orderBy: [{name: ASC}], first: 5) { nodes { id name email company { name } notes { __typename ... on Paragraph { text } ... on CallLog { at summary } } } pageInfo { hasNextPage endCursor } totalCount } }",
        "history": "query ($id: ID!) { contactHistory(id: $id) { kind version at actor } contact(id: $id, asOf: \"2026-01-01T00:00:00Z\") { id } }",
        "update": "mutation ($id: ID!) { updateContact(id: $id, input: {name: \"x\"}, expectedVersion: 0) { id version } }",
        "invalid": "query { contacts { nodes { doesNotExist } } }",
    }
    errors = {name: [e.message for e in validate(schema, parse(text))] for name, text in operations.items()}
    print(json.dumps({"types": len(schema.type_map), "errors": errors}))


if __name__ == "__main__":
    command, base, token = sys.argv[1], sys.argv[2], sys.argv[3]
    if command == "gql":
        gql_http(base, token)
    elif command == "subscribe":
        asyncio.run(subscribe(base, token, sys.argv[4], sys.argv[5]))
    elif command == "introspect":
        introspect(base, token)
    else:
        raise SystemExit("unknown command " + command)
