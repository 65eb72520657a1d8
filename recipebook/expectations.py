"""Check what a step produced against its `expect:` block; every mismatch says what was expected and what was received."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_MISSING = object()


def json_path(data: Any, path: str) -> Any:
    """Value at a dotted path with list indices (a.b[0].c); _MISSING when absent."""
    for m in _TOKEN.finditer(path):
        key, index = m.group(1), m.group(2)
        try:
            data = data[int(index)] if index is not None else data[key]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return data


def last_json_line(output: str) -> Any:
    for line in reversed(output.strip().splitlines()):
        line = line.strip()
        if line.startswith(("{", "[")):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return _MISSING


def _check_json(spec: dict, output: str, work_dir: Path) -> list[str]:
    source = spec.get("file")
    if source:
        path = work_dir / source
        if not path.is_file():
            return [f"expected JSON file {source} in the work folder; it does not exist"]
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            return [f"{source} is not valid JSON: {exc}"]
        where = source
    else:
        data = last_json_line(output)
        if data is _MISSING:
            return ["expected a JSON line in the output (the last line that parses as JSON); none found"]
        where = "output JSON"
    problems = []
    for check in spec["checks"]:
        path = check["path"]
        value = json_path(data, path)
        if "exists" in check:
            if (value is not _MISSING) != check["exists"]:
                problems.append(f"{where} {path}: expected {'present' if check['exists'] else 'absent'}, received {'absent' if value is _MISSING else repr(value)}")
            continue
        if value is _MISSING:
            problems.append(f"{where} {path}: expected a value, the path does not exist")
            continue
        if "equals" in check and value != check["equals"]:
            problems.append(f"{where} {path}: expected {check['equals']!r}, received {value!r}")
        if "length" in check:
            length = len(value) if hasattr(value, "__len__") else None
            if length != check["length"]:
                problems.append(f"{where} {path}: expected length {check['length']}, received {length}")
        if "min" in check and not (isinstance(value, (int, float)) and value >= check["min"]):
            problems.append(f"{where} {path}: expected >= {check['min']}, received {value!r}")
        if "max" in check and not (isinstance(value, (int, float)) and value <= check["max"]):
            problems.append(f"{where} {path}: expected <= {check['max']}, received {value!r}")
        if "equals_sum_of" in check:
            parts = [json_path(data, p) for p in check["equals_sum_of"]]
            if any(not isinstance(p, (int, float)) for p in parts):
                problems.append(f"{where} {path}: expected the sum of {', '.join(check['equals_sum_of'])}; some are missing or not numbers ({parts})")
            elif value != sum(parts):
                problems.append(f"{where} {path}: expected {' + '.join(check['equals_sum_of'])} = {sum(parts)}, received {value!r}")
    return problems


def check(expect: dict, exit_code: int, output: str, work_dir: Path) -> list[str]:
    """All mismatches between the step's result and its expectations (empty list = passed)."""
    problems = []
    want_code = expect.get("exit_code", 0)
    if exit_code != want_code:
        problems.append(f"exit code: expected {want_code}, received {exit_code}")
    for s in expect.get("output_contains", []):
        if s not in output:
            problems.append(f"output: expected to contain {s!r}; it does not")
    for s in expect.get("output_not_contains", []):
        if s in output:
            problems.append(f"output: expected not to contain {s!r}; it does")
    for pattern in expect.get("output_matches", []):
        if not re.search(pattern, output, re.MULTILINE):
            problems.append(f"output: expected a match for /{pattern}/; none found")
    if "json" in expect and exit_code == want_code:
        problems.extend(_check_json(expect["json"], output, work_dir))
    return problems
