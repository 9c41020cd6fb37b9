"""cassandra-driver's ResponseFuture, awaited from asyncio.

The driver completes requests on its own I/O threads and reports through callbacks, so each
page is handed to the event loop with `call_soon_threadsafe`; nothing blocks the loop. A
result larger than one page (5000 rows by default) is fetched page by page.
"""

from __future__ import annotations

import asyncio
from typing import Any


async def all_pages(response_future: Any) -> list[dict[str, Any]]:
    """Every row of the request, or the driver's exception."""
    rows: list[dict[str, Any]] = []
    while True:
        rows.extend(await _page(response_future))
        if not response_future.has_more_pages:
            return rows
        response_future.start_fetching_next_page()


def _page(response_future: Any) -> asyncio.Future[list[dict[str, Any]]]:
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[list[dict[str, Any]]] = loop.create_future()

    def on_rows(page: Any) -> None:
        loop.call_soon_threadsafe(_settle, waiter, list(page or []), None)

    def on_error(exc: BaseException) -> None:
        loop.call_soon_threadsafe(_settle, waiter, [], exc)

    # Callbacks stay registered across pages; drop the previous page's before adding ours.
    response_future.clear_callbacks()
    response_future.add_callbacks(on_rows, on_error)
    return waiter


def _settle(
    waiter: asyncio.Future[list[dict[str, Any]]],
    page: list[dict[str, Any]],
    exc: BaseException | None,
) -> None:
    if waiter.done():  # the awaiting task was cancelled
        return
    if exc is not None:
        waiter.set_exception(exc)
    else:
        waiter.set_result(page)
