#!/usr/bin/env python3
"""Validates a JSON file against a JSON schema (draft-07) with python3-jsonschema.

Usage: validate_json_schema.py SCHEMA INSTANCE. Prints each violation as `path: message` and
exits 1 when there is any, 0 when the instance is valid. Called by tests/deploy.
"""
import json
import sys

import jsonschema


def main() -> int:
    schema_path, instance_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as schema_file:
        schema = json.load(schema_file)
    with open(instance_path, encoding="utf-8") as instance_file:
        instance = json.load(instance_file)
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(instance), key=lambda e: list(e.path))
    for error in errors:
        print("/".join(str(part) for part in error.path) + ": " + error.message)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
