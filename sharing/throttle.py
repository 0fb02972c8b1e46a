"""Password guesses on a share are throttled per share token (not per caller IP, which attackers rotate):
at most 60 password POSTs a minute, and 10 wrong ones (spec sharing §1.4.4). Counters live in the Django cache
(Redis in production), so every web process shares them."""

import hashlib

from django.core.cache import cache

WINDOW_SECONDS = 60
VOLUME_LIMIT = 60
WRONG_GUESS_LIMIT = 10


def _key(scope: str, access_token: str) -> str:
    return f"throttle_{scope}_{hashlib.sha256(access_token.encode()).hexdigest()}"


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _charge(key: str) -> None:
    if not cache.add(key, 1, WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW_SECONDS)


def password_attempt_allowed(access_token: str) -> bool:
    """Charges the volume budget; False once either budget is spent for this minute."""
    volume = _key("share_password_volume", access_token)
    if _count(volume) >= VOLUME_LIMIT:
        return False
    _charge(volume)
    return True


def wrong_guesses_exhausted(access_token: str) -> bool:
    return _count(_key("share_password", access_token)) >= WRONG_GUESS_LIMIT


def record_wrong_guess(access_token: str) -> None:
    _charge(_key("share_password", access_token))
