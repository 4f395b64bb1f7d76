"""Whether a Prefect API is configured, found without importing Prefect (a second or more).

The CLI runs a flow through Prefect only when one is: ``PREFECT_API_URL`` in the environment,
or in the active profile of Prefect's ``profiles.toml`` (under ``PREFECT_HOME``, which Radar
sets to ``$RADAR_HOME/prefect`` unless it is set). Otherwise it runs the same flow body as a
plain function, and Prefect's temporary server never starts.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from radar.errors import PrefectUnavailableError

HEALTH_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class PrefectApi:
    url: str
    source: str
    """Where the URL was set, as a user would look for it."""

    def check_reachable(self) -> None:
        """Raise :class:`PrefectUnavailableError` unless the API answers (any HTTP answer counts)."""
        import httpx

        try:
            httpx.get(f"{self.url.rstrip('/')}/health", timeout=HEALTH_TIMEOUT)
        except httpx.HTTPError as exc:
            raise PrefectUnavailableError(
                f"The Prefect API at {self.url} ({self.source}) is not reachable: {type(exc).__name__}: {exc}. "
                "Start it (`prefect server start`), or unset PREFECT_API_URL to run without Prefect.") from None


def configured_api(radar_home: Path, environ: Mapping[str, str] = os.environ) -> PrefectApi | None:
    """The Prefect API a flow would report to, or None when Prefect would start its temporary server."""
    url = environ.get("PREFECT_API_URL", "").strip()
    if url:
        return PrefectApi(url, "PREFECT_API_URL in the environment")
    prefect_home = Path(environ.get("PREFECT_HOME") or radar_home / "prefect").expanduser()
    path = Path(environ.get("PREFECT_PROFILES_PATH") or prefect_home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    profile = profiles.get("profiles", {}).get(name, {})
    url = str(profile.get("PREFECT_API_URL", "") if isinstance(profile, dict) else "").strip()
    return PrefectApi(url, f"PREFECT_API_URL of the Prefect profile {name!r} in {path}") if url else None
