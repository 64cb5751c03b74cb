"""A real GraphQL client's view of Atomo's per-role schemas (graphql-core 3.2).

Reads one JSON request from stdin:
  {"schemas": [{"role": "Sales", "introspection": {<data of the introspection query>},
                "operations": [{"name": "...", "document": "...", "valid": true}]}]}
and writes {"results": [{"role", "name", "valid", "errors"}], "sdl": {"Sales": "..."}} to stdout.

For each role, build_client_schema loads the introspection result (which fails loudly on any
inconsistency), and every example operation is validated against the client schema.
"""

import json
import sys

from graphql import build_client_schema, parse, print_schema, validate


def main() -> None:
    request = json.load(sys.stdin)
    results = []
    sdl = {}
    for entry in request["schemas"]:
        schema = build_client_schema(entry["introspection"])
        sdl[entry["role"]] = print_schema(schema)
        for operation in entry["operations"]:
            errors = [error.message for error in validate(schema, parse(operation["document"]))]
            results.append(
                {
                    "role": entry["role"],
                    "name": operation["name"],
                    "valid": not errors,
                    "errors": errors,
                }
            )
    json.dump({"results": results, "sdl": sdl}, sys.stdout)


if __name__ == "__main__":
    main()
