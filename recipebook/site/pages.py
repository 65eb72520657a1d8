"""Read a page's Markdown the way the site accounts for it: front matter, fenced code blocks, includes, step placeholders.

A code block on a recipe page is one of
  included      its body is only `--8<-- "recipes/..."` lines (the code is a recipe file, so it ran)
  step          a `<!-- recipe:step ID -->` placeholder (the command is a step of the spec, so it ran)
  not-executed  the line before the fence is `<!-- not-executed: reason -->`
  diagram       a mermaid fence (a picture, not code)
  unaccounted   anything else: retyped code nobody ran, which a strict build refuses
A `<!-- recipe:output ID -->` line is not a code block of the page: the build fills it with the output the verified
run recorded for that step (site/outputs.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
SNIPPET_LINE = re.compile(r"""^[ \t]*-{1,}8<-{1,}[ \t]+(?P<quote>["'])(?P<target>.+?)(?P=quote)[ \t]*$""")
STEP_PLACEHOLDER = re.compile(r"^[ \t]*<!--[ \t]*recipe:step[ \t]+(?:(?P<recipe>[a-z0-9][a-z0-9-]*):)?(?P<step>[a-z0-9][a-z0-9-]*)[ \t]*-->[ \t]*$")
OUTPUT_PLACEHOLDER = re.compile(r"^[ \t]*<!--[ \t]*recipe:output[ \t]+(?:(?P<recipe>[a-z0-9][a-z0-9-]*):)?(?P<step>[a-z0-9][a-z0-9-]*)[ \t]*-->[ \t]*$")
NOT_EXECUTED = re.compile(r"^[ \t]*<!--[ \t]*not-executed[ \t]*:?(?P<reason>.*?)-->[ \t]*$")
SECTION_SUFFIX = re.compile(r"^(?P<path>.+?):(?P<section>[a-z][-_0-9a-z]*)$", re.IGNORECASE)
BLOCK_MARKER = re.compile(r"^[ \t]*-{1,}8<-{1,}[ \t]*$")
LINES_SUFFIX = re.compile(r"^(?P<path>.+?)(?::-?[0-9]*)+(?:,[-0-9:]*)*$")


@dataclass(frozen=True)
class Include:
    line: int
    path: str
    section: str | None = None


@dataclass(frozen=True)
class Placeholder:
    line: int
    recipe: str | None
    step: str


@dataclass(frozen=True)
class Block:
    line: int
    kind: str
    detail: str = ""
    includes: tuple[Include, ...] = ()


@dataclass
class PageScan:
    front_matter: dict[str, Any] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    outputs: list[Placeholder] = field(default_factory=list)  # <!-- recipe:output ID -->: a step's recorded output
    front_matter_error: str = ""

    def count(self, *kinds: str) -> int:
        return sum(1 for b in self.blocks if b.kind in kinds)

    def named_recipes(self) -> list[str]:
        """Recipes the page declares in front matter (`recipe: NAME` or a list)."""
        value = self.front_matter.get("recipe", self.front_matter.get("recipes"))
        if value is None:
            return []
        return [str(v) for v in (value if isinstance(value, list) else [value])]


def split_front_matter(markdown: str) -> tuple[dict[str, Any], str, int, str]:
    """(front matter, body, number of lines the front matter used, error) — MkDocs' own `---` convention."""
    lines = markdown.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return {}, markdown, 0, ""
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            try:
                data = yaml.safe_load("".join(lines[1:i])) or {}
            except yaml.YAMLError as exc:
                return {}, markdown, 0, f"front matter is not valid YAML: {exc}"
            if not isinstance(data, dict):
                return {}, markdown, 0, "front matter is not a mapping"
            return data, "".join(lines[i + 1:]), i + 1, ""
    return {}, markdown, 0, ""


def parse_include(target: str, line: int) -> Include:
    """`recipes/x/f.py:section` -> path + section; line ranges (`:1:5`) keep just the path."""
    m = SECTION_SUFFIX.match(target)
    if m:
        return Include(line, m["path"], m["section"])
    m = LINES_SUFFIX.match(target)
    if m and ":" in target:
        return Include(line, m["path"])
    return Include(line, target)


def _classify(body: list[str], info: str, previous_line: str, line: int) -> Block:
    language = (info.strip().split() or [""])[0].lstrip(".{").lower()
    marker = NOT_EXECUTED.match(previous_line)
    if marker:
        return Block(line, "not-executed", marker["reason"].strip())
    if language == "mermaid":
        return Block(line, "diagram")
    content = [b for b in body if b.strip()]
    snippets = [SNIPPET_LINE.match(b) for b in content]
    if content and all(snippets):
        includes = tuple(parse_include(m["target"], line + 1 + i) for i, m in enumerate(snippets))
        return Block(line, "included", ", ".join(i.path for i in includes), includes)
    if len(content) >= 3 and BLOCK_MARKER.match(content[0]) and BLOCK_MARKER.match(content[-1]):
        # the block form: a --8<-- line, one path per line, a closing --8<-- line
        includes = tuple(parse_include(p.strip(), line + 2 + i) for i, p in enumerate(content[1:-1]))
        return Block(line, "included", ", ".join(i.path for i in includes), includes)
    return Block(line, "unaccounted", (content[0].strip() if content else "(empty block)")[:60])


def scan(markdown: str) -> PageScan:
    """Everything the site checks on a page; line numbers count from the top of the file (front matter included)."""
    front_matter, body, offset, error = split_front_matter(markdown)
    result = PageScan(front_matter=front_matter, front_matter_error=error)
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        text = lines[i]
        number = offset + i + 1
        opened = FENCE_OPEN.match(text)
        if opened:
            fence = opened["fence"]
            closer = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
            j = i + 1
            while j < len(lines) and not closer.match(lines[j]):
                j += 1
            block = _classify(lines[i + 1:j], opened["info"], lines[i - 1] if i else "", number)
            result.blocks.append(block)
            result.includes.extend(block.includes)
            i = j + 1
            continue
        placeholder = STEP_PLACEHOLDER.match(text)
        if placeholder:
            result.placeholders.append(Placeholder(number, placeholder["recipe"], placeholder["step"]))
            result.blocks.append(Block(number, "step", (placeholder["recipe"] + ":" if placeholder["recipe"] else "") + placeholder["step"]))
        elif output := OUTPUT_PLACEHOLDER.match(text):
            result.outputs.append(Placeholder(number, output["recipe"], output["step"]))
        else:
            snippet = SNIPPET_LINE.match(text)
            if snippet:
                result.includes.append(parse_include(snippet["target"], number))
        i += 1
    return result
