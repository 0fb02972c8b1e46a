"""The insight assistant: names and descriptions for queries, result summaries and related-query suggestions.

Every answer is computed deterministically from the query and its cached results. When settings.INSIGHTS_LLM_URL
names an OpenAI-compatible endpoint, `generate_metadata` and `analyze` ask it first and fall back to the
deterministic answer on any failure.
"""

from __future__ import annotations

import json
import logging

from insights.assistant.analysis import NO_RESULTS, analyze_results
from insights.assistant.describe import describe_query
from insights.assistant.llm import chat_completion, llm_enabled, parse_json_answer
from insights.assistant.source import INVALID_QUERY
from insights.assistant.suggest import suggest_queries

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 400
METADATA_PROMPT = (
    "You name product analytics insights. Given a query (PostHog query JSON) and a draft, answer with only a JSON "
    'object {"name": str, "description": str}: a short title (under 60 characters, no trailing period) and one or '
    "two sentences saying what it measures, its filters, date range and interval."
)
ANALYSIS_PROMPT = (
    "You are a product analyst. Given an insight query (PostHog query JSON), its computed results and a draft "
    "summary, write a plain-language summary of at most five sentences: totals, trend direction, change versus the "
    "previous period, peaks and notable segments. Use only numbers present in the data. Answer with the text only."
)


def generate_metadata(query: dict) -> dict:
    """{"name", "description"} for a query (interface node or bare insight/HogQL/events/actors query).

    Raises ValueError("Invalid query format") when `query` is not a valid query node.
    """
    metadata = describe_query(query)
    if not llm_enabled():
        return metadata
    answer = parse_json_answer(chat_completion(METADATA_PROMPT, _prompt(query=query, draft=metadata)))
    name = answer.get("name") if answer else None
    description = answer.get("description") if answer else None
    if not (isinstance(name, str) and name.strip() and isinstance(description, str)):
        logger.info("insights_llm_metadata_fallback")
        return metadata
    return {"name": name.strip()[:MAX_NAME_LENGTH], "description": description.strip()}


def analyze(query: dict, response: dict | None) -> str:
    """A plain-language summary of the cached `response` of `query`.

    "" when the query is not valid; a sentence asking for a refresh when nothing was computed yet.
    """
    summary = analyze_results(query, response)
    if not summary or summary == NO_RESULTS or not llm_enabled():
        return summary
    results = (response or {}).get("results", (response or {}).get("result"))
    answer = chat_completion(ANALYSIS_PROMPT, _prompt(query=query, results=results, draft=summary))
    return answer or summary


def suggestions(query: dict, response: dict | None, context=None) -> list[dict]:
    """Related queries: `[{"title", "description", "query": InsightVizNode}]`; [] for non-insight queries."""
    return suggest_queries(query, response, context)


def _prompt(**parts) -> str:
    return "\n\n".join(f"{key}:\n{json.dumps(value, default=str)[:6000]}" for key, value in parts.items())


__all__ = ["INVALID_QUERY", "NO_RESULTS", "analyze", "generate_metadata", "suggestions"]
