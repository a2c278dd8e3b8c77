#!/usr/bin/env bash
# Fails when a Markdown file of the repository points at something the repository does not have: a relative
# link [text](path#anchor) to a missing file or heading, or a code-span path (`booking/WRITES.md`,
# `../x/y.md`) naming a file that is not there or lies outside the repository. A clone must stand on its own.
set -euo pipefail

# The Markdown files of the repository: what git tracks or would track (not ignored build, npm or tool folders,
# which tests fill while this runs); outside a git checkout, every .md file but those folders.
markdown_files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z -co --exclude-standard -- '*.md' | sort -z
  else
    find . \( -name '.git' -o -name '.tools' -o -name 'node_modules' -o -name 'build*' \) -prune -o \
         -name '*.md' -type f -print0 | sort -z
  fi
}
cd "$(dirname "$0")/.."
root=$(pwd -P)
bad=0

complain() {
  echo "$1: $2" >&2
  bad=$((bad + 1))
}

# GitHub's heading anchors of a Markdown file: lower case, punctuation dropped, spaces to hyphens.
anchors() {
  sed -n 's/^#\{1,6\} \{1,\}//p' "$1" | tr 'A-Z' 'a-z' | sed -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g'
}

# Resolves $2 (relative to the folder of file $1, or to the root when $3 is "root") and checks it.
check_target() {
  local file=$1 target=$2 base path anchor resolved
  path=${target%%#*}
  anchor=""
  [[ $target == *"#"* ]] && anchor=${target#*#}
  if [ -z "$path" ]; then
    path=$file
  elif [ "${3:-}" = root ] && [[ $path != ../* && $path != ./* ]]; then
    path=$root/$path
  else
    base=$(dirname "$file")
    path=$base/$path
  fi
  if ! resolved=$(realpath -m -- "$path") || [[ $resolved != "$root" && $resolved != "$root"/* ]]; then
    complain "$file" "$target points outside the repository"
    return
  fi
  if [ ! -e "$resolved" ]; then
    complain "$file" "$target does not exist"
    return
  fi
  if [ -n "$anchor" ] && [[ $resolved == *.md ]] && ! anchors "$resolved" | grep -qxF -- "$anchor"; then
    complain "$file" "$target: no heading makes the anchor #$anchor"
  fi
}

checked=0
while IFS= read -r -d '' file; do
  file=${file#./}
  # Text outside fenced code blocks.
  text=$(awk '/^[[:space:]]*```/ { fenced = !fenced; next } !fenced' "$file")
  # [text](target): every target that is not a URL.
  while IFS= read -r target; do
    [ -z "$target" ] && continue
    [[ $target =~ ^[a-zA-Z][a-zA-Z0-9+.-]*: ]] && continue
    check_target "$file" "$target"
    checked=$((checked + 1))
  done < <(grep -oE '\]\([^)[:space:]]+\)' <<<"$text" | sed -e 's/^](//' -e 's/)$//' || true)
  # `path`: a code span that names a path inside a top-level folder of the repository, or one above it.
  while IFS= read -r span; do
    [[ $span =~ ^(\.\./|\./)?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+/?$ ]] || continue
    first=${span#./}
    first=${first%%/*}
    [[ $span == ../* ]] || [ -d "$first" ] || continue
    check_target "$file" "$span" root
    checked=$((checked + 1))
  done < <(grep -oE '`[^`]+`' <<<"$text" | sed -e 's/^`//' -e 's/`$//' || true)
done < <(markdown_files)

if [ "$bad" -gt 0 ]; then
  echo "check-links: $bad broken reference(s)" >&2
  exit 1
fi
echo "check-links: $checked references, all inside the repository"
