"""A test-only ClickHouse HTTP endpoint over chDB, for the production-shape stage (never part of the product).

No ClickHouse server of a usable version installs on this machine kind (Debian ships 18.16), so the stage talks
to this instead: ClickHouse's HTTP interface, as far as clickhouse-connect uses it, in front of chDB (the
ClickHouse engine, in this process). What is real and what is not:

- Real (the engine's own): parsing, planning and execution of every statement, server-side parameters
  (`param_*`), settings, the Native formats, `system.processes`, `KILL QUERY` across requests (every request runs
  on its own chDB connection in its own thread, so statements run concurrently and one can kill another) and
  `system.query_log`: chDB has no query log by default, but writes one when given a server config that declares
  it (`config.xml` below), so the stage counts executions from ClickHouse's own log.
- This module's own: the HTTP framing (`/ping`, `query`/`database`/`param_*`/settings parameters, the query in
  the URL or the body, `X-ClickHouse-*` headers, errors as `Code: N. DB::Exception: ...` with
  `X-ClickHouse-Exception-Code`), inserts (the body is written to a file and read with `INSERT ... FROM INFILE`,
  as clickhouse-connect's own chDB backend does), and no authentication (the user and password are ignored).
  `query_id` is echoed in `X-ClickHouse-Query-Id` but chDB assigns its own id to the statement: look queries up
  by text (our tag comment), not by id. `session_id` is accepted and ignored (each request is its own session:
  the product never relies on session state). Responses are never compressed. A client that hangs up does not
  cancel its statement (`cancel_http_readonly_queries_on_client_close` is ignored); progress headers are not sent.
- The engine lists a statement with server-side parameters in `system.processes` and `system.query_log` with the
  values substituted and its comments dropped (so the product finds its statements by `log_comment`).
- A test-only knob: `CLICKHOUSE_HTTP_DELAY_MATCH` (a substring) and `CLICKHOUSE_HTTP_DELAY_SECONDS` hold a
  statement whose text contains the substring for that long before the engine runs it, so that concurrent
  requests reliably overlap on a loaded machine. The delay is before execution: it changes no count.

    python tests/prodshape/clickhouse_http.py --port 8123 --path /tmp/ch
"""

import argparse
import gzip
import json
import os
import re
import sys
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import chdb

# Parameters of the HTTP interface that are not settings of the statement.
TRANSPORT_PARAMS = {
    "query",
    "database",
    "query_id",
    "session_id",
    "session_timeout",
    "session_check",
    "default_format",
    "user",
    "password",
    "quota_key",
    "compress",
    "decompress",
    "enable_http_compression",
    "wait_end_of_query",
    "client_protocol_version",
    "buffer_size",
    "role",
    "send_progress_in_http_headers",
    "http_headers_progress_interval_ms",
}
TRAILING_FORMAT = re.compile(r"\bFORMAT\s+(\w+)\s*;?\s*$", re.IGNORECASE)
INSERT_STATEMENT = re.compile(r"^\s*(?:/\*.*?\*/\s*)*INSERT\b", re.IGNORECASE | re.DOTALL)
SETTING_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ERROR_CODE = re.compile(r"Code: (\d+)\.")

# The server config chDB reads: it declares the query log, which chDB does not keep otherwise.
CONFIG_XML = """<clickhouse>
    <query_log>
        <database>system</database>
        <table>query_log</table>
        <flush_interval_milliseconds>200</flush_interval_milliseconds>
    </query_log>
</clickhouse>
"""


