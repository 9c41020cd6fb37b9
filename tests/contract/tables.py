"""The tables the contract runs against: one clustered, one counter, one of every type."""

from smartbank.storage import Table

EVENTS = Table(
    name="events",
    columns={"account": str, "day": int, "seq": int, "note": str},
    partition_key=("account",),
    clustering=("day", "seq"),
)

COUNTERS = Table(
    name="counters",
    columns={"name": str, "value": int, "version": int, "writer": str},
    partition_key=("name",),
)

TYPED = Table(
    name="typed",
    columns={
        "id": str,
        "label": str,
        "number": int,
        "flag": bool,
        "ratio": float,
        "doc": dict,
        "items": list,
    },
    partition_key=("id",),
)

ALL_TABLES = (EVENTS, COUNTERS, TYPED)
