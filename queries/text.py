"""Pure text helpers for briefs: sentence splitting (abstracts and model output, English and
Chinese), CJK detection, and content words with a light stemmer for word-overlap checks.

No sentence splitter ships in the project's dependencies, and the support check keeps its own
light stemmer (see ``stem``; search uses indexing/analysis.py), so both are small rule sets here,
tuned for scientific prose: abbreviations such as "e.g.", "Fig. 2" and "et al.", decimals,
initials, inline LaTeX, and ``[n]`` citation markers that stay with their sentence.
"""

from __future__ import annotations

import re

from indexing import analysis

_CJK = analysis.CJK
_CJK_LETTERS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

_CITE = r"\[\s*\d+(?:\s*[,;–—-]\s*\d+)*\s*\]"
# A Latin sentence end must be followed by whitespace (or the end); a Chinese one need not be.
# Citation markers right after the end belong to the sentence before them.
_LATIN_END = re.compile(rf"(?:\.\.\.|…|[.!?]+)[\"'”’)\]]*(?:\s*{_CITE})*(?=\s|$)")
_CJK_END = re.compile(rf"[。！？]+[”’」』）)]*(?:\s*{_CITE})*")
_LEADING_CITES = re.compile(rf"^(?:\s*{_CITE})+")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$|\\\(.+?\\\)|\\\[.+?\\\]", re.DOTALL)
_HEADING = re.compile(r"\s*#{1,6}\s")
_BLOCK_START = re.compile(r"\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s)")

# Never the end of a sentence: "e.g. the", "Fig. 2", "Eq. (3)", "vs. placebo".
_STRONG_ABBREVIATIONS = frozenset(
    "e.g eg i.e ie fig figs eq eqs vs cf approx resp ref refs sec secs tab tabs no nos ca viz incl dr mr mrs "
    "ms drs prof st vol pp ch eds spp sp subsp var".split())
# May end a sentence ("... by Smith et al. The next ..."): split only before a usual sentence opener.
_WEAK_ABBREVIATIONS = frozenset("al etc inc ltd jr sr co corp".split())
_OPENERS = frozenset(
    "the this these that those there their they we our in it its here however thus hence therefore a an to for "
    "finally moreover furthermore although as at by on overall results methods conclusions conclusion background "
    "objective objectives taken together using with when while such both each most many some among after before "
    "despite since because if one two no not all further additionally importantly notably collectively".split())
_INITIAL_CONTEXT = frozenset("by and & with of from to".split())
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")


def is_cjk(text: str) -> bool:
    """True when the text is written mainly in Chinese, Japanese or Korean script (letters, not
    punctuation): at least a fifth of its letters are CJK."""
    cjk = len(_CJK_LETTERS.findall(text))
    latin = sum(1 for c in text if c.isalpha()) - cjk
    return cjk > 0 and cjk * 4 >= latin


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, each stripped, none empty, citation markers kept with the
    sentence they follow."""
    sentences: list[str] = []
    for block in _blocks(text):
        if block:
            sentences.extend(_split_block(block))
    return _attach_leading_citations(sentences)


def _blocks(text: str) -> list[str]:
    """Paragraphs, Markdown headings and list items: a sentence never runs across them."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if not line.strip() or _BLOCK_START.match(line) or (blocks[-1] and _HEADING.match(blocks[-1][0])):
            blocks.append([])
        blocks[-1].append(line)
    return [text for text in (" ".join(" ".join(lines).split()) for lines in blocks) if text]


def _split_block(block: str) -> list[str]:
    math = [m.span() for m in _MATH.finditer(block)]
    ends = [m.end() for m in _LATIN_END.finditer(block) if not _inside(m.start(), math) and _ends_sentence(block, m)]
    ends += [m.end() for m in _CJK_END.finditer(block) if not _inside(m.start(), math)]
    pieces, start = [], 0
    for end in sorted(set(ends)):
        pieces.append(block[start:end].strip())
        start = end
    pieces.append(block[start:].strip())
    return [p for p in pieces if p]


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _ends_sentence(block: str, match: re.Match[str]) -> bool:
    """Whether a full stop (or ! ? …) at ``match`` ends a sentence, judged by the word before it
    and the word after it."""
    following = block[match.end():].split(maxsplit=1)
    if not following:
        return True
    if not match.group().startswith(".") or match.group().startswith(".."):
        return True
    before = block[:match.start()].split()
    if not before:
        return True
    if before[-1].isdigit() and len(before[-1]) <= 2 and (len(before) == 1 or before[-2][-1] in ".!?:;"):
        return False  # a list number, "1. First ..." or "... in humans. 2. After ..."
    token = before[-1].lstrip("([{\"'“‘")
    lowered = token.lower()
    next_word = re.sub(r"\W+$", "", following[0]).lower()
    if lowered in _STRONG_ABBREVIATIONS:
        return False
    if len(token) == 1 and token.isupper() and following[0][:1].islower():
        return False  # a genus, "C. elegans", "H. pylori"
    if lowered in _WEAK_ABBREVIATIONS or _DOTTED.match(token) or _is_initial(block[:match.start()], token):
        return next_word in _OPENERS
    return True


