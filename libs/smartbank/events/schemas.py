"""The published event schemas, and the rule that they only ever grow.

A field once published keeps its number, type and cardinality forever, and is never removed
(consumers still running the old schema read it): `problems` names every breach of that rule
between the recorded snapshot and the compiled schemas. Recording a new field is deliberate:

    python -m smartbank.events.schemas > protos/smartbank/schemas/v1/published_schemas.json
"""

from __future__ import annotations

import json
from typing import Any

from google.protobuf.descriptor import Descriptor, FileDescriptor

from smartbank.schemas.v1 import envelope_pb2, events_pb2

FILES: tuple[FileDescriptor, ...] = (envelope_pb2.DESCRIPTOR, events_pb2.DESCRIPTOR)

Schema = dict[str, dict[str, dict[str, Any]]]


def describe(files: tuple[FileDescriptor, ...] = FILES) -> Schema:
    """Every message's fields: number, type (with the message/enum name) and cardinality."""
    schema: Schema = {}
    for file in files:
        for message in file.message_types_by_name.values():
            _describe(message, schema)
    return schema


def _describe(message: Descriptor, schema: Schema) -> None:
    schema[message.full_name] = {
        f.name: {
            "number": f.number,
            "type": f.type,
            "type_name": f.message_type.full_name if f.message_type else "",
            "repeated": f.is_repeated,
        }
        for f in message.fields
    }
    for nested in message.nested_types:
        if not nested.GetOptions().map_entry:
            _describe(nested, schema)


def problems(published: Schema, current: Schema) -> list[str]:
    """Breaches of compatibility, then fields compiled but not yet recorded as published."""
    found = []
    for message, fields in published.items():
        now = current.get(message)
        if now is None:
            found.append(f"{message}: message removed")
            continue
        for name, was in fields.items():
            if name not in now:
                found.append(f"{message}.{name}: field removed")
            elif now[name] != was:
                found.append(f"{message}.{name}: changed from {was} to {now[name]}")
    for message, fields in current.items():
        for name in fields.keys() - published.get(message, {}).keys():
            found.append(f"{message}.{name}: not recorded in the published snapshot")
    return found


if __name__ == "__main__":
    print(json.dumps(describe(), indent=2, sort_keys=True))
