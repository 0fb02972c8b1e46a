"""Random identifiers and secrets: base62 tokens, project API tokens, personal API key values and their hashes."""

import hashlib
import secrets
import string

BASE62_ALPHABET = string.digits + string.ascii_letters


def base62_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    if number == 0:
        return "0"
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(BASE62_ALPHABET[remainder])
    return "".join(reversed(digits))


def random_token(n_bytes: int = 32) -> str:
    """A URL-safe base62 token drawn from `n_bytes` random bytes."""
    return base62_encode(secrets.token_bytes(n_bytes))


def project_api_token() -> str:
    """A project API token (`phc_...`), used by capture endpoints; public, not a secret."""
    return "phc_" + random_token(32)


def personal_api_key_value() -> str:
    """A personal API key (`phx_...`): shown once, stored only as a hash."""
    return "phx_" + random_token(35)


def hash_key_value(value: str) -> str:
    """The stored form of a personal API key: unsalted sha256, so a lookup is one indexed query."""
    return "sha256$" + hashlib.sha256(value.encode()).hexdigest()


def mask_key_value(value: str) -> str:
    return f"{value[:4]}...{value[-4:]}"
