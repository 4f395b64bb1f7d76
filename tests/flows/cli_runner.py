"""Running the `radar` command line in-process, as the CLI tests do."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from flows.cli import app

runner = CliRunner()


def invoke(*args: str) -> Result:
    """Run ``radar ARGS``; an exception Radar did not turn into an exit code fails the test."""
    return runner.invoke(app, list(args), catch_exceptions=False)
