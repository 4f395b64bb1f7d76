"""How many papers of the demo day still show LaTeX escapes in their title or authors.

An escape is a backslash command outside math (``Schr\\"odinger``, ``{\\l}``, ``\\emph{}``):
math (``$…$``, ``\\(…\\)``) is meant to stay LaTeX. Run it with the code to measure on the
path, e.g. ``PYTHONPATH=/path/to/checkout python bench/latex_escapes.py``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[1] / "demo" / "snapshot" / "arxiv-all-2024-11-28.rss.xml"
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)


def has_escape(text: str) -> bool:
    return "\\" in _MATH.sub("", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feed", type=Path, default=SNAPSHOT, help="an arXiv RSS file")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    from indexing.ingest import to_papers
    from indexing.sources import arxiv_rss

    papers, _ = to_papers(arxiv_rss.parse(args.feed.read_bytes()).entries, 2000)
    titles = [p for p in papers if has_escape(p.title)]
    authors = [p for p in papers if any("\\" in a for a in p.authors)]
    either = {p.paper_id for p in titles} | {p.paper_id for p in authors}
    figures = {"papers": len(papers), "title_or_authors": len(either), "title": len(titles), "authors": len(authors),
               "abstract": sum(has_escape(p.abstract) for p in papers),
               "examples": sorted({a for p in authors for a in p.authors if "\\" in a})[:5]}
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        print(f"{figures['title_or_authors']} of {figures['papers']} papers keep LaTeX escapes in their title or "
              f"authors ({figures['title']} titles, {figures['authors']} author lists; {figures['abstract']} abstracts)")
        for name in figures["examples"]:
            print("  e.g.", name)


if __name__ == "__main__":
    sys.exit(main())
