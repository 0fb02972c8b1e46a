"""Actions: named OR-ed sets of event steps that insights can count like events (spec query-engine §3.14)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.Model):
    team = models.ForeignKey("insights_server.Team", on_delete=models.CASCADE, related_name="actions")
    name = models.CharField(max_length=400, null=True, blank=True)
    description = models.TextField(blank=True, default="")
    # A list of ActionStepJSON: {event, properties, selector, tag_name, text, text_matching, href, href_matching,
    # url, url_matching}.
    steps = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    deleted = models.BooleanField(default=False)
    post_to_slack = models.BooleanField(default=False)
    slack_message_format = models.CharField(default="", max_length=1200, blank=True)
    pinned_at = models.DateTimeField(null=True, blank=True)
    last_calculated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["team", "deleted"], name="action_team_deleted")]

    def __str__(self) -> str:
        return self.name or f"Action {self.pk}"
