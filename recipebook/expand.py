"""${VAR} expansion with a given environment (for URLs in readiness checks, `env:` and `provides:`)."""
from __future__ import annotations

import re

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def expand(text: str, env: dict[str, str]) -> str:
    """Replace $VAR and ${VAR} with values from env; unknown variables are left as they are, so errors stay visible."""
    return _VAR.sub(lambda m: env.get(m.group(1) or m.group(2), m.group(0)), text)
