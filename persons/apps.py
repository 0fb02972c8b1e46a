"""App config for persons."""

from django.apps import AppConfig


class PersonsConfig(AppConfig):
    name = "persons"
    verbose_name = "persons"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from persons.changes import persons_changed
        from persons.models import Person, PersonDistinctId

        for model in (Person, PersonDistinctId):
            post_save.connect(persons_changed, sender=model, dispatch_uid=f"persons-changed-save-{model.__name__}")
            post_delete.connect(persons_changed, sender=model, dispatch_uid=f"persons-changed-delete-{model.__name__}")
