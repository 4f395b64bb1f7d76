"""The one way Radar hides credentials in URLs before it shows, logs or stores them.

``http://user:secret@host/`` is shown as ``http://***@host/``: the host stays visible (it is
what a reader needs to find the problem), the user-info never does.
"""

from __future__ import annotations

import re

MASK = "***"
# scheme://user-info@ : up to the last '@' before the path (a password may hold an unescaped '@').
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s]+)@")


def mask_url(text: str) -> str:
    """``text`` (one URL, or a message holding any number of them) with every URL's user-info masked."""
    return _USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
