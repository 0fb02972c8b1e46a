"""Decoding capture request bodies: JSON, gzip (header or `?compression=gzip-js`), base64, form `data=`, GET `data=`."""

import base64
import binascii
import json
import zlib
from typing import Any
from urllib.parse import parse_qs

import orjson

from ingestion.errors import BODY_TOO_LARGE, CaptureError, malformed

MAX_BODY_BYTES = 20 * 1024 * 1024
# A gzip bomb must not exhaust memory: decompressed payloads are capped too.
MAX_DECOMPRESSED_BYTES = 200 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


def gunzip(data: bytes) -> bytes:
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, MAX_DECOMPRESSED_BYTES)
    except zlib.error as error:
        raise malformed(f"Failed to decompress data. {error}") from None
    if decompressor.unconsumed_tail:
        raise CaptureError(413, "invalid_request", "payload_too_large", "Decompressed body is too large.")
    return out


def b64decode(data: bytes | str) -> bytes:
    if isinstance(data, str):
        data = data.encode()
    data = data.strip()
    try:
        return base64.b64decode(
            data + b"=" * (-len(data) % 4), altchars=b"-_" if b"-" in data or b"_" in data else None
        )
    except (binascii.Error, ValueError) as error:
        raise malformed(f"Failed to decode base64. {error}") from None


def looks_like_json(data: bytes) -> bool:
    stripped = data.lstrip()
    return stripped[:1] in (b"{", b"[")


def decode_data_field(value: str | bytes, compression: str) -> bytes:
    """A `data=` value: JSON text, base64 of JSON, or base64 of gzip."""
    raw = value.encode() if isinstance(value, str) else value
    if compression == "base64" or not looks_like_json(raw):
        raw = b64decode(raw)
    if raw[:2] == GZIP_MAGIC:
        raw = gunzip(raw)
    return raw


def decode_body(body: bytes, content_type: str, content_encoding: str, compression: str, get_data: str | None) -> Any:
    """The JSON document a capture request carries, whatever its encoding."""
    if len(body) > MAX_BODY_BYTES:
        raise CaptureError(413, "invalid_request", "payload_too_large", BODY_TOO_LARGE)
    if get_data is not None and not body:
        raw = decode_data_field(get_data, compression)
    else:
        raw = body
        if "gzip" in content_encoding.lower() or compression in ("gzip", "gzip-js") or raw[:2] == GZIP_MAGIC:
            raw = gunzip(raw)
        if content_type.startswith("application/x-www-form-urlencoded") or (
            raw[:5] == b"data=" and not looks_like_json(raw)
        ):
            fields = parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
            if "data" not in fields:
                raise malformed("No data found. Make sure to use a POST request when sending the payload in the body.")
            raw = decode_data_field(fields["data"][0], compression)
        elif compression == "base64":
            raw = b64decode(raw)
    if compression == "lz64":
        raise malformed("lz64 compression is not supported; use gzip-js or base64.")
    if not raw.strip():
        raise malformed("No data found. Make sure to use a POST request when sending the payload in the body.")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        # The standard parser also accepts NaN and Infinity, which some SDKs emit.
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise malformed(f"Failed to decode JSON. {error}") from None
    except RecursionError:
        raise malformed("Failed to decode JSON. It is nested too deeply.") from None


def split_payload(document: Any) -> tuple[list[Any], dict]:
    """(raw events, the batch-level fields such as api_key and sent_at)."""
    if isinstance(document, list):
        return document, {}
    if isinstance(document, dict):
        if "batch" in document:
            batch = document["batch"]
            if not isinstance(batch, list):
                raise malformed("`batch` must be a list of events.")
            return batch, document
        if isinstance(document.get("data"), list):
            return document["data"], document
        return [document], document
    raise malformed("The payload must be a JSON object or a list of events.")
