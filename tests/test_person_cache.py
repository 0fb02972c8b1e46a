"""The person cache (ingestion/person_cache.py): capture keeps persons between batches where one process stores
events. Every persons test runs again here with it on; then what only the cache can get wrong."""

import pytest

import ingestion.persons as persons_module
from ingestion.person_cache import person_cache
from persons.models import Person
from tests.test_persons_ingestion import *  # noqa: F403 - the same behaviour, with the cache on
from tests.test_persons_ingestion import send

pytestmark = pytest.mark.usefixtures("clickhouse")


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.INGESTION_PERSON_CACHE_SECONDS = 60
    person_cache.clear()
    yield
    person_cache.clear()


@pytest.fixture
def database_reads(monkeypatch):
    """Distinct ids whose persons were read from the app database."""
    read: list[str] = []
    original = persons_module.PersonTableWriter.read_mappings

    def counting(self, team_id, distinct_ids):
        read.extend(distinct_ids)
        return original(self, team_id, distinct_ids)

    monkeypatch.setattr(persons_module.PersonTableWriter, "read_mappings", counting)
    return read


def person_properties(team, distinct_id: str) -> dict:
    return Person.objects.get(team=team, distinct_id_rows__distinct_id=distinct_id).properties


def test_known_persons_are_not_read_again(client, world, database_reads):
    send(client, world.team, ("a", "u1", {"$set": {"plan": "free"}}), ("a", "u2", {}))
    assert sorted(database_reads) == ["u1", "u2"]
    database_reads.clear()
    send(client, world.team, ("b", "u1", {"$set": {"plan": "pro"}}), ("b", "u3", {}))
    assert database_reads == ["u3"]
    assert person_properties(world.team, "u1") == {"plan": "pro"}


def test_an_orm_write_drops_the_cache(client, world, database_reads):
    send(client, world.team, ("a", "u1", {"$set": {"plan": "free"}}))
    person = Person.objects.get(team=world.team, distinct_id_rows__distinct_id="u1")
    person.properties = {"plan": "enterprise"}
    person.save()  # as the API or a cohort import would: the persons generation changes
    database_reads.clear()
    send(client, world.team, ("b", "u1", {"$set_once": {"plan": "free", "seats": 3}}))
    assert database_reads == ["u1"]
    assert person_properties(world.team, "u1") == {"plan": "enterprise", "seats": 3}


def test_a_failed_batch_leaves_no_uncommitted_change_behind(client, world, database_reads, monkeypatch):
    send(client, world.team, ("a", "u1", {"$set": {"plan": "free"}}))
    original = persons_module.PersonBatch.save

    def failing(self):
        raise RuntimeError("app database went away")

    monkeypatch.setattr(persons_module.PersonBatch, "save", failing)
    with pytest.raises(RuntimeError):
        persons_module.process_persons(
            world.team.id,
            [{"event": "b", "distinct_id": "u1", "properties": {"$set": {"plan": "pro"}}}],
            [persons_module.datetime.now(persons_module.UTC)],
        )
    monkeypatch.setattr(persons_module.PersonBatch, "save", original)
    database_reads.clear()
    send(client, world.team, ("c", "u1", {"$set_once": {"seats": 1}}))
    assert database_reads == ["u1"]  # read again: the cached person held the failed batch's "pro"
    assert person_properties(world.team, "u1") == {"plan": "free", "seats": 1}


def test_a_merge_drops_the_project_so_unmentioned_distinct_ids_follow_it(client, world, database_reads, monkeypatch):
    """The merged-away person's deletion also replaces the persons generation; without it (the shared cache failing
    to take the new token, done here) the merge itself must drop the project's entries."""
    monkeypatch.setattr("persons.changes._replace", lambda: None)
    send(client, world.team, ("$create_alias", "s1", {"alias": "s2"}), ("a", "t", {}))  # s1 and s2: one person
    send(client, world.team, ("b", "s2", {}))  # s2 now cached with that person
    send(client, world.team, ("$merge_dangerously", "t", {"alias": "s1"}))  # s2 moves to t's person, unmentioned
    database_reads.clear()
    send(client, world.team, ("c", "s2", {"$set": {"x": 1}}))
    assert database_reads == ["s2"]
    survivor = Person.objects.get(team=world.team, distinct_id_rows__distinct_id="t")
    assert survivor.properties == {"x": 1} == person_properties(world.team, "s2")


def test_past_its_bound_the_cache_starts_again_empty(client, world, monkeypatch):
    monkeypatch.setattr("ingestion.person_cache.MAX_DISTINCT_IDS", 2)
    send(client, world.team, ("a", "u1", {}), ("a", "u2", {}))
    assert person_cache.size == 2
    send(client, world.team, ("a", "u3", {}))
    assert person_cache.size == 0 and person_cache.teams == {}
