"""Event schemas only grow: no published field is removed, renumbered or retyped."""

import copy
import json
from pathlib import Path

from smartbank.events import schemas

SNAPSHOT = Path(__file__).parents[3] / "protos/smartbank/schemas/v1/published_schemas.json"


def test_compiled_schemas_match_the_published_snapshot():
    published = json.loads(SNAPSHOT.read_text())
    assert schemas.problems(published, schemas.describe()) == []


def test_removed_field_is_a_problem():
    current = schemas.describe()
    published = copy.deepcopy(current)
    published["smartbank.schemas.v1.Transaction"]["loyalty_points"] = {
        "number": 99,
        "type": 3,
        "type_name": "",
        "repeated": False,
    }
    assert schemas.problems(published, current) == [
        "smartbank.schemas.v1.Transaction.loyalty_points: field removed"
    ]


def test_renumbered_or_retyped_field_is_a_problem():
    current = schemas.describe()
    published = copy.deepcopy(current)
    published["smartbank.schemas.v1.Transaction"]["amount"]["number"] = 30
    published["smartbank.schemas.v1.Envelope"]["payload"]["type"] = 9  # published as a string
    found = sorted(schemas.problems(published, current))
    assert len(found) == 2
    assert found[0].startswith("smartbank.schemas.v1.Envelope.payload: changed")
    assert found[1].startswith("smartbank.schemas.v1.Transaction.amount: changed")


def test_new_field_must_be_recorded():
    current = schemas.describe()
    published = copy.deepcopy(current)
    del published["smartbank.schemas.v1.FeedItem"]["emoji"]
    assert schemas.problems(published, current) == [
        "smartbank.schemas.v1.FeedItem.emoji: not recorded in the published snapshot"
    ]


def test_removed_message_is_a_problem():
    current = schemas.describe()
    published = {**copy.deepcopy(current), "smartbank.schemas.v1.Gone": {}}
    assert schemas.problems(published, current) == ["smartbank.schemas.v1.Gone: message removed"]
