"""What a run's result means: its final state (failed or not, with a message) and its log lines.

Plain functions, no Prefect at import: the flows turn an ``Outcome`` into Prefect's state, and the
CLI, which may run the same flow bodies without Prefect, takes its exit code from the same verdict.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from radar.errors import RunFailed

if TYPE_CHECKING:
    from indexing.index import IndexResult
    from indexing.ingest import RunReport
    from indexing.store.runs import FeedResult

ERROR_CHARS = 160  # of each error quoted in a state message, which Prefect shows in one line
LOGGER = "radar.flows"
logging.getLogger(LOGGER).addHandler(logging.NullHandler())  # silent unless the application configures it


@dataclass(frozen=True, slots=True)
class Outcome:
    failed: bool
    message: str


def ingest_outcome(report: RunReport) -> Outcome:
    """Failed only when every feed failed; a partial failure is named in the message."""
    total = len(report.feeds)
    failed = [r for r in report.feeds if r.status == "failed"]
    partial = [r for r in report.feeds if r.status == "partial"]
    counts = _sum_counts(report.feeds)
    if not total:
        return Outcome(False, "no feeds to ingest")
    if report.status == "failed":  # every feed failed: the one definition, on the report
        return Outcome(True, f"all {total} feeds failed: {_errors(failed)}")
    parts = []
    if failed:
        parts.append(f"{len(failed)} of {total} feeds failed: {_errors(failed)}")
    if partial:
        parts.append(f"{len(partial)} of {total} feeds partly failed: {_errors(partial)}")
    parts.append(f"{total - len(failed)} of {total} feeds ingested: {counts}")
    return Outcome(False, "; ".join(parts))


def index_outcome(result: IndexResult) -> Outcome:
    """Failed only when papers were pending and none was indexed; papers that failed stay pending."""
    summary = (f"{result.indexed} of {result.pending} pending papers indexed ({result.embedded} embedded, "
               f"{result.reused} from the cache); {result.total} in the {result.backend} index")
    if not result.failed:
        return Outcome(False, summary)
    first = next(iter(result.failed.items()))
    failures = f"{len(result.failed)} papers failed to index (first: {first[0]}: {_cut(first[1])})"
    return Outcome(result.indexed == 0, f"{failures}; {summary}")


def combined(**outcomes: Outcome) -> Outcome:
    """One outcome of several steps: failed when any failed, each step's message named."""
    return Outcome(any(o.failed for o in outcomes.values()),
                   "; ".join(f"{step}: {o.message}" for step, o in outcomes.items()))


def feed_line(r: FeedResult) -> str:
    line = f"feed {r.feed}: {r.status}; {_counts(r.fetched, r.new, r.updated, r.unchanged, r.rejected)}"
    return f"{line}; error: {r.error}" if r.error else line


def index_line(result: IndexResult) -> str:
    return (f"index {result.backend}: pending {result.pending}, embedded {result.embedded}, reused {result.reused}, "
            f"indexed {result.indexed}, failed {len(result.failed)}; {result.total} in the index")


def log(lines: Iterable[tuple[int, str]]) -> None:
    """(level, line) pairs into the Prefect run's log when there is a run, else Radar's own logger."""
    from prefect.exceptions import MissingContextError
    from prefect.logging import get_run_logger

    try:
        logger: logging.Logger | logging.LoggerAdapter = get_run_logger()
    except MissingContextError:
        logger = logging.getLogger(LOGGER)
    for level, line in lines:
        logger.log(level, line)


def feed_lines(report: RunReport, outcome: Outcome) -> list[tuple[int, str]]:
    """A line per feed (a warning for one that failed) and the outcome (an error when the run failed)."""
    lines = [(logging.WARNING if r.error else logging.INFO, feed_line(r)) for r in report.feeds]
    return [*lines, outcome_line(outcome)]


def outcome_line(outcome: Outcome) -> tuple[int, str]:
    return (logging.ERROR if outcome.failed else logging.INFO, outcome.message)


def as_state(outcome: Outcome, data: Any):  # noqa: ANN201 - a prefect State, imported lazily
    """The flow's final state: Completed with ``data`` as its result, or Failed with a ``RunFailed``
    that carries it (Prefect raises a failed run's data, so it must be an exception)."""
    from prefect.states import Completed, Failed

    if outcome.failed:
        return Failed(message=outcome.message, data=RunFailed(outcome.message, data))
    return Completed(message=outcome.message, data=data)


def result_of(state: Any) -> Any:  # noqa: ANN401 - whatever the flow returned
    """What a flow run returned, whether it failed as a whole or not; an error it raised is raised again."""
    data = state.result(raise_on_failure=False)
    if isinstance(data, RunFailed):
        return data.result
    if isinstance(data, BaseException):
        raise data
    return data


def _sum_counts(results: list[FeedResult]) -> str:
    return _counts(*(sum(getattr(r, name) for r in results)
                     for name in ("fetched", "new", "updated", "unchanged", "rejected")))


def _counts(fetched: int, new: int, updated: int, unchanged: int, rejected: int) -> str:
    return f"fetched {fetched}, new {new}, updated {updated}, unchanged {unchanged}, rejected {rejected}"


def _errors(results: list[FeedResult]) -> str:
    return "; ".join(f"{r.feed} ({_cut(r.error or r.status)})" for r in results)


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ERROR_CHARS else text[:ERROR_CHARS - 1] + "…"
