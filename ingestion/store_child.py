"""The store process (`python -m ingestion.store_child <fd>`): runs the ingestion pipeline for its owner.

Started by ingestion/store_process.py with one end of a socket pair as `fd`. It takes `("ingest", payloads)` (spool
rows, each a JSON list of normalized events), stores them with `ingest_events`, and answers `("done", stored,
duplicates)`, `("unavailable", message)` (ClickHouse could not be reached: the owner keeps the rows) or
`("failed", message)`. The engine, and a process-local cache, are reached through the owner (ingestion/owner_link.py).
It exits when the owner closes its end (the owner stopped or died).
"""

import logging
import os
import sys
from multiprocessing.connection import Connection

logger = logging.getLogger("ingestion.store_child")


def serve(connection: Connection) -> None:
    import orjson
    from django.db import close_old_connections

    from ingestion.pipeline import ingest_events
    from ingestion.spool import collection_paused
    from queries.clickhouse.errors import ClickHouseUnavailable

    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        try:
            with collection_paused():  # see collection_paused: the batch is freed by reference counting
                result = ingest_events([event for payload in message[1] for event in orjson.loads(payload)])
            answer: tuple = ("done", result.stored, result.duplicates)
        except ClickHouseUnavailable as error:
            answer = ("unavailable", str(error))
        except Exception as error:
            logger.exception("store_process_ingest_failed events=%s", len(message[1]))
            answer = ("failed", f"{type(error).__name__}: {error}")
        finally:
            close_old_connections()
        try:
            connection.send(answer)
        except (EOFError, OSError):
            return


def main() -> None:
    connection = Connection(int(sys.argv[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from ingestion import owner_cache
    from ingestion.owner_link import OwnerLink
    from queries.clickhouse import client

    link = OwnerLink(connection)
    owner_cache.use_link(link)
    if os.environ.get("INSIGHTS_STORE_PROCESS_ENGINE") == "owner":
        client.forward_to_owner(link)
    logger.info("store_process_started pid=%s", os.getpid())
    serve(connection)


if __name__ == "__main__":
    main()