class Engine:
    """The chDB engine of this process: one directory, a connection per statement."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        config = path.parent / f"{path.name}-config.xml"
        config.write_text(CONFIG_XML)
        self.connection_string = f"{path}?config-file={config}"
        # Held open for the life of the process: the engine lives as long as one connection does.
        self.keeper = chdb.connect(self.connection_string)
        self.inbox = path.parent / f"{path.name}-inserts"
        self.inbox.mkdir(exist_ok=True)

    def run(self, sql: str, fmt: str, params: dict[str, str], settings: dict[str, str], database: str | None):
        connection = chdb.connect(self.connection_string)
        try:
            if database:
                connection.query(f"USE `{database.replace('`', '')}`", "CSV")
            for name, value in settings.items():
                if SETTING_NAME.match(name):
                    connection.query(f"SET {name} = '{_escape(value)}'", "CSV")
            return connection._conn.query(sql, fmt, params=params)
        finally:
            connection.close()

    def insert(self, statement: str, fmt: str, body: bytes, settings: dict[str, str], database: str | None):
        path = self.inbox / f"{uuid.uuid4().hex}.{fmt.lower()}"
        path.write_bytes(body)
        try:
            head = TRAILING_FORMAT.sub("", statement).rstrip()
            if settings.get("insert_allow_materialized_columns") in ("1", "true"):
                # chDB resolves the columns of `INSERT ... FROM INFILE` before it applies this setting, so rows that
                # carry MATERIALIZED columns (capture writes them) are read with file() instead, typed by the table.
                clause = " SETTINGS insert_allow_materialized_columns = 1"
                sql = f"{head} SELECT * FROM file('{_escape(str(path))}', {fmt}){clause}"
            else:
                sql = f"{head} FROM INFILE '{_escape(str(path))}' FORMAT {fmt}"
            return self.run(sql, "CSV", {}, settings, database)
        finally:
            path.unlink(missing_ok=True)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _decompress(body: bytes, encoding: str | None) -> bytes:
    if not encoding or encoding == "identity":
        return body
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "lz4":
        import lz4.frame

        return lz4.frame.decompress(body)
    if encoding == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().decompressobj().decompress(body)
    raise ValueError(f"unsupported Content-Encoding {encoding}")


class Handler(BaseHTTPRequestHandler):
    engine: Engine
    delay_match = os.environ.get("CLICKHOUSE_HTTP_DELAY_MATCH", "")
    delay_seconds = float(os.environ.get("CLICKHOUSE_HTTP_DELAY_SECONDS", "0") or 0)
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        if os.environ.get("CLICKHOUSE_HTTP_LOG"):
            super().log_message(format, *args)

    def do_GET(self) -> None:
        if urlparse(self.path).path in ("/ping", "/") and "query=" not in self.path:
            self._send(200, b"Ok.\n", {"Content-Type": "text/plain; charset=UTF-8"})
            return
        self._statement(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:
            body = self.rfile.read(length) if length else b""
        self._statement(_decompress(body, self.headers.get("Content-Encoding")))

    def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _statement(self, body: bytes) -> None:
        params = dict(parse_qsl(urlparse(self.path).query, keep_blank_values=True))
        query_id = params.get("query_id") or str(uuid.uuid4())
        database = params.get("database") or None
        bind = {name[6:]: value for name, value in params.items() if name.startswith("param_")}
        settings = {
            name: value
            for name, value in params.items()
            if name not in TRANSPORT_PARAMS and not name.startswith("param_")
        }
        headers = {"X-ClickHouse-Query-Id": query_id, "X-ClickHouse-Timezone": "UTC"}
        started = time.monotonic()
        try:
            text = params.get("query", "")
            if not text and INSERT_STATEMENT.match(body[:4096].decode("utf-8", "replace")):
                # clickhouse-connect sends `INSERT ... FORMAT Native\n` and the data in one body.
                head, _, body = body.partition(b"\n")
                text = head.decode()
            if text and INSERT_STATEMENT.match(text) and body:
                fmt = (TRAILING_FORMAT.search(text) or [None, "TabSeparated"])[1]
                result = self.engine.insert(text, fmt, body, settings, database)
                self._send(200, b"", {**headers, **self._summary(result, started)})
                return
            sql = f"{text}\n{body.decode()}" if text and body else (text or body.decode())
            match = TRAILING_FORMAT.search(sql)
            fmt = match.group(1) if match else params.get("default_format", "TabSeparated")
            if match:
                sql = sql[: match.start()]
            if os.environ.get("CLICKHOUSE_HTTP_LOG"):
                print(f"clickhouse_http: statement {' '.join(sql.split())[:300]}", file=sys.stderr, flush=True)
            if self.delay_match and self.delay_match in sql and self.delay_seconds:
                time.sleep(self.delay_seconds)
            result = self.engine.run(sql, fmt, bind, settings, database)
            data = result.bytes() if result is not None else b""
            self._send(200, data, {**headers, "X-ClickHouse-Format": fmt, **self._summary(result, started)})
        except Exception as error:  # noqa: BLE001 (every engine error becomes ClickHouse's error answer)
            message = str(error)
            index = message.find("Code: ")
            message = message[index:] if index >= 0 else f"Code: 1000. DB::Exception: {message}"
            code = ERROR_CODE.search(message)
            self._send(
                500,
                (message.rstrip() + "\n").encode(),
                {**headers, "X-ClickHouse-Exception-Code": code.group(1) if code else "1000"},
            )

    @staticmethod
    def _summary(result, started: float) -> dict[str, str]:
        summary = {
            "read_rows": str(result.rows_read()) if result is not None else "0",
            "read_bytes": str(result.bytes_read()) if result is not None else "0",
            "written_rows": str(getattr(result, "rows_written", lambda: 0)()) if result is not None else "0",
            "written_bytes": str(getattr(result, "bytes_written", lambda: 0)()) if result is not None else "0",
            "total_rows_to_read": "0",
            "result_rows": "0",
            "result_bytes": "0",
            "elapsed_ns": str(int((time.monotonic() - started) * 1e9)),
        }
        return {"X-ClickHouse-Summary": json.dumps(summary)}

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", headers.get("Content-Type", "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", type=Path, required=True, help="the chDB data directory")
    args = parser.parse_args()
    Handler.engine = Engine(args.path.resolve())
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"clickhouse_http: listening on {args.host}:{args.port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        # chDB's teardown at interpreter exit can crash; the data is on disk already.
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
