"""recipebook: runs the recipes of the reference ML architecture and records the evidence.

Modules, one job each:
  spec         load and validate recipes/<name>/recipe.yaml against recipe.schema.json
  hashing      the content hash of a recipe (its files and its page)
  environment  the offline environment and the versions recorded in reports
  processes    start commands in their own process group, stop them, find leftovers
  readiness    wait for a background service (port, HTTP, log line)
  expectations check a step's exit code, output and JSON
  hints        what to do about the failures we can foresee
  runner       run recipes (steps, timeouts, retries, cleanup, needs) on a target
  targets      what each target needs (local, kind) and its pre-flight checks
  report       the verification report (JSON, written atomically) and its logs
  history      the run history (every verify run, one line per recipe), pass rates, durations, flaky recipes
  failures     what failed in the last reports, for a terminal or as the nightly job's issue (Markdown)
  progress     what the terminal shows while recipes run
  cli          the `recipebook` command
  pytest_plugin  every recipe as a pytest item
  scaffold     `recipebook new NAME`
"""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RECIPES_DIR = PROJECT_ROOT / "recipes"
DOCS_DIR = PROJECT_ROOT / "docs"
DEFAULT_REPORT_DIR = PROJECT_ROOT / "build" / "verification"
