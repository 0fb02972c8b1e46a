"""The state of one program run: the step, time, depth, memory, output and `run()` budgets (spec §9, ours)."""

import queue
import threading
import time
from dataclasses import dataclass

from queries.hog.errors import (
    MAX_RUN_CALLS,
    MAX_STDOUT,
    MAX_STEPS,
    MEMORY,
    TIMEOUT,
    HogError,
)
from queries.hog.values import Closure

CHECK_EVERY = 256
# Python frames one thread may use for Hog calls before the next call continues on a fresh thread. Python's
# recursion limit (1000) counts per thread, so deep Hog recursion never reaches it (see Compiler.function); the rest
# is left for library functions (printing and JSON recurse up to 100 levels, two frames each).
SEGMENT_WEIGHT = 550
# A segment's thread needs a bigger C stack than the default only for native recursion (json, comparisons).
SEGMENT_STACK_BYTES = 32 * 1024 * 1024
_stack_size_lock = threading.Lock()


@dataclass(frozen=True)
class Limits:
    """PostHog's time and memory budgets, and ours for steps, call depth, `run()` calls and output."""

    timeout_seconds: float = 10.0
    memory_bytes: int = 64 * 1024 * 1024
    max_steps: int = 20_000_000
    max_depth: int = 1000
    max_run_calls: int = 10
    max_stdout_bytes: int = 1_000_000


def start_thread(target) -> threading.Thread:
    with _stack_size_lock:
        previous = threading.stack_size(SEGMENT_STACK_BYTES)
        try:
            thread = threading.Thread(target=target, daemon=True, name="hog")
            thread.start()
        finally:
            threading.stack_size(previous)
    return thread


class Host:
    """The caller's thread: the program runs on other threads and asks this one to run host callbacks
    (HogQL through Django and ClickHouse must run on the request's thread and its database connection)."""

    def __init__(self):
        self.requests: queue.Queue = queue.Queue()
        # Set when the caller stopped waiting (time is up): a late callback request must not wait forever.
        self.closed = False

    def call(self, function, *args):
        reply: queue.Queue = queue.Queue(maxsize=1)
        self.requests.put(("call", (function, args, reply)))
        while True:
            try:
                ok, value = reply.get(timeout=0.25)
                break
            except queue.Empty:
                if self.closed:
                    raise HogError("The program was stopped") from None
        if ok:
            return value
        raise value

    def finish(self, outcome) -> None:
        self.requests.put(("done", outcome))

    def serve(self, deadline: float):
        """Runs callbacks until the program finishes; None when it has not finished by `deadline`."""
        while True:
            try:
                kind, payload = self.requests.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.closed = True
                return None
            if kind == "done":
                return payload
            function, args, reply = payload
            try:
                reply.put((True, function(*args)))
            except BaseException as error:  # handed to the program's thread, which raises it
                reply.put((False, error))


class Runtime:
    __slots__ = (
        "limits", "steps", "check_at", "started", "deadline", "cancelled", "depth", "weight", "frames", "stdout",
        "stdout_bytes", "run_calls", "run_hogql", "host", "allocated", "measure_at", "live",
    )  # fmt: skip

    def __init__(self, limits: Limits, run_hogql=None, host: Host | None = None):
        self.limits = limits
        self.steps = 0
        self.check_at = CHECK_EVERY
        self.started = time.monotonic()
        self.deadline = self.started + limits.timeout_seconds
        self.cancelled = False
        self.depth = 0
        self.weight = 0
        self.frames: list = []
        self.stdout: list[str] = []
        self.stdout_bytes = 0
        self.run_calls = 0
        self.run_hogql = run_hogql
        self.host = host
        self.allocated = 0
        self.live = 0
        self.measure_at = 1024 * 1024

    # ---- steps and time ----------------------------------------------------------------------------------

    def check(self) -> None:
        """Called every CHECK_EVERY steps and at every call: the step budget and the wall clock."""
        self.check_at = self.steps + CHECK_EVERY
        if self.steps > self.limits.max_steps:
            raise HogError(MAX_STEPS.format(limit=self.limits.max_steps))
        if self.cancelled or time.monotonic() > self.deadline:
            raise HogError(self.timeout_message())

    def timeout_message(self) -> str:
        return TIMEOUT.format(seconds=float(self.limits.timeout_seconds), ops=self.steps)

    # ---- calls -------------------------------------------------------------------------------------------

    def call(self, function, args: list):
        if type(function) is not Closure:
            from queries.hog.errors import INVALID_CLOSURE
            from queries.hog.values import print_value

            raise HogError(INVALID_CLOSURE.format(value=print_value(function)))
        return function.invoke(args)

    @staticmethod
    def on_new_thread(function, *args):
        box: list = []

        def target():
            try:
                box.append((True, function(*args)))
            except BaseException as error:  # re-raised on the calling thread
                box.append((False, error))

        start_thread(target).join()
        ok, value = box[0]
        if ok:
            return value
        raise value

    # ---- output and host callbacks -----------------------------------------------------------------------

    def print_line(self, line: str) -> None:
        self.stdout_bytes += len(line) + 1
        if self.stdout_bytes > self.limits.max_stdout_bytes:
            raise HogError(MAX_STDOUT.format(limit=self.limits.max_stdout_bytes))
        self.stdout.append(line)

    def run_query(self, query: str):
        self.run_calls += 1
        if self.run_calls > self.limits.max_run_calls:
            raise HogError(MAX_RUN_CALLS.format(limit=self.limits.max_run_calls))
        if self.run_hogql is None:
            return {"results": []}
        remaining = max(0.1, self.deadline - time.monotonic())
        if self.host is None:
            result = self.run_hogql(query, remaining)
        else:
            result = self.host.call(self.run_hogql, query, remaining)
        self.check()  # a query may have used up the program's time
        return result

    # ---- memory ------------------------------------------------------------------------------------------

    def alloc(self, size: int, value=None) -> None:
        """Notes `size` new bytes; every so often the live values are measured against the memory limit."""
        self.allocated += size
        if size > self.limits.memory_bytes:
            raise HogError(MEMORY.format(limit=self.limits.memory_bytes, used=self.live + size))
        if self.allocated > self.measure_at:
            self.measure(value)

    def measure(self, extra=None) -> None:
        from queries.hog.memory import live_bytes

        live = live_bytes(self.frames, extra)
        limit = self.limits.memory_bytes
        if live > limit:
            raise HogError(MEMORY.format(limit=limit, used=live))
        self.live = live
        # Measure again after allocating as much as is live (amortised), sooner when close to the limit.
        self.measure_at = self.allocated + max(256 * 1024, min(live, limit - live))
