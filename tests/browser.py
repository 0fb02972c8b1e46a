"""Headless Chromium (Debian's `chromium`, installed by `make test` when missing) for page tests: the DOM after
the page loaded, and a screenshot kept as a test artifact."""

import os
import shutil
import subprocess
from pathlib import Path

ARTIFACTS = Path(
    os.environ.get("TEST_ARTIFACTS_DIR", Path(__file__).resolve().parent.parent / ".data" / "test-artifacts")
)


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("chromium is not installed: make test installs it (apt-get install chromium)")


def _run(url: str, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,1400"]
    command = [chromium(), *flags, *args, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)


def dom(url: str) -> str:
    """The serialized DOM of the loaded page."""
    return _run(url, "--dump-dom").stdout


def colourful_pixels(path: Path) -> int:
    """How many pixels of a screenshot are clearly coloured (chart lines, bars, cells), not grey or white."""
    from PIL import Image

    image = Image.open(path).convert("RGB").resize((320, 350))
    pixels = image.get_flattened_data() if hasattr(image, "get_flattened_data") else image.getdata()  # Pillow >= 12
    return sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 60)


def screenshot(url: str, name: str) -> Path:
    """A PNG of the page under .data/test-artifacts/ (kept after the run for a person to look at)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    _run(url, f"--screenshot={path}")
    return path
