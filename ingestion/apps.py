"""App config for ingestion."""

from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "ingestion"
    verbose_name = "ingestion (capture, person updates)"
