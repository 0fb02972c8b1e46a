"""The actors of a paths node or edge (spec actors-cohorts §2.6): the paths query's own steps, per person, kept
where the step leaves `pathStartKey`, reaches `pathEndKey`, or is the last step of a path ending at `pathDropoffKey`."""

from queries.hogql import ast
from queries.runners.retention.sql import substitute


def paths_actors_query(runner) -> ast.SelectQuery:
    paths_filter = runner.paths_filter
    select, values = runner.build(runner.query_date_range())
    steps = select.select_from.table
    steps.select = [
        *steps.select,
        ast.Field(["person_id"]),
        ast.Alias(
            "is_last",
            ast.CompareOperation(
                "==", ast.Field(["step_index"]), ast.Call("length", [ast.Field(["limited_path_timings"])])
            ),
        ),
    ]
    conditions: list[ast.Expr] = []
    if paths_filter.pathDropoffKey:
        conditions.append(
            ast.CompareOperation("==", ast.Field(["target_event"]), ast.Constant(paths_filter.pathDropoffKey))
        )
        conditions.append(ast.Field(["is_last"]))
    else:
        if paths_filter.pathStartKey:
            conditions.append(
                ast.CompareOperation("==", ast.Field(["source_event"]), ast.Constant(paths_filter.pathStartKey))
            )
        if paths_filter.pathEndKey:
            conditions.append(
                ast.CompareOperation("==", ast.Field(["target_event"]), ast.Constant(paths_filter.pathEndKey))
            )
    actors = ast.SelectQuery(
        select=[ast.Alias("actor_id", ast.Field(["person_id"])), ast.Alias("event_count", ast.Call("count", []))],
        select_from=ast.JoinExpr(table=steps, alias="steps"),
        where=(conditions[0] if len(conditions) == 1 else ast.And(conditions)) if conditions else None,
        group_by=[ast.Field(["actor_id"])],
    )
    # The template's placeholders (step limit, session gap, points) become constants: the actors query is printed
    # inside another query, without the paths runner's print context.
    constants: dict[str, ast.Expr] = {str(name): ast.Constant(value) for name, value in values.items()}
    return substitute(actors, constants)
