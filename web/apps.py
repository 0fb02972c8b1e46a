"""App config for the web pages."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "web pages"
