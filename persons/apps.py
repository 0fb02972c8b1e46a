"""App config for persons."""

from django.apps import AppConfig


class PersonsConfig(AppConfig):
    name = "persons"
    verbose_name = "persons"
    default_auto_field = "django.db.models.BigAutoField"
