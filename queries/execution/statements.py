"""Printed statements remembered per process: a prepared-statement cache for runners asked the same query again.

Building and printing a trend's statement costs ~70 us of Python per computation, a noticeable part of a small
query's time (bench/run.py). A runner remembers it under its run's cache key plus what the key leaves out (the
resolved date range, whether person_id follows merges, anything read from the data while building): the cache key
already names everything the printed SQL depends on, or the cached results would be wrong too.

Bounded in entries and in age (`STATEMENT_SECONDS` bounds any dependency a key might miss); never shared between
processes.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace

from queries.hogql.execute import PrintedSelect

MAX_STATEMENTS = 256
STATEMENT_SECONDS = 300

_lock = threading.Lock()
_statements: OrderedDict[Hashable, tuple[float, PrintedSelect]] = OrderedDict()


def remembered_statement(key: Hashable, make: Callable[[], PrintedSelect]) -> PrintedSelect:
    """The statement printed under `key` in the last STATEMENT_SECONDS, else `make()`'s, remembered."""
    now = time.monotonic()
    with _lock:
        found = _statements.get(key)
        if found is not None and now - found[0] < STATEMENT_SECONDS:
            _statements.move_to_end(key)
            return found[1]
    printed = make()
    with _lock:
        # What a later run gets was not printed by it: its `./print` timing is 0.
        _statements[key] = (now, replace(printed, print_seconds=0.0))
        _statements.move_to_end(key)
        while len(_statements) > MAX_STATEMENTS:
            _statements.popitem(last=False)
    return printed


def forget_statements() -> None:
    with _lock:
        _statements.clear()
