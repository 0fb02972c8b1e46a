"""Group-committed spool appends: concurrent requests each get their rows stored exactly once, and counted."""

import threading

import orjson
import pytest

from ingestion.spool import SpoolFile


def test_concurrent_appends_store_every_event_once_and_count_them(tmp_path):
    spool = SpoolFile(tmp_path / "spool.sqlite3")
    start = threading.Barrier(16)

    def request(thread: int) -> None:
        start.wait()
        for n in range(25):
            spool.append([{"uuid": f"{thread}-{n}-{k}"} for k in range(1 + n % 3)])

    threads = [threading.Thread(target=request, args=(thread,)) for thread in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    expected = sorted(f"{t}-{n}-{k}" for t in range(16) for n in range(25) for k in range(1 + n % 3))
    rows = [(row_id, count, orjson.loads(payload)) for row_id, count, payload in spool.take(10**6)]
    assert sorted(event["uuid"] for _, _, events in rows for event in events) == expected
    assert all(count == len(events) for _, count, events in rows)
    assert spool.pending() == len(expected) == SpoolFile(tmp_path / "spool.sqlite3").pending()
    spool.delete([row_id for row_id, _, _ in rows[:10]])
    assert spool.pending() == len(expected) - sum(len(events) for _, _, events in rows[:10])


def test_an_unstorable_event_fails_its_request_before_anything_is_queued(tmp_path):
    spool = SpoolFile(tmp_path / "spool.sqlite3")
    with pytest.raises(orjson.JSONEncodeError):
        spool.append([{"text": "\ud800"}])
    spool.append([{"text": "ok"}])
    assert [orjson.loads(payload) for _, _, payload in spool.take(100)] == [[{"text": "ok"}]]


def test_deleting_rows_keeps_the_count_without_recounting(tmp_path, monkeypatch):
    monkeypatch.setattr("ingestion.spool.DELETE_CHUNK", 7)  # several DELETE statements per call
    spool = SpoolFile(tmp_path / "spool.sqlite3")
    for n in range(30):
        spool.append([{"n": n}] * (1 + n % 4))
    ids = [row_id for row_id, _, _ in spool.take(10**6)]
    spool.delete(ids[:20])
    spool.delete(ids[15:25])  # rows already gone count once
    assert spool.pending() == spool.count_pending() == sum(1 + n % 4 for n in range(25, 30))
    spool.delete(ids)
    assert spool.pending() == spool.count_pending() == 0
