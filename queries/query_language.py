"""Which language a typed query is in, and whether the embedding model can read it: pure functions.

A script other than Latin decides by itself: Han (with kana: Japanese), Hangul, Cyrillic, Arabic,
Hebrew, Greek, Devanagari, Thai and the rest. One word in such a script is enough, since the model
cannot read that part of the query; a lone Greek letter (α-synuclein, σ-algebra, ΛCDM) is a symbol,
not a word. A Latin-script query is told apart from English by evidence English scientific queries
do not carry: function words of another language (für, pour, para, della, voor), endings English
has none of (-ción, -ção, -zione, -ierung, -keit) and letters English lacks (ß, ñ, ã, ł, ø), after
setting aside the Latin phrases and name particles English science uses (de novo, in vitro, van der
Waals, de Sitter, El Niño). Without enough evidence a Latin query counts as English: a false alarm
would cost an English reader the dense half of search, a miss costs a foreign one what it costs
today. bench/query_language.py measures it on a set of queries in six languages (README).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from indexing.embeddings import MULTILINGUAL as ANY

ENGLISH = "en"
UNKNOWN = "und"

_SCRIPT_RANGES: list[tuple[int, int, str]] = sorted([
    (0x0041, 0x005A, "Latin"), (0x0061, 0x007A, "Latin"), (0x00C0, 0x024F, "Latin"), (0x1E00, 0x1EFF, "Latin"),
    (0x0370, 0x03FF, "Greek"), (0x1F00, 0x1FFF, "Greek"),
    (0x0400, 0x052F, "Cyrillic"), (0x1C80, 0x1C8F, "Cyrillic"), (0x2DE0, 0x2DFF, "Cyrillic"), (0xA640, 0xA69F, "Cyrillic"),
    (0x0530, 0x058F, "Armenian"), (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"), (0x08A0, 0x08FF, "Arabic"), (0xFB50, 0xFDFF, "Arabic"),
    (0xFE70, 0xFEFF, "Arabic"),
    (0x0900, 0x097F, "Devanagari"), (0x0980, 0x09FF, "Bengali"), (0x0A00, 0x0A7F, "Gurmukhi"),
    (0x0A80, 0x0AFF, "Gujarati"), (0x0B80, 0x0BFF, "Tamil"), (0x0C00, 0x0C7F, "Telugu"), (0x0C80, 0x0CFF, "Kannada"),
    (0x0D00, 0x0D7F, "Malayalam"), (0x0D80, 0x0DFF, "Sinhala"), (0x0E00, 0x0E7F, "Thai"), (0x0E80, 0x0EFF, "Lao"),
    (0x0F00, 0x0FFF, "Tibetan"), (0x1000, 0x109F, "Myanmar"), (0x10A0, 0x10FF, "Georgian"),
    (0x1100, 0x11FF, "Hangul"), (0x3130, 0x318F, "Hangul"), (0xAC00, 0xD7AF, "Hangul"),
    (0x1200, 0x139F, "Ethiopic"), (0x1780, 0x17FF, "Khmer"),
    (0x3040, 0x309F, "Kana"), (0x30A0, 0x30FF, "Kana"), (0x31F0, 0x31FF, "Kana"), (0xFF66, 0xFF9F, "Kana"),
    (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"), (0xF900, 0xFAFF, "Han"), (0x20000, 0x3134F, "Han"),
])
_STARTS = [start for start, _, _ in _SCRIPT_RANGES]
_SCRIPT_LANGUAGE = {
    "Han": "zh", "Kana": "ja", "Hangul": "ko", "Cyrillic": "ru", "Arabic": "ar", "Hebrew": "he", "Greek": "el",
    "Devanagari": "hi", "Bengali": "bn", "Gurmukhi": "pa", "Gujarati": "gu", "Tamil": "ta", "Telugu": "te",
    "Kannada": "kn", "Malayalam": "ml", "Sinhala": "si", "Thai": "th", "Lao": "lo", "Tibetan": "bo",
    "Myanmar": "my", "Georgian": "ka", "Armenian": "hy", "Ethiopic": "am", "Khmer": "km",
}
_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_PERSIAN = frozenset("پچژگ")
_IDEOGRAPHIC = frozenset({"Han", "Kana"})
"""Scripts written without spaces: a run of characters is several words (about two characters each)."""
GREEK_SYMBOL_LETTERS = 2
"""A run of this many Greek letters or fewer is a symbol (α-helix, αβ T cells), not Greek text."""

_ENGLISH_WORDS = frozenset("""a about above after against all along among an and any are as at based be been being
between beyond both but by can could do does during each either for from further have has how if in into is it its
less more most much new no non nor not of off on one only onto or other our over per same should so some such than
that the their them then there these they this those through to toward towards two under until up upon use used
using versus via vs was we what when where whether which while who why will with within without would
    die son sin cos tan log exp max min met till med pod""".split())
"""English words, and a few words of other languages that English science uses (cells die, sin x)."""

_STOPWORDS: dict[str, frozenset[str]] = {
    "de": frozenset("""der die das den dem des ein eine einer eines einem einen und oder mit für fur von vom zur zum
        im auf bei über uber durch ist sind nicht als wie aus nach zwischen gegen ohne unter mittels anhand sowie
        bzw beim welche wird werden""".split()),
    "fr": frozenset("""le la les des du de et pour avec dans sur par une un au aux est sont pas ou entre sans sous
        vers chez leur leurs ce ces cette qui que quel quelle l d selon""".split()),
    "es": frozenset("""el la los las del de y para con en por una un al es son entre sin sobre como mediante su sus
        que cual según segun hacia desde""".split()),
    "it": frozenset("""il lo la gli le dei degli delle del della dello di e per con nel nella nei nelle su una un tra
        fra senza sono che sulla sui sulle dal dalla""".split()),
    "pt": frozenset("""o a os as do da dos das de e para com em no na nos nas por uma um ao são sao entre sobre
        que pelo pela pelos pelas""".split()),
    "nl": frozenset("""de het een en van voor op bij door is zijn niet of tussen zonder naar over uit
        welke wordt worden""".split()),
    "sv": frozenset("och för av på från som är inte eller mellan utan genom vid".split()),
    "pl": frozenset("w z na do dla przez od oraz lub jest są nie przy".split()),
    "tr": frozenset("ve ile için bir bu da de olan gibi veya".split()),
    "id": frozenset("dan untuk dengan dari pada dalam atau oleh ini itu sebagai".split()),
}
_ENDINGS: dict[str, tuple[str, ...]] = {
    "es": ("ción", "ciones", "idad", "idades"),
    "pt": ("ção", "ções", "dade", "dades"),
    "it": ("zione", "zioni", "ità"),
    "fr": ("eaux", "ées", "iques", "ière", "ières", "ité", "ités"),
    "de": ("ierung", "ungen", "keit", "keiten", "heit", "heiten", "schaft", "lichen", "licher", "liches"),
    "nl": ("heid", "ingen", "lijk", "lijke"),
}
_LETTERS: dict[str, str] = {
    "de": "ßäöü", "fr": "àâçéèêëîïôùûœ", "es": "ñáéíóú¿¡", "pt": "ãõâêôçáéíóú", "it": "àèéìòù",
    "pl": "łąęśźżćń", "tr": "ğşıöüç", "sv": "åäö", "nl": "ë", "cs": "řěůčšž", "da": "æøå", "no": "æøå",
    "hu": "őű", "ro": "ăâîșț", "vi": "ăđơư",
}
_SET_ASIDE = re.compile(
    r"\b(?:de\s+novo|de\s+facto|in\s+(?:vitro|vivo|silico|situ|utero|ovo)|ex\s+vivo|ab\s+initio|et\s+al|"
    r"a\s+priori|a\s+posteriori|per\s+se|vice\s+versa|la\s+ni[ñn]a|el\s+ni[ñn]o|ad\s+hoc|sui\s+generis|"
    r"de\s+(?:sitter|rham|broglie|bruijn|moivre|finetti|gennes)|van\s+der|van\s+den|"
    r"von\s+(?:neumann|mises|k[áa]rm[áa]n|willebrand|koch|hippel|bertalanffy))\b", re.IGNORECASE)
_PARTICLE = re.compile(r"\b(?:de|del|della|di|da|du|dos|le|la|el|ter|van)\s+(?=[A-ZÀ-Þ])")
"""A particle before a capitalised word is part of a name (Le Cam, di Bruno, del Castillo)."""
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ¿¡]+")
STOPWORD_POINTS = 2
SURE_STOPWORD_POINTS = 3
"""A function word of three letters or more that only one language has (für, pour, della) says more."""
ENDING_POINTS = 2
LETTER_POINTS = 1
MIN_POINTS = 3
"""A Latin query is in another language when that language scores this many points (and beats English)."""


@dataclass(frozen=True, slots=True)
class QueryLanguage:
    """What a query is written in."""

    language: str
    """ISO 639-1 code (en, zh, ja, de, ru...); ``und`` for a query with no letters."""
    script: str
    """The script that decided: Latin, Han, Kana, Cyrillic, Arabic... (``none`` without letters)."""
    evidence: tuple[str, ...] = ()
    """What decided a Latin query is not English (words, endings, letters), for messages and tests."""


def script_of(char: str) -> str | None:
    """The script of one letter, or None when it is not a letter of a script we know."""
    code = ord(char)
    i = bisect_right(_STARTS, code) - 1
    if i >= 0:
        start, end, script = _SCRIPT_RANGES[i]
        if start <= code <= end:
            return script
    return None


def detect_language(query: str) -> QueryLanguage:
    """The language ``query`` is written in (see the module docstring for how)."""
    text = unicodedata.normalize("NFC", query)
    runs = _script_runs(text)
    foreign = {script: n for script, n in runs.items() if script != "Latin"}
    if foreign:
        if "Kana" in foreign:
            return QueryLanguage("ja", "Kana")
        script = max(foreign, key=lambda s: (foreign[s], s))
        return QueryLanguage(_language_of_script(script, text), script)
    if "Latin" not in runs:
        return QueryLanguage(UNKNOWN, "none")
    language, evidence = _latin_language(text)
    return QueryLanguage(language, "Latin", evidence)


def reads(model_languages: Iterable[str], language: str) -> bool:
    """Whether a model that reads ``model_languages`` understands a query in ``language``."""
    languages = frozenset(model_languages)
    return ANY in languages or language in languages or language == UNKNOWN


def _script_runs(text: str) -> dict[str, int]:
    """Words per script: a run of letters of one script is a word (ideographic runs count as one word
    per two characters); Greek runs of up to GREEK_SYMBOL_LETTERS letters are symbols and not counted."""
    words: dict[str, int] = {}
    script, length = None, 0
    for char in text + " ":
        current = script_of(char) if char.isalpha() else None
        if current == script and current is not None:
            length += 1
            continue
        if script is not None and not (script == "Greek" and length <= GREEK_SYMBOL_LETTERS):
            words[script] = words.get(script, 0) + (-(-length // 2) if script in _IDEOGRAPHIC else 1)
        script, length = current, 1
    return words


def _language_of_script(script: str, text: str) -> str:
    if script == "Cyrillic" and any(c in _UKRAINIAN for c in text):
        return "uk"
    if script == "Arabic" and any(c in _PERSIAN for c in text):
        return "fa"
    return _SCRIPT_LANGUAGE.get(script, UNKNOWN)


def _latin_language(text: str) -> tuple[str, tuple[str, ...]]:
    kept = _PARTICLE.sub(" ", _SET_ASIDE.sub(" ", text))
    words = _LATIN_WORD.findall(kept.replace("'", " ").replace("’", " "))
    points: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}
    english = 0

    def add(language: str, n: int, why: str) -> None:
        points[language] = points.get(language, 0) + n
        evidence.setdefault(language, []).append(why)

    for original in words:
        word = original.lower()
        if len(original) > 1 and original.isupper():  # an acronym (ALS, DES, SUR): no language's word
            continue
        if word in _ENGLISH_WORDS:
            english += STOPWORD_POINTS
            continue
        if original == word:  # a function word is written in lower case; Yang, Dan, Die... are names or titles
            having = [language for language, stopwords in _STOPWORDS.items() if word in stopwords]
            sure = len(having) == 1 and len(word) >= 3
            for language in having:
                add(language, SURE_STOPWORD_POINTS if sure else STOPWORD_POINTS, word)
        for language, endings in _ENDINGS.items():
            if len(word) >= 6 and word.endswith(endings):
                add(language, ENDING_POINTS, "-" + next(e for e in endings if word.endswith(e)))
        for language, letters in _LETTERS.items():
            marks = set(word) & set(letters)
            if marks:
                add(language, LETTER_POINTS, "".join(sorted(marks)))
    if not points:
        return ENGLISH, ()
    best = max(points, key=lambda lang: (points[lang], lang))
    if points[best] >= MIN_POINTS and points[best] > english:
        return best, tuple(evidence[best])
    return ENGLISH, ()
