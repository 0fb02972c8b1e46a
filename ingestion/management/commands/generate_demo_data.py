"""`manage.py generate_demo_data --project ID`: fill a project with realistic, deterministic demo events."""

from django.core.management.base import BaseCommand, CommandError

from ingestion.demo import DemoDataExists, generate_demo_data
from ingestion.demo.generator import project_has_events
from insights_server.models import Team
from queries.clickhouse.errors import ClickHouseUnavailable
from queries.clickhouse.migrations import migrate

UNKNOWN_PROJECT = "Project {id} does not exist."
CLICKHOUSE_UNAVAILABLE = "ClickHouse is unavailable (is a server using the same chDB directory?): {error}"


class Command(BaseCommand):
    help = (
        "Adds demo persons and events to a project (it does not replace existing events). Equal arguments give "
        "equal events; reusing a seed on the same project is refused. With --if-empty, does nothing when the "
        "project already has events (for start-up scripts)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", type=int, required=True, help="project (environment) id")
        parser.add_argument("--events", type=int, default=200_000)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--if-empty", action="store_true", help="skip projects that already have events")

    def handle(self, *args, **options) -> None:
        if options["events"] < 1 or options["days"] < 1 or options["seed"] < 0:
            raise CommandError("--events and --days must be positive and --seed must not be negative.")
        team = Team.objects.filter(pk=options["project"]).first()
        if team is None:
            raise CommandError(UNKNOWN_PROJECT.format(id=options["project"]))
        try:
            migrate()
            if options["if_empty"] and project_has_events(team.id):
                self.stdout.write(f"Project {team.id} already has events: no demo data generated.")
                return
            summary = generate_demo_data(team, options["events"], options["days"], options["seed"])
        except DemoDataExists as error:
            raise CommandError(str(error)) from error
        except ClickHouseUnavailable as error:
            # Typically an embedded chDB directory already opened by a running server process.
            raise CommandError(CLICKHOUSE_UNAVAILABLE.format(error=error)) from error
        self.stdout.write(
            f"Generated demo data for project {team.id} over {options['days']} days (seed {options['seed']}): {summary}"
        )
