"""A minimal client for an OpenAI-compatible `/chat/completions` endpoint, used only when INSIGHTS_LLM_URL is set."""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 8.0
DEFAULT_MODEL = "gpt-4o-mini"
MAX_PROMPT_CHARS = 12_000
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


def llm_enabled() -> bool:
    return bool(getattr(settings, "INSIGHTS_LLM_URL", None))


def chat_endpoint(url: str) -> str:
    """`http://host/v1` -> `http://host/v1/chat/completions`; a URL that already names the route is kept."""
    url = url.rstrip("/")
    return url if url.endswith("/chat/completions") else f"{url}/chat/completions"


def chat_completion(system: str, user: str, *, timeout: float = TIMEOUT_SECONDS) -> str | None:
    """The assistant message for one system + user prompt, or None when unconfigured or on any failure.

    Failures (connection refused, timeout, HTTP error, malformed body) are logged, never raised: callers fall back
    to their deterministic answer. The API key goes in the Authorization header and is never logged.
    """
    url = getattr(settings, "INSIGHTS_LLM_URL", None)
    if not url:
        return None
    endpoint = chat_endpoint(url)
    if urlsplit(endpoint).scheme not in ("http", "https"):
        logger.warning("insights_llm_bad_url scheme=%s", urlsplit(endpoint).scheme)
        return None
    body = {
        "model": getattr(settings, "INSIGHTS_LLM_MODEL", None) or DEFAULT_MODEL,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user[:MAX_PROMPT_CHARS]}],
        "temperature": 0.2,
    }
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    api_key = getattr(settings, "INSIGHTS_LLM_API_KEY", None)
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(endpoint, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            payload = json.loads(response.read().decode("utf-8"))
        content = payload["choices"][0]["message"]["content"]
    except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError, TypeError) as error:
        logger.warning("insights_llm_failed endpoint=%s error=%s", endpoint, type(error).__name__)
        return None
    if not isinstance(content, str) or not content.strip():
        logger.warning("insights_llm_empty_answer endpoint=%s", endpoint)
        return None
    return content.strip()


def parse_json_answer(content: str | None) -> dict | None:
    """A JSON object from a model answer, tolerating a ```json fence around it; None when it is not one."""
    if not content:
        return None
    try:
        value = json.loads(_FENCE.sub("", content.strip()))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
