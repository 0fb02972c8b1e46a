"""`manage.py migrate_clickhouse`: create or upgrade the ClickHouse tables (idempotent)."""

from django.core.management.base import BaseCommand

from queries.clickhouse.migrations import MIGRATIONS, current_layout, migrate
from queries.clickhouse.schema import Layout


class Command(BaseCommand):
    help = "Applies pending ClickHouse schema migrations (events, persons). Safe to run repeatedly."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--print-sql", action="store_true", help="print the DDL for this layout and exit")
        parser.add_argument("--cluster", default=None, help="with --print-sql: the DDL for this cluster name")

    def handle(self, *args, **options) -> None:
        if options["print_sql"]:
            layout = Layout(cluster=options["cluster"]) if options["cluster"] is not None else current_layout()
            for name, build in MIGRATIONS:
                self.stdout.write(f"-- {name}")
                for statement in build(layout):
                    self.stdout.write(statement + ";\n")
            return
        applied = migrate()
        self.stdout.write(f"ClickHouse migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")
