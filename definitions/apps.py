"""App config for definitions."""

from django.apps import AppConfig


class DefinitionsConfig(AppConfig):
    name = "definitions"
    verbose_name = "definitions"
    default_auto_field = "django.db.models.BigAutoField"
