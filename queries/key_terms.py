"""Key terms two texts share, weighted by how rare they are among the texts compared (idf),
so words every abstract uses ("model", "results") never count as a reason."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
_LATEX_ACCENT = re.compile(r"""\\[`'^"~=.]\{?([A-Za-z])\}?""")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_INNER_CAPITAL = re.compile(r"[A-Za-z0-9][A-Z]")
MIN_LENGTH = 3
MAX_SHARE = 0.5
"""A term found in more than this share of the compared texts is too common to be a reason."""

STOPWORDS = frozenset("""
a about above across after again against all almost also although among an and another any are as at be
because been before being below between both but by can could did do does done due during each either
else enough etc even ever every few for from further given had has have having here how however i if in
into is it its itself just least less like made many may more most much must near neither no nor not of
off often on once one only onto or other others otherwise our out over own per perhaps rather same
several shall should since so some such than that the their them then there therefore these they this
those though through thus to too two three under until up upon us very via was we well were what when
where whether which while who whose why will with within without would yet you your
abstract address addressed achieve achieves across allow allows analysis analyze analyzed apply applied
approach approaches article available based baseline baselines benchmark benchmarks better compared
comparison conduct conducted consider considered contribution contributions current data dataset
datasets demonstrate demonstrates demonstrated derive derived describe described design designed
develop developed different discuss effective effectiveness efficient enable enables evaluate
evaluated evaluation existing experiment experimental experiments extensive framework frameworks
further general high however important improve improved improvement improves including introduce
introduced investigate investigated key large level low main make method methods model models moreover
new novel number obtain obtained outperform outperforms paper particular performance present presented
previous problem problems propose proposed provide provides recent recently related report reported
research result results show shown shows significant significantly simple state studied studies study
such suggest system systems task tasks technique techniques terms theory time use used uses using various
way work works yield yields first second order case cases find found known provide non high-quality
accurate accuracy additional additionally associated best capabilities capability certain challenge
challenges challenging crucial depend depends developing due effect effects effectively employ employed
enabling end essential examine existing explore explored exploring findings focus future help highlight
identify impact impacts importance including increase increasing inherent insights lead leads leverage
leverages leveraging light limited massive offer offers overall potential practical presence promising
propose provides providing real relationship relevant remain remains require requires robust role
scenario scenarios set setting settings show significant signs specific stable strategies strong
superior support tool understanding unique useful value values widely across applications application
""".split())


def key_form(word: str) -> str:
    """The form words are compared in: lower case, a plain plural folded ("networks" → "network")."""
    word = word.lower()
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> Counter[str]:
    """How often each word that can be a key term occurs, by key form (LaTeX accents folded,
    LaTeX commands such as \\mathbb left out)."""
    found: Counter[str] = Counter()
    for match in _WORD.finditer(_plain(text)):
        word = match.group(0)
        key = key_form(word)
        if len(key) >= MIN_LENGTH and key not in STOPWORDS and word.lower() not in STOPWORDS:
            found[key] += 1
    return found


def spellings(text: str) -> dict[str, str]:
    """Key form → how to show it: acronyms and mixed case as first written (MRI, LoRA), other words in lower case."""
    shown: dict[str, str] = {}
    for match in _WORD.finditer(_plain(text)):
        word = match.group(0)
        shown.setdefault(key_form(word), word if _INNER_CAPITAL.search(word) else word.lower())
    return shown


def _plain(text: str) -> str:
    return _LATEX_COMMAND.sub(" ", _LATEX_ACCENT.sub(r"\1", text))


def document_frequencies(texts: Iterable[Counter[str]]) -> tuple[Counter[str], int]:
    """In how many of the texts each key term occurs, and how many texts there were."""
    counts: Counter[str] = Counter()
    total = 0
    for found in texts:
        counts.update(found.keys())
        total += 1
    return counts, total


def shared_terms(mine: Counter[str], theirs: Counter[str], df: Counter[str], total: int,
                 *, limit: int = 4) -> list[str]:
    """Key forms of the terms both texts use, best first, at most ``limit``. A term weighs its
    rarity among the ``total`` compared texts (idf) times how much each text uses it, so the
    words a pair of abstracts is about come before words each mentions in passing; terms in
    more than MAX_SHARE of the texts are left out."""
    def weight(key: str) -> float:
        idf = math.log((total + 1) / (df.get(key, 0) + 1)) + 1.0
        return idf * math.log1p(mine[key]) * math.log1p(theirs[key])

    common = [k for k in mine.keys() & theirs.keys() if total < 4 or df.get(k, 0) <= MAX_SHARE * total]
    return sorted(common, key=lambda k: (-weight(k), k))[:limit]
