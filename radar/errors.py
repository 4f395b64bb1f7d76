"""The one exception tree of Radar.

Everything Radar raises on purpose derives from :class:`RadarError`. Callers that
retry (the Prefect tasks) look at :attr:`RadarError.transient` and nothing else::

    RadarError
    ├── ConfigError            a settings value or the TOML config is wrong
    ├── FeedError              one feed could not be read (the run goes on)
    │   ├── FetchError         the HTTP or file read failed
    │   │   └── TransientFetchError   timeouts, 429, 5xx, cut-off bodies: worth a retry
    │   └── FeedParseError     the body is not a feed Radar can read
    ├── InvalidItemError       one item of a feed was rejected (the feed goes on)
    ├── StoreError             the DuckDB store failed
    │   └── StoreBusyError     another process holds the store's write lock
    ├── SearchError            the search index failed
    │   ├── SearchUnavailableError   the search engine cannot be reached (retry later)
    │   ├── SearchAuthError          the engine refused our credentials
    │   ├── IndexMismatchError       the index was built for other vectors (model, dims)
    │   └── QueryError               the query cannot be run as written
    ├── LlmError               the language model could not give a usable answer
    │   ├── LlmUnavailableError      timeouts, 5xx, connection refused: retry later
    │   ├── LlmAuthError             the provider refused the API key
    │   └── LlmResponseError         the answer was empty or not what was asked for
    ├── AccessDenied           the web app refused a write: no token, a wrong one, or no CSRF token
    ├── TooBusy                the web app already runs and queues as many brief jobs as it takes
    ├── MailError              a digest mail was not (or maybe not) delivered
    │   ├── MailUnavailableError     the server cannot be reached, dropped us, or said 4xx: next run retries
    │   ├── MailAuthError            the server refused the login (the password is never shown)
    │   ├── MailRejectedError        the server refused the sender, every recipient or the message (5xx)
    │   └── MailUncertainError       the message went out and no answer came: maybe delivered, not resent
    ├── PrefectUnavailableError  a Prefect API is configured but does not answer
    └── RunFailed              a run did its work and failed as a whole (every feed failed)
"""

from __future__ import annotations

from radar.redact import mask_url


class RadarError(Exception):
    """Base of every error Radar raises on purpose."""

    transient: bool = False
    """True when the same call may succeed if simply tried again later."""


class ConfigError(RadarError):
    """A setting or the feeds/profiles configuration is invalid."""


class FeedError(RadarError):
    """A feed failed as a whole: it is recorded on the run, other feeds go on."""


class FetchError(FeedError):
    """The feed's bytes could not be fetched (HTTP status, missing file, network, a limit broken).

    The message and the URL never carry the URL's user-info (it may hold a password)."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        super().__init__(mask_url(message))
        self.url = mask_url(url) if url else url
        self.status = status


class TransientFetchError(FetchError):
    """A fetch failure that may go away on its own: timeouts, 429, 5xx, cut-off bodies."""

    transient = True

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(message, url=url, status=status)
        self.retry_after = retry_after
        """Seconds the server asked us to wait (``Retry-After``), if it said."""


class FeedParseError(FeedError):
    """The body is not a feed of the expected kind (nothing in it could be read)."""


class InvalidItemError(RadarError):
    """One item cannot become a paper; it goes to the ``rejects`` table with this reason."""


class StoreError(RadarError):
    """The DuckDB store failed or is in an unexpected state."""


class StoreBusyError(StoreError):
    """Another process holds the store's write lock."""

    transient = True


class SearchError(RadarError):
    """The search index failed."""


class SearchUnavailableError(SearchError):
    """The search engine cannot be reached or is overloaded."""

    transient = True
    report: object | None = None
    """When raised during a load: the IndexReport of what the engine acknowledged before."""
    unacknowledged: list[str] | None = None
    """When raised during a load: ids sent but never confirmed (sending them again is safe)."""


class SearchAuthError(SearchError):
    """The search engine refused the configured credentials."""


class IndexMismatchError(SearchError):
    """The existing index was built for other vectors (another model or dimension count)."""


class QueryError(SearchError):
    """The query cannot be run as written (the message says how to fix it)."""


class LlmError(RadarError):
    """The language model could not give a usable answer (briefs fall back or say so)."""


class LlmUnavailableError(LlmError):
    """The model endpoint timed out, failed with 5xx or 429, or could not be reached."""

    transient = True


class LlmAuthError(LlmError):
    """The provider refused the API key (the key itself is never shown)."""


class LlmResponseError(LlmError):
    """The model answered with nothing usable: empty, malformed, or not in the asked shape."""


class AccessDenied(RadarError):
    """The web app refused a request that writes or spends: ``status`` is 401 when the reader must
    sign in (or send the token), 403 when the request itself is refused (no CSRF token, another origin)."""

    def __init__(self, message: str, *, status: int = 403):
        super().__init__(message)
        self.status = status


class TooBusy(RadarError):
    """The web app already runs and queues as many brief jobs as it takes (HTTP 429): try later."""

    transient = True


class MailError(RadarError):
    """A digest mail was not delivered. The message names the setting or server answer at fault and
    never the password."""

    handed_over: bool = False
    """True when the whole message went to the server before the failure: it may have been delivered."""


class MailUnavailableError(MailError):
    """The mail server could not be reached, dropped the connection, timed out, or answered 4xx
    before taking the message: nothing was delivered, and the next run tries again."""

    transient = True


class MailAuthError(MailError):
    """The mail server refused the login (RADAR_SMTP__USER / RADAR_SMTP__PASSWORD)."""


class MailRejectedError(MailError):
    """The mail server refused the sender, every recipient or the message for good (5xx)."""


class MailUncertainError(MailError):
    """The message was handed over whole and the server's answer never came: it may have been
    delivered, so it is not sent again unless asked (``radar mail --resend``)."""

    handed_over = True


class PrefectUnavailableError(RadarError):
    """A Prefect API is configured (PREFECT_API_URL) but does not answer."""

    transient = True


class RunFailed(RadarError):
    """A run did its work and failed as a whole (every feed failed): the Failed state of its
    Prefect flow run. ``result`` is what the run returned (its report), for those who show it."""

    def __init__(self, message: str, result: object = None):
        super().__init__(message)
        self.result = result
