"""The text of a paper as people read it. Pure functions.

- Control characters (C0 and C1, except tab and newline) go, in whatever form they came:
  raw, or as character references that decode to them.
- Markup is stripped only from sources that send HTML (journal feeds, arXiv's old RDF),
  and only real tags: ``x<y`` and anything inside math stay as written.
- LaTeX accents and text commands (``Schr\\"odinger``, ``{\\l}``, ``\\emph{x}``) become Unicode
  through pylatexenc; math (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``) stays exactly as written
  so the web app can render it. A command pylatexenc does not know is kept as written.
- Author names come as "Given Family", whatever the source sent.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexwalker import (
    LatexCommentNode, LatexEnvironmentNode, LatexGroupNode, LatexMacroNode, LatexWalker, LatexWalkerError,
)

# C0 and C1 controls and DEL, except tab and newline (a carriage return becomes a newline first).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BOILERPLATE = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*(?:Abstract:\s*)?", re.IGNORECASE)
# Math, kept as written: $$…$$, $…$ (an escaped \$ neither opens nor closes it), \(…\), \[…\].
# No nested repeats, and no span across another opener: hostile text costs linear time.
_MATH = re.compile(r"(\$\$(?:[^$]|\$(?!\$))+\$\$|\$(?:[^$\\]|\\.)+\$|\\\((?:[^\\]|\\[^()])*\\\)|\\\[(?:[^\\]|\\[^\[\]])*\\\])", re.DOTALL)
# Only elements HTML (and the MathML/JATS that journals embed) defines are tags: "x<y and z>w" is text.
_ELEMENTS = (
    "a|abbr|address|article|aside|b|bdi|bdo|big|blockquote|body|br|caption|center|cite|code|col|colgroup|dd|del|"
    "details|dfn|div|dl|dt|em|figcaption|figure|font|footer|h[1-6]|head|header|hr|html|i|img|ins|kbd|label|li|"
    "link|main|mark|meta|nav|ol|p|pre|q|rp|rt|ruby|s|samp|section|small|source|span|strike|strong|sub|summary|"
    "sup|table|tbody|td|tfoot|th|thead|time|title|tr|tt|u|ul|var|wbr|svg|(?:[a-z]+:)[a-z][a-z0-9-]*|"
    "m(?:ath|i|n|o|s|row|sub|sup|subsup|frac|sqrt|root|text|table|tr|td|over|under|underover|style|space|"
    "padded|phantom|fenced|enclose|multiscripts|prescripts)"
)
_TAG = re.compile(rf"<!--.*?-->|</?(?:{_ELEMENTS})(?:\s[^<>]*)?/?>", re.DOTALL | re.IGNORECASE)
# Inline markup sits inside words ("S<sub>N</sub>2", "<i>cis-</i>regulatory"): it goes without a space.
_INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|cite|code|del|em|font|i|ins|mark|q|s|small|span|strike|strong|sub|sup|tt|u|var)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
# A run of non-space text holding a backslash command, with its braced groups (which may hold spaces).
# A one-letter command takes the next letter after spaces as its argument: "Maru\v si\v c", "\l aw".
_LATEX_WORD = re.compile(r"(?:\{(?:[^{}]|\{[^{}]*\})*\}|\\[A-Za-z]\s+(?=\S)|\\\S|[^\s{}\\])+")
# Where the stretch of text that _LATEX_WORD may change starts (after the last space before the
# first brace or backslash) and ends (past the command's letter, the spaces a one-letter command
# takes, and the rest of its word).
_UP_TO_LAST_SPACE = re.compile(r".*\s", re.DOTALL)
_TO_WORD_END = re.compile(r"\S?\s*\S*")
# Affiliation markers journals attach to names: "A. Smith<sup>1,2</sup>", "A. Smith1,2*".
_AFFILIATION_MARK = re.compile(r"<sup>.*?</sup>|(?<=[^\W\d_])[\d,*†‡§¶]+$", re.IGNORECASE | re.DOTALL)
_LONGEST_WORD = 300
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})

# Commands that would bring in something not written in the text (today's date, a file).
_NOT_CONVERTED = frozenset({"today", "input", "include"})
_TEXT_STYLES = ("emph", "textbf", "textit", "textmd", "textnormal", "textrm", "textsc", "textsf", "textsl",
                "texttt", "textup", "text", "mbox", "url")
# Old-style font switches ("{\it words}") write nothing themselves; arXiv writes a degree sign "{\deg}".
_SWITCHES = ("it", "em", "bf", "sc", "sl", "sf", "tt", "rm", "small", "large", "normalsize")


def _latex_context():
    context = get_default_latex_context_db().filter_context(keep_categories=["latex-base", "advanced-symbols"])
    macros = [MacroTextSpec(m, discard=False) for m in _TEXT_STYLES] + [MacroTextSpec(m, "") for m in _SWITCHES]
    context.add_context_category("radar-text", macros=[*macros, MacroTextSpec("\\", " "), MacroTextSpec("deg", "°")],
                                 prepend=True)
    return context


_LATEX_CONTEXT = _latex_context()
_LATEX_TO_TEXT = LatexNodes2Text(latex_context=_LATEX_CONTEXT, math_mode="verbatim")


def strip_controls(text: str) -> str:
    """C0/C1 control characters out, except tab and newline; a carriage return is a newline."""
    if text.isprintable():  # the common case, checked in C
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def clean_text(text: str | None, *, html_markup: bool = False) -> str:
    """One field of a feed as people read it: markup (HTML sources only) and entities decoded,
    controls out, LaTeX text commands in Unicode, math as written, whitespace runs collapsed."""
    if not text:
        return ""
    if "&" in text or (html_markup and "<" in text):
        # Controls out before decoding too: one inside an entity ("&\x1bamp;") must not leave one behind.
        text = _decode(strip_controls(text), html_markup)
    text = strip_controls(text)
    if "\\" in text:
        text = latex_to_unicode(text)
    text = " ".join(text.split())
    if text[:6].lower() == "arxiv:":
        text = _BOILERPLATE.sub("", text)
    return text


def _decode(text: str, html_markup: bool) -> str:
    # Tags first, then entities: "&lt;" is a character, not markup. Double-escaped feeds need
    # more than one pass; every pass only shortens the text, so this ends.
    previous = None
    while text != previous:
        previous = text
        if html_markup and "<" in text:
            text = _outside_math(text, _strip_tags)
        if "&" in text:
            text = html.unescape(text)
    return text


def _strip_tags(text: str) -> str:
    return _TAG.sub(" ", _INLINE_TAG.sub("", text)) if "<" in text else text


def split_math(text: str) -> list[str]:
    """``text`` cut at its math spans: text and math alternate, text first (even places are text,
    odd places math, exactly as written)."""
    return _MATH.split(text)


def _outside_math(text: str, change) -> str:
    """``change`` applied to the text between math spans; the math is left exactly as written."""
    parts = split_math(text)
    parts[::2] = [change(p) for p in parts[::2]]
    return "".join(parts)


def latex_to_unicode(text: str) -> str:
    """LaTeX accents and text commands outside math → Unicode, by pylatexenc; the rest as written."""
    return _outside_math(text, _convert_words)


def _convert_words(text: str) -> str:
    if "\\" not in text:
        return text
    # Only the stretch from the word holding the first brace or backslash to the one holding
    # the last can change: the words around it are plain (no command, no group), and cutting
    # at whitespace outside that stretch splits no word. Most of an abstract is skipped.
    first = min(i for i in (text.find("\\"), text.find("{"), text.find("}")) if i >= 0)
    last = max(text.rfind("\\"), text.rfind("{"), text.rfind("}"))
    before = _UP_TO_LAST_SPACE.match(text, 0, first)
    start = before.end() if before else 0
    end = _TO_WORD_END.match(text, last + 1).end()
    return text[:start] + _LATEX_WORD.sub(_convert_word, text[start:end]) + text[end:]


def _convert_word(match: re.Match) -> str:
    word = match.group()
    # A real word with LaTeX in it is short; a long run is no prose (and would cost pylatexenc dear).
    return _latex_word(word) if "\\" in word and len(word) <= _LONGEST_WORD else word


@lru_cache(maxsize=1 << 16)  # names and accented words repeat across papers
def _latex_word(word: str) -> str:
    try:
        nodes = LatexWalker(word, tolerant_parsing=False).get_latex_nodes()[0]
        if not _convertible(nodes):
            return word
        return _LATEX_TO_TEXT.nodelist_to_text(nodes)
    except (LatexWalkerError, IndexError, KeyError, TypeError, ValueError):  # pylatexenc on odd input
        return word


def _convertible(nodes) -> bool:
    """Only commands pylatexenc can write as text, and nothing it would drop (comments, environments)."""
    for node in nodes or ():
        if node is None:
            continue
        if isinstance(node, (LatexCommentNode, LatexEnvironmentNode)):
            return False
        if isinstance(node, LatexMacroNode):
            if node.macroname in _NOT_CONVERTED or _LATEX_CONTEXT.get_macro_spec(node.macroname) is None:
                return False
            if node.nodeargd is not None and not _convertible(node.nodeargd.argnlist):
                return False
        elif isinstance(node, LatexGroupNode) and not _convertible(node.nodelist):
            return False
    return True


def author_name(name: str | None, *, html_markup: bool = False) -> str:
    """One author as "Given Family": "Family, Given" is turned round; affiliation marks and
    stray separators go."""
    if not name:
        return ""
    if html_markup:  # journals mark affiliations; arXiv and bioRxiv send bare names
        name = _AFFILIATION_MARK.sub("", clean_text(_AFFILIATION_MARK.sub("", name), html_markup=True))
    name = clean_text(name).strip(" ,;")
    if name.count(",") == 1:
        family, given = (part.strip() for part in name.split(","))
        if family and given and given.lower() not in _NAME_SUFFIXES:
            name = f"{given} {family}"
    return name
