"""Alert bodies for the alert tests: a trends alert on series 0 with an absolute upper bound."""


def trends_alert_body(insight, upper: float = 2, users=(), **extra) -> dict:
    """The POST body of an alert firing when the insight's first series is above `upper`; `extra` adds or replaces
    fields (webhooks, calculation_interval, ...)."""
    return {
        "name": "signups",
        "insight": insight.id,
        "subscribed_users": [user.id for user in users],
        "config": {"type": "TrendsAlertConfig", "series_index": 0},
        "condition": {"type": "absolute_value"},
        "threshold": {"configuration": {"type": "absolute", "bounds": {"upper": upper}}},
        **extra,
    }


def create_trends_alert(api_client, team, insight, upper: float = 2, users=(), **extra) -> dict:
    """Creates the alert of `trends_alert_body` through the API and answers its rendering."""
    response = api_client.post(
        f"/api/projects/{team.id}/alerts/", trends_alert_body(insight, upper, users, **extra), format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()
