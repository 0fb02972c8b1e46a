"""HogQLMetadata: is a HogQL query (or expression) valid, and where are its errors."""

from queries.hogql import ast
from queries.hogql.errors import ExposedHogQLError
from queries.hogql.execute import print_select
from queries.hogql.parser import parse_expr, parse_select
from queries.hogql.printer import PrintContext
from queries.hogql.visitor import table_names
from queries.runners.base import QueryRunner

DEFAULT_SOURCE = "select * from events"
# HogQL's names of the types a property definition gives (Numeric reads as a Float).
TYPE_NAMES = {"Numeric": "Float", "DateTime": "DateTime", "Boolean": "Boolean", "String": "String"}


def typed_property_notice(kind: str, name: str, property_type: str, start: int | None, end: int | None) -> dict:
    message = f"{kind.capitalize()} property '{name}' is of type '{TYPE_NAMES.get(property_type, property_type)}'."
    return {"message": message, "start": start, "end": end, "fix": None}


class HogQLMetadataRunner(QueryRunner):
    kind = "HogQLMetadata"

    def run(self, mode: str = "blocking", query_id: str | None = None) -> dict:
        # Validation is cheap and depends on the schema, not on data: never cached.
        return self.calculate()

    def calculate(self) -> dict:
        query = self.query
        response = {"isValid": True, "errors": [], "warnings": [], "notices": [], "query": query.query}
        try:
            if query.language == "hogQL":
                node = parse_select(query.query)
                response["table_names"] = table_names(node)
            elif query.language == "hogQLExpr":
                expr = parse_expr(query.query)
                source = getattr(query.sourceQuery, "query", None) or DEFAULT_SOURCE
                node = parse_select(source)
                node = ast.SelectQuery(**{**node.__dict__, "select": [expr]})
            else:
                response["isValid"] = False
                response["errors"].append(
                    {"message": f"Language {query.language} is not supported here.", "start": None, "end": None}
                )
                return response
            # Printing finds the errors; whether persons were merged changes no error, so ClickHouse is not asked.
            values = dict(getattr(query, "values", None) or {})
            context = PrintContext(
                team_id=self.team.id, timezone=self.team.timezone, values=values, property_types=self.property_types
            )
            print_select(node, context)
            response["notices"] = [typed_property_notice(*read) for read in context.typed_reads]
            response["isUsingIndices"] = "unknown"
        except ExposedHogQLError as error:
            response["isValid"] = False
            response["errors"].append({"message": error.message, "start": error.start, "end": error.end, "fix": None})
        return response
