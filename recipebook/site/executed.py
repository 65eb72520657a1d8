"""What the reader sees is what ran: the commands on each built recipe page, compared with the report's.

Every step block the hook renders sits in a `<div class="recipebook-step" data-recipe=… data-step=…
data-targets=…>` marker. After the build, this module reads each built recipe page, takes the code of every
marker in document order for one target (the Laptop tab for `local`), and compares the sequence with the
commands the runner recorded for that recipe and target in the report. Any difference (a block edited by
the Markdown pipeline, a step missing from the page, a step shown twice or out of order) is a finding that
names the page and the block. Checked on the HTML, so nothing between the spec and the reader's browser can
change a command unnoticed.
"""
from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from recipebook.site.steps import STEP_CLASS


@dataclass(frozen=True)
class ShownCommand:
    recipe: str
    step: str
    targets: tuple[str, ...]
    command: str


class _StepBlocks(HTMLParser):
    """Collects the text of <code> inside each step marker; nested <div>s are counted to find the marker's end."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[ShownCommand] = []
        self._marker: dict[str, str] | None = None
        self._depth = 0
        self._in_code = 0
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "div":
            if self._marker is None and STEP_CLASS in (attributes.get("class") or "").split():
                self._marker, self._depth, self._text = attributes, 1, []
                return
            if self._marker is not None:
                self._depth += 1
        elif tag == "code" and self._marker is not None:
            self._in_code += 1

    def handle_endtag(self, tag):
        if tag == "code" and self._in_code:
            self._in_code -= 1
        elif tag == "div" and self._marker is not None:
            self._depth -= 1
            if self._depth == 0:
                m = self._marker
                self.found.append(ShownCommand(m.get("data-recipe", ""), m.get("data-step", ""),
                                               tuple((m.get("data-targets") or "").split()), "".join(self._text)))
                self._marker = None

    def handle_data(self, data):
        if self._in_code:
            self._text.append(data)


def shown_commands(html: str) -> list[ShownCommand]:
    parser = _StepBlocks()
    parser.feed(html)
    parser.close()
    return parser.found


def _normal(command: str) -> str:
    return command.rstrip("\n")


def differences(html: str, recipe: str, target: str, executed: list[dict]) -> list[str]:
    """Problems, in reading order, between the page's blocks for (recipe, target) and the executed commands."""
    shown = [c for c in shown_commands(html) if c.recipe == recipe and target in c.targets]
    problems = []
    for i in range(max(len(shown), len(executed))):
        page = shown[i] if i < len(shown) else None
        ran = executed[i] if i < len(executed) else None
        if page is None:
            problems.append(f"step '{ran['step']}' ran (command {i + 1}) but the page shows no block for it after "
                            f"'{shown[-1].step if shown else 'the start'}'")
            break
        if ran is None:
            problems.append(f"block {i + 1} (step '{page.step}') is on the page but the verified run executed no command there")
            break
        if page.step != ran["step"]:
            problems.append(f"block {i + 1} shows step '{page.step}', but the run executed step '{ran['step']}' at that point")
            break
        if _normal(page.command) != _normal(ran["command"]):
            problems.append(f"block {i + 1} (step '{page.step}') differs from the command the run executed:\n"
                            f"      page: {_normal(page.command)!r}\n      ran:  {_normal(ran['command'])!r}")
    return problems
