"""Author names split for reference managers: "Given Family" as Radar stores them, read into
given name, particle ("van", "de"), family name and suffix, or kept whole (one word, a CJK
name written without spaces, a collaboration). Pure functions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from queries.text import is_cjk

_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "dei", "di", "da", "das", "dos", "du",
                        "le", "la", "ter", "ten", "zu", "vom", "zum", "af", "av", "bin", "ibn", "al", "el"})
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_GROUPS = re.compile(r"\b(?:collaboration|consortium|team|group|committee|project|network|initiative)\b",
                     re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Name:
    """One author: ``literal`` set (and the rest empty) when the name cannot be split."""

    given: str = ""
    family: str = ""
    particle: str = ""
    suffix: str = ""
    literal: str = ""

    @property
    def full_family(self) -> str:
        return f"{self.particle} {self.family}".strip()


def split_name(name: str) -> Name:
    """``name`` ("Given Family", or "Family, Given") as its parts."""
    name = " ".join(name.split())
    if not name:
        return Name()
    if name.count(",") == 1:
        family, given = (part.strip() for part in name.split(","))
        if family and given and given.lower() not in _SUFFIXES:
            return split_name(f"{given} {family}")
    words = name.split()
    if len(words) == 1 or _GROUPS.search(name) or (is_cjk(name) and len(words) < 2):
        return Name(literal=name)
    suffix = ""
    if len(words) > 2 and words[-1].lower().strip(",") in _SUFFIXES:
        suffix = words.pop().strip(",")
        words[-1] = words[-1].rstrip(",")
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return Name(given=" ".join(words[:start]), family=words[-1], particle=" ".join(words[start:-1]), suffix=suffix)


def ascii_word(text: str) -> str:
    """Letters and digits of ``text`` folded to ASCII and lower case ("Schrödinger" -> "schrodinger")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in folded.lower() if c.isalnum())
