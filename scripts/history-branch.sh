#!/usr/bin/env bash
# Keep the run history (build/verification/<target>/history.jsonl, see recipebook/history.py) across CI runs on
# its own branch, whether a night passed or failed. The site itself is published from an Actions artifact, so it
# has no branch to keep the history on; and a failing night is not published but must still be remembered.
#
#   bash scripts/history-branch.sh restore   copy <target>/history.jsonl from the branch into the report folder
#                                            (a new history when the branch does not exist yet); a restored file
#                                            that cannot be read is set aside as history.jsonl.unreadable, with a
#                                            warning naming the line, so tonight's runs still start a good history
#   bash scripts/history-branch.sh save      commit the report folder's history files onto the branch and push
#
# Settings: HISTORY_REMOTE (origin), HISTORY_BRANCH (recipebook-history), RECIPEBOOK_REPORT_DIR (build/verification).
# Needs only git (and .venv/bin/recipebook to check a restored file); `save` needs push rights (contents: write).
set -euo pipefail
cd "$(dirname "$0")/.."
remote="${HISTORY_REMOTE:-origin}"
branch="${HISTORY_BRANCH:-recipebook-history}"
dir="${RECIPEBOOK_REPORT_DIR:-build/verification}"
ref="refs/recipebook/history"   # a private ref: no local branch, no checkout, the working tree is untouched

fetch() {  # 0 = fetched into $ref, 1 = the branch does not exist on the remote yet; anything else fails the script
  local status=0
  git ls-remote --exit-code --heads "$remote" "$branch" >/dev/null || status=$?
  if [ "$status" -eq 2 ]; then return 1; fi
  if [ "$status" -ne 0 ]; then echo "history: cannot reach $remote (git ls-remote exit $status)" >&2; exit "$status"; fi
  git fetch --quiet --depth 1 "$remote" "+refs/heads/$branch:$ref"
}

case "${1:-}" in
  restore)
    if ! fetch; then
      echo "history: no branch $branch on $remote yet; tonight's runs start the history"
      exit 0
    fi
    for file in $(git ls-tree --name-only -r "$ref" | grep '/history.jsonl$' || true); do
      mkdir -p "$dir/$(dirname "$file")"
      git show "$ref:$file" > "$dir/$file"
      echo "history: restored $dir/$file ($(wc -l < "$dir/$file") runs) from $branch"
      target="$(dirname "$file")"
      if [ -x .venv/bin/recipebook ] && ! problem="$(.venv/bin/recipebook --report-dir "$dir" flakes --target "$target" 2>&1 >/dev/null)"; then
        mv "$dir/$file" "$dir/$file.unreadable"
        echo "::warning title=Run history set aside::$problem (kept as $dir/$file.unreadable and in the branch's git history)"
      fi
    done
    ;;
  save)
    shopt -s nullglob
    files=("$dir"/*/history.jsonl)
    if [ "${#files[@]}" -eq 0 ]; then echo "history: nothing to save under $dir"; exit 0; fi
    parent=()
    if fetch; then parent=(-p "$(git rev-parse "$ref")"); fi
    scratch="$(mktemp -d)"; trap 'rm -rf "$scratch"' EXIT
    export GIT_INDEX_FILE="$scratch/index"   # a private index: the checkout's own index is untouched
    if [ "${#parent[@]}" -gt 0 ]; then git read-tree "$ref"; else git read-tree --empty; fi
    for file in "${files[@]}"; do
      git update-index --add --cacheinfo "100644,$(git hash-object -w "$file"),${file#"$dir"/}"
    done
    tree="$(git write-tree)"
    if [ "${#parent[@]}" -gt 0 ] && [ "$tree" = "$(git rev-parse "$ref^{tree}")" ]; then
      echo "history: $branch already holds these files"; exit 0
    fi
    commit="$(git -c user.name="${GIT_AUTHOR_NAME:-recipebook nightly}" -c user.email="${GIT_AUTHOR_EMAIL:-nightly@recipebook.invalid}" \
      commit-tree "$tree" "${parent[@]}" -m "Run history after ${GITHUB_RUN_ID:+CI run $GITHUB_RUN_ID, }$(date -u +%Y-%m-%dT%H:%MZ)")"
    git push --quiet "$remote" "$commit:refs/heads/$branch"
    echo "history: saved ${files[*]} to $branch ($commit)"
    ;;
  *)
    echo "usage: bash scripts/history-branch.sh restore|save" >&2
    exit 2
    ;;
esac
