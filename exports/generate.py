"""Making an export's bytes in the request (spec exports §1.7): the chart as PNG, the result as CSV or JSON.

Failures are recorded on the asset (`exception`, `exception_type`, `failure_type`), never raised: the create still
answers 201, as PostHog's does.
"""

import logging

import orjson

from activity.services import log_activity
from exports.csv_rows import result_rows, to_csv
from exports.models import ExportedAsset
from insights.results import insight_result, stored_or_converted_query
from insights_server.errors import DomainError, ServiceUnavailableError
from queries.runners.registry import get_runner, runnable
from queries.schema import parse_query
from sharing.viewer import SharedInsight, chart_png, dashboard_insights

logger = logging.getLogger(__name__)
CSV_EXPORT_LIMIT = 50_000


class ExportNotSupported(Exception):
    pass


def _source_response(asset: ExportedAsset) -> tuple[dict, dict]:
    """(runner response, the source query) of the asset: its `export_context.source`, else its insight's query."""
    context = asset.export_context if isinstance(asset.export_context, dict) else {}
    if isinstance(context.get("source"), dict):
        node = runnable(parse_query(context["source"]))
        return get_runner(node, asset.team).run("force_blocking"), context["source"]
    insight = asset.insight
    if insight is None:
        raise ExportNotSupported("Either dashboard, insight or export_context is required for an export.")
    result = insight_result(insight, asset.team, mode="force_blocking", dashboard=asset.dashboard)
    query = stored_or_converted_query(insight) or {}
    source = query.get("source", query)
    return SharedInsight(insight, result).chart_input(), source


def _csv(asset: ExportedAsset) -> bytes:
    response, source = _source_response(asset)
    rows = result_rows(response, source)[:CSV_EXPORT_LIMIT]
    context = asset.export_context if isinstance(asset.export_context, dict) else {}
    return to_csv(rows, context.get("columns") or None)


def _json(asset: ExportedAsset) -> bytes:
    response, _ = _source_response(asset)
    return orjson.dumps(response.get("results"), default=str)


def _png(asset: ExportedAsset) -> bytes:
    insight = asset.insight
    if insight is not None:
        result = insight_result(insight, asset.team, mode="force_blocking", dashboard=asset.dashboard)
        return chart_png(SharedInsight(insight, result))
    if asset.dashboard_id is not None:
        insights = dashboard_insights(asset.dashboard)
        if insights:
            return chart_png(insights[0])
    raise ExportNotSupported("A PNG export needs an insight or a dashboard with insights.")


GENERATORS = {"text/csv": _csv, "application/json": _json, "image/png": _png}


def failure_type(error: Exception) -> str:
    if isinstance(error, TimeoutError):
        return "timeout_generation"
    if isinstance(error, ServiceUnavailableError):
        return "system"
    if isinstance(error, DomainError):
        return "user"
    return "unknown"


def export_generate(asset: ExportedAsset) -> ExportedAsset:
    """Fills `content`, or records why it could not; logs `exported` for an insight export."""
    generator = GENERATORS.get(asset.export_format)
    try:
        if generator is None:
            raise ExportNotSupported(f"Export to format {asset.export_format} is not supported for insights")
        asset.content = generator(asset)
    except Exception as error:
        if not isinstance(error, DomainError | ExportNotSupported):
            logger.exception("export_failed asset_id=%s", asset.id)
        asset.exception = error.detail if isinstance(error, DomainError) else str(error)
        asset.exception_type = type(error).__name__
        asset.failure_type = failure_type(error)
    asset.save()
    insight = asset.insight if asset.dashboard_id is None else None
    if insight is not None:
        change = {
            "type": "Insight",
            "action": "exported",
            "field": "export_format",
            "before": None,
            "after": asset.export_format,
        }
        log_activity(
            team_id=asset.team_id,
            organization_id=asset.team.organization_id,
            user=asset.created_by,
            item_id=insight.id,
            scope="Insight",
            activity="exported",
            detail={"name": insight.name or insight.derived_name, "short_id": insight.short_id, "changes": [change]},
        )
    return asset
