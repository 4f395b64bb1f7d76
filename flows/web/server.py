"""`radar serve`: the web app under uvicorn, in one process that keeps the embedding model warm."""

from __future__ import annotations

import ipaddress
import sys

from radar.errors import ConfigError
from radar.settings import load_settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, log_level: str = "info") -> None:
    """Serve until interrupted. The default is the loopback interface, reachable from this machine
    only; any other address needs RADAR_WEB__TOKEN, which then guards writing and briefs."""
    import uvicorn

    from flows.web.app import NO_TOKEN, create_app

    settings = load_settings()
    public = not is_loopback(host)
    if public and settings.web.token is None:
        raise ConfigError(NO_TOKEN)
    if not settings.store_path.exists():
        raise ConfigError(f"No store at {settings.store_path} yet: run `radar ingest` and `radar index` first "
                          "(or `make demo`), then `radar serve`.")
    if public:
        sys.stderr.write(f"note: listening on {host}: anyone who can reach this address can read the store; "
                         "writing and briefs need the token (sign in at /login).\n")
    app = create_app(settings, public=public)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False, proxy_headers=False)
