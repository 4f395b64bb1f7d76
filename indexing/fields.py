"""Broad fields: the level at which Radar says "across fields".

Every arXiv archive (current and retired), every bioRxiv/medRxiv subject and every
journal maps to one of :data:`FIELDS`.
"""

from __future__ import annotations

COMPUTER_SCIENCE = "Computer Science"
PHYSICS = "Physics"
MATHEMATICS = "Mathematics"
STATISTICS = "Statistics"
QUANT_BIO = "Quantitative Biology"
QUANT_FIN = "Quantitative Finance"
ECONOMICS = "Economics"
ELECTRICAL_ENGINEERING = "Electrical Engineering"
BIOLOGY = "Biology"
MEDICINE = "Medicine"
MULTIDISCIPLINARY = "Multidisciplinary"
UNKNOWN = "Unknown"

FIELDS = (
    COMPUTER_SCIENCE, PHYSICS, MATHEMATICS, STATISTICS, QUANT_BIO, QUANT_FIN,
    ECONOMICS, ELECTRICAL_ENGINEERING, BIOLOGY, MEDICINE, MULTIDISCIPLINARY, UNKNOWN,
)

ARXIV_ARCHIVES: dict[str, str] = {
    "cs": COMPUTER_SCIENCE, "cmp-lg": COMPUTER_SCIENCE,
    "math": MATHEMATICS, "alg-geom": MATHEMATICS, "dg-ga": MATHEMATICS,
    "funct-an": MATHEMATICS, "q-alg": MATHEMATICS,
    "stat": STATISTICS, "bayes-an": STATISTICS,
    "q-bio": QUANT_BIO,
    "q-fin": QUANT_FIN,
    "econ": ECONOMICS,
    "eess": ELECTRICAL_ENGINEERING,
    # Physics, with the archives arXiv retired or merged (they still occur in old ids).
    "astro-ph": PHYSICS, "cond-mat": PHYSICS, "gr-qc": PHYSICS, "hep-ex": PHYSICS,
    "hep-lat": PHYSICS, "hep-ph": PHYSICS, "hep-th": PHYSICS, "math-ph": PHYSICS,
    "nlin": PHYSICS, "nucl-ex": PHYSICS, "nucl-th": PHYSICS, "physics": PHYSICS,
    "quant-ph": PHYSICS, "acc-phys": PHYSICS, "adap-org": PHYSICS, "ao-sci": PHYSICS,
    "atom-ph": PHYSICS, "chao-dyn": PHYSICS, "chem-ph": PHYSICS, "comp-gas": PHYSICS,
    "mtrl-th": PHYSICS, "patt-sol": PHYSICS, "plasm-ph": PHYSICS, "solv-int": PHYSICS,
    "supr-con": PHYSICS,
}

SERVER_FIELDS: dict[str, str] = {"biorxiv": BIOLOGY, "medrxiv": MEDICINE}

# bioRxiv subjects that are clinical rather than biological.
BIORXIV_MEDICAL_SUBJECTS = frozenset({"clinical trials", "epidemiology"})


def arxiv_archive(category: str) -> str:
    """``cs.LG`` → ``cs``; ``astro-ph.IM`` → ``astro-ph``; ``hep-th`` → ``hep-th``."""
    return category.split(".", 1)[0].strip().lower()


def field_for(source: str, categories: list[str] | tuple[str, ...], primary: str | None) -> str:
    """The broad field of a paper from its source and (primary) category."""
    source = source.lower()
    if source == "arxiv":
        for category in ([primary] if primary else []) + list(categories):
            found = ARXIV_ARCHIVES.get(arxiv_archive(category))
            if found:
                return found
        return UNKNOWN
    if source == "biorxiv" and primary and primary.lower() in BIORXIV_MEDICAL_SUBJECTS:
        return MEDICINE
    return SERVER_FIELDS.get(source, MULTIDISCIPLINARY)
