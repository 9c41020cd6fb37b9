"""Creating the stack's topics: by the local launcher, and by the cluster's topic Job.

python -m smartbank.events.topics --bootstrap 127.0.0.1:9092 --partitions 3
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from smartbank import registry

PARTITIONS = 3


async def ensure_topics(
    bootstrap: str,
    names: Iterable[str],
    *,
    partitions: int = PARTITIONS,
    replication: int = 1,
) -> list[str]:
    """Create the topics that do not exist yet; return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="smartbank-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        for name in missing:
            response = await admin.create_topics([NewTopic(name, partitions, replication)])
            _raise_for(response)
        return missing
    finally:
        await admin.close()


class TopicCreationError(RuntimeError):
    """The broker refused to create a topic (the response says why, per topic)."""


def _raise_for(response: Any) -> None:
    """create_topics reports failures in its response instead of raising them."""
    for entry in getattr(response, "topic_errors", ()):
        name, code = entry[0], entry[1]
        message = entry[2] if len(entry) > 2 else ""
        if code not in (0, TopicAlreadyExistsError.errno):
            raise TopicCreationError(f"cannot create topic {name}: error {code} {message or ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Create every topic smartbank uses.")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--partitions", type=int, default=PARTITIONS)
    parser.add_argument("--replication", type=int, default=1)
    args = parser.parse_args()
    created = asyncio.run(
        ensure_topics(
            args.bootstrap,
            registry.topics(),
            partitions=args.partitions,
            replication=args.replication,
        )
    )
    print(f"created {len(created)} topics: {', '.join(created) or '-'}")


if __name__ == "__main__":
    main()
