"""The recipe folders as downloads served with the site, and the "Before you start" block that links them.

A reader without a clone unpacks `downloads/<recipe>.zip` into an empty folder: it holds exactly what the
page's get-files step copies (the recipe folder and the files it borrows), flat, so the rest of the page is
the same either way. The archive is deterministic (fixed timestamps, sorted names): the same files give the
same bytes.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from recipebook import hashing, procedure
from recipebook.spec import Recipe

FOLDER = "downloads"
_EPOCH = (2020, 1, 1, 0, 0, 0)


def uri(recipe: Recipe) -> str:
    return f"{FOLDER}/{recipe.name}.zip"


def archive(recipe: Recipe) -> bytes:
    """The zip a reader unpacks in place of the get-files step."""
    own = [p for p in hashing.recipe_files(recipe) if p.resolve().is_relative_to(recipe.path.resolve())]
    members = {p.resolve().relative_to(recipe.path.resolve()).as_posix(): p for p in own}
    members.update({Path(rel).name: recipe.path / rel for rel in recipe.files})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = (0o755 if name.endswith(".sh") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, members[name].read_bytes())
    return buffer.getvalue()


def before_you_start(recipe: Recipe, recipes: dict[str, Recipe], link) -> str:
    """The prerequisites admonition: tools, the files, and the recipes that must already be running."""
    lines = [
        '!!! info "Before you start"',
        "",
        f"    - [uv](https://docs.astral.sh/uv/) {procedure.UV_VERSION} on your PATH (`{procedure.UV_INSTALL}`; without "
        f"pipx, `python3 -m pip install --user uv=={procedure.UV_VERSION}`, which Debian and Ubuntu refuse unless you add "
        "`--break-system-packages`; then make sure `~/.local/bin` is on your PATH), and `curl`. The install step asks "
        f"uv for Python {procedure.PYTHON_MIN} or a newer {procedure.PYTHON_VERSION}: with an older one only (Debian "
        "12 has 3.11.2), uv downloads one for this page's environment.",
        f"    - A clone of this repository in `~/recipebook` (elsewhere: `export {procedure.REPO_VAR}=/path/to/clone` first), "
        f"or [{recipe.name}.zip]({link(uri(recipe))}) unpacked into an empty folder instead of the `cp` lines below.",
    ]
    for need in recipe.needs:
        other = recipes[need]
        provided = ", ".join(f"`{v}`" for v in other.provides) or "nothing"
        lines.append(f"    - [{other.title}]({link(other.page)}) running, as its page leaves it. This page reaches it "
                     f"through {provided}, which `env.sh` sets to that page's defaults; if yours runs elsewhere, export "
                     "them before `source env.sh`.")
    lines.append("    - Every command below runs in one terminal, in that folder, unless a step says *new terminal*: "
                 "then open one, `cd` to the folder, and the block's first line, `source env.sh`, loads the settings there.")
    return "\n".join(lines) + "\n"
