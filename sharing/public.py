"""The public pages of a share: `/shared/<token>`, `/embedded/<token>` (HTML that works with JavaScript off),
`<token>.json` (PostHog's `exported_data`) and `<token>.png` (the chart, for link previews); the password gate
of protected shares (spec sharing §1.4)."""

import json
from zoneinfo import ZoneInfo

import orjson
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from queries.timestamps import parse_time
from sharing.models import SharingConfiguration
from sharing.services import log_share_login, share_password_matching, sharing_by_token
from sharing.settings_schema import display_flags
from sharing.tables import result_table
from sharing.throttle import password_attempt_allowed, record_wrong_guess, wrong_guesses_exhausted
from sharing.tokens import COOKIE_NAME, LIFETIME, share_token_for, share_token_grants, share_token_of
from sharing.viewer import SharedInsight, chart_png, chart_svg, exported_data, shared_insights

INCORRECT_PASSWORD = "Incorrect password"
TOO_MANY_ATTEMPTS = "Too many password attempts. Try again in a minute."
NOT_FOUND = {"type": "invalid_request", "code": "not_found", "detail": "Not found.", "attr": None}


def _not_found(request: HttpRequest, extension: str) -> HttpResponse:
    if extension in ("json", "png"):
        return JsonResponse(NOT_FOUND, status=404)
    return render(request, "sharing/not_found.html", {"title": "Not found", "whitelabel": True}, status=404)


@csrf_exempt
@xframe_options_exempt
def shared_view(request: HttpRequest, token: str, kind: str = "scene") -> HttpResponse:
    """GET (and POST, as PostHog dispatches both) of a share; the part after the first `.` picks the format."""
    access_token, _, extension = token.partition(".")
    config = sharing_by_token(access_token)
    if config is None or extension not in ("", "json", "png"):
        return _not_found(request, extension)
    if config.password_required:
        if request.method == "POST":
            return _unlock(request, config, access_token, extension)
        if not share_token_grants(share_token_of(request), config):
            return _unlock_page(request, config, extension)
    if "embedded" in request.GET:
        kind = "embed"
    insights = shared_insights(config)
    if extension == "png":
        return _png(insights)
    data = exported_data(config, kind, insights)
    bearer = request.headers.get("Authorization", "").startswith("Bearer ")
    wants_json = extension == "json" or (bearer and "application/json" in request.headers.get("Accept", ""))
    if wants_json:
        return HttpResponse(orjson.dumps(data, default=_json_default), content_type="application/json")
    return render(request, "sharing/shared.html", _page_context(request, config, kind, insights, data))


def embedded_view(request: HttpRequest, token: str) -> HttpResponse:
    return shared_view(request, token, kind="embed")


def _json_default(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _png(insights: list[SharedInsight]) -> HttpResponse:
    if insights:
        picture = chart_png(insights[0])
    else:
        from charts.render import render_png

        picture = render_png({}, None, error="This dashboard has no insights yet.", width=1200, height=630)
    response = HttpResponse(picture, content_type="image/png")
    response["Cache-Control"] = "max-age=300"
    return response


def _page_context(request, config: SharingConfiguration, kind: str, insights: list[SharedInsight], data: dict) -> dict:
    flags = display_flags(config.settings)
    resource = config.resource
    is_dashboard = bool(config.dashboard_id)
    title = resource.name if is_dashboard else insights[0].title
    path = request.path.split(".", 1)[0]
    items = [_item(shared, config, show_title=is_dashboard) for shared in insights]
    return {
        "title": title or "Shared dashboard",
        "description": resource.description,
        "items": items,
        "is_dashboard": is_dashboard,
        "no_header": flags.get("noHeader", False),
        "whitelabel": flags.get("whitelabel", False),
        "root_class": f"export-type-{kind}",
        "image_url": f"{settings.SITE_URL}{path}.png",
        "exported_data_json": json.dumps(data, cls=DjangoJSONEncoder).replace("<", "\\u003c"),
    }


def _item(shared: SharedInsight, config: SharingConfiguration, *, show_title: bool) -> dict:
    settings_ = config.settings or {}
    headers, rows = result_table(shared.result) if settings_.get("detailed") else ([], [])
    last_refresh = parse_time(shared.result.get("last_refresh"))
    zone = ZoneInfo(shared.insight.team.timezone or "UTC")
    return {
        "shared": shared,
        "show_title": show_title,
        "svg": chart_svg(shared),
        "headers": headers,
        "rows": rows,
        "last_refresh": last_refresh.isoformat() if last_refresh else None,
        "last_refresh_text": last_refresh.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if last_refresh else "",
    }


def _unlock_page(request, config: SharingConfiguration, extension: str, error: str | None = None, status: int = 200):
    flags = {key: value for key, value in display_flags(config.settings).items() if key in ("whitelabel", "theme")}
    if extension == "json":
        return JsonResponse({"type": "unlock", **flags}, status=status)
    context = {"title": "Password required", "error": error, "whitelabel": flags.get("whitelabel", False)}
    return render(request, "sharing/unlock.html", context, status=status)


def _submitted_password(request: HttpRequest):
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return None, True
        return (body.get("password") if isinstance(body, dict) else None), True
    return request.POST.get("password"), False


def _unlock(request: HttpRequest, config: SharingConfiguration, access_token: str, extension: str) -> HttpResponse:
    """Checks a password (throttled per share: `access_token` is the token `config` was found by), then answers
    with the share token and sets it as a cookie."""
    raw, as_json = _submitted_password(request)
    if not password_attempt_allowed(access_token):
        return _throttled()
    password = share_password_matching(config, raw)
    if password is None:
        if wrong_guesses_exhausted(access_token):
            return _throttled()
        record_wrong_guess(access_token)
        log_share_login(config, request, None)
        if as_json or extension == "json":
            return JsonResponse({"error": INCORRECT_PASSWORD}, status=401)
        return _unlock_page(request, config, extension, INCORRECT_PASSWORD, status=401)
    log_share_login(config, request, password)
    token = share_token_for(config, password)
    path = request.path.split(".", 1)[0]
    if as_json or extension == "json":
        body = {"shareToken": token}
        if extension == "json":
            body = {"type": "scene", "shareToken": token, **display_flags(config.settings)}
        response: HttpResponse = JsonResponse(body)
    else:
        response = HttpResponse(status=303, headers={"Location": path})
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=int(LIFETIME.total_seconds()),
        path=path,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def _throttled() -> HttpResponse:
    response = JsonResponse(
        {"type": "throttled_error", "code": "throttled", "detail": TOO_MANY_ATTEMPTS, "attr": None}, status=429
    )
    response["Retry-After"] = "60"
    return response


def sharing_page_urls() -> list:
    from django.urls import re_path

    return [
        re_path(r"^shared/(?P<token>[^/]+?)/?$", shared_view),
        re_path(r"^shared_dashboard/(?P<token>[^/]+?)/?$", shared_view),
        re_path(r"^embedded/(?P<token>[^/]+?)/?$", embedded_view),
    ]
