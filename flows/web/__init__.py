"""The web app (`radar serve`): server-rendered pages and JSON under /api/v1, over the same
queries as the CLI. Nothing here is imported by the CLI until `radar serve` runs."""
