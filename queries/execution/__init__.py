"""How a query runs: refresh modes, the result cache, staleness, coalescing, async status, the queue and its worker.

Everything here sits below the runners except `worker`, the one entry point above them (reached by Celery
task name or by the queue's registered handler, never imported by the code that enqueues).
"""
