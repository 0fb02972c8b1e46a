"""Parsing in a separate process with a time limit.

Some inputs make the C++ parser take seconds to minutes while holding the GIL, which would stall every
thread of the server. A small pool of spawned processes does the parsing; one that overruns is killed and
replaced. Parse results are cached by the caller, so only new query texts pay the round trip (~1 ms).
"""

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

PARSE_TIMEOUT_SECONDS = 1.0
_lock = threading.Lock()
_executor: ProcessPoolExecutor | None = None


class ParseTimeout(Exception):
    pass


WARM_UP_TIMEOUT_SECONDS = 60.0


def _warm_up() -> bool:
    from queries.hogql import parser  # noqa: F401 - loads the C++ extension in the worker

    return True


def _pool() -> ProcessPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            # spawn: never fork a process that has the embedded ClickHouse engine loaded.
            pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            # Start-up (importing the parser) must not count against a query's parse time.
            pool.submit(_warm_up).result(timeout=WARM_UP_TIMEOUT_SECONDS)
            _executor = pool
        return _executor


def _reset(pool: ProcessPoolExecutor) -> None:
    global _executor
    with _lock:
        if _executor is pool:
            _executor = None
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def parse(kind: str, text: str) -> str:
    """The parser's JSON for `text`; raises ParseTimeout when parsing takes longer than the limit."""
    from queries.hogql.parser import _parse_raw

    pool = _pool()
    future = pool.submit(_parse_raw, kind, text)
    try:
        return future.result(timeout=PARSE_TIMEOUT_SECONDS)
    except FutureTimeout:
        _reset(pool)
        raise ParseTimeout() from None
