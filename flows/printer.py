"""The CLI's one printer: nothing stored (titles, abstracts, errors quoting them) reaches the
terminal with the control characters that would let it drive the terminal (ESC, OSC, CSI, BEL,
CR...), even text stored before normalisation removed them. Light to import: the CLI builds its
consoles at start-up."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

# C0 (but tab and newline), DEL and C1: ESC, OSC, CSI, BEL, CR... would let stored text drive the terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# JSON escapes C0 itself; C1 it leaves raw.
_C1 = re.compile("[\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without the control characters a terminal would act on (tab and newline stay)."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


class SafeConsole(Console):
    """The one printer of the CLI: every segment of text it renders loses its control characters,
    whatever it came from (stored titles and abstracts, even those stored before normalisation
    removed them). Rich's own control segments (cursor moves of progress bars) pass."""

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or not _CONTROL.search(segment.text):
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style)

    def write_text(self, text: str) -> None:
        """Plain text (Markdown or HTML of a brief) as it is, less its control characters."""
        text = printable(text)
        self.file.write(text if text.endswith("\n") else text + "\n")
        self.file.flush()

    def write_json(self, data: object) -> None:
        """JSON for machines: lossless, with C1 characters escaped too (json leaves them raw)."""
        text = json.dumps(data, indent=2, default=str, ensure_ascii=False)
        self.file.write(_C1.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n")
        self.file.flush()


def consoles() -> tuple[SafeConsole, SafeConsole]:
    """The CLI's stdout and stderr printers."""
    return SafeConsole(), SafeConsole(stderr=True)