def _is_initial(before: str, token: str) -> bool:
    """A single capital read as a name's initial ("by J. Smith", "J. R. Smith"), not as a
    sentence-final symbol ("... of vitamin D. The ...")."""
    if len(token) != 1 or not token.isupper():
        return False
    words = before.split()
    previous = words[-2] if len(words) >= 2 else ""
    return not previous or previous.lower() in _INITIAL_CONTEXT or bool(re.fullmatch(r"[A-Z]\.", previous))


def _attach_leading_citations(sentences: list[str]) -> list[str]:
    """Moves markers that open a sentence ("... holds. [3] Next ...") to the sentence before."""
    out: list[str] = []
    for sentence in sentences:
        lead = _LEADING_CITES.match(sentence)
        if lead and out:
            out[-1] = f"{out[-1]} {lead.group().strip()}"
            sentence = sentence[lead.end():].strip()
            if re.fullmatch(r"[\s.。!！?？]*", sentence):
                continue
        if sentence:
            out.append(sentence)
    return out


# --------------------------------------------------------------------------- content words

# Words every abstract and every brief uses; a shared "propose" says nothing about support.
_ACADEMIC_FILLER = frozenset("""
paper papers propose proposes proposed proposing present presents presented presenting result results show shows
showed shown showing method methods approach approaches novel new work works study studies studied demonstrate
demonstrates demonstrated introduce introduces introduced based using use used uses achieve achieves achieved
provide provides provided finding findings furthermore moreover additionally respectively et al address addresses
investigate investigates investigated report reports reported suggest suggests suggested evidence
""".split())
STOPWORDS = analysis.STOPWORDS | _ACADEMIC_FILLER

# One inflection first ("segmentations" -> "segmentation"), then derivations, repeatedly
# ("segmentation" -> "segment" -> "seg"), so that "segmenting" and "segment" meet.
_INFLECTIONS = (("ating", "ate"), ("ated", "ate"), ("ates", "ate"), ("ies", "i"), ("ied", "i"), ("ings", ""),
                ("ing", ""), ("edly", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", ""))
_DERIVATIONS = (("izations", ""), ("isations", ""), ("ization", ""), ("isation", ""), ("ations", ""),
                ("ation", ""), ("ments", ""), ("ment", ""), ("nesses", ""), ("ness", ""), ("ities", ""),
                ("ity", ""), ("ate", ""))
_MIN_STEM = 3


def stem(word: str) -> str:
    """A light suffix stripper for the support check's word overlap: conflates inflections and
    common derivations; it may over-stem, which only widens word overlap a little.

    Search stems with Snowball (indexing/analysis.py). The support check keeps this one because
    its weight and threshold (queries/support.py, settings.support_threshold) were fitted on word
    overlaps made with it, and swapping the stemmer is unmeasured there: bench/support_threshold.py
    must embed ~30,000 sentences, which did not finish on the shared machine (2 Dec 2026). Measure
    it before switching (and refit the threshold if the overlaps move)."""
    if len(word) <= _MIN_STEM or not word.isalpha():
        return word
    word = _strip_one(word, _INFLECTIONS)
    for _ in range(2):
        shorter = _strip_one(word, _DERIVATIONS)
        if shorter == word:
            break
        word = shorter
    if word.endswith("y") and len(word) > _MIN_STEM:
        word = word[:-1] + "i"
    if word.endswith("e") and len(word) > _MIN_STEM:
        word = word[:-1]
    if len(word) > _MIN_STEM and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    return word


def _strip_one(word: str, rules: tuple[tuple[str, str], ...]) -> str:
    for suffix, replacement in rules:
        if word.endswith(suffix) and len(word) - len(suffix) + len(replacement) >= _MIN_STEM:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[:-len(suffix)] + replacement
    return word


def words(text: str) -> list[str]:
    """Lower-cased Latin (and Greek) words and numbers; CJK script is skipped."""
    return analysis.WORD.findall(_CJK.sub(" ", text.lower()))


def content_words(text: str) -> list[str]:
    """Stemmed words that carry meaning: no stopwords, no academic filler, no single letters."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
