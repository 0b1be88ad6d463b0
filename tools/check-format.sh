#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Checks that the C sources follow .clang-format:
#     tools/check-format.sh [SOURCE-DIR]
# Names every file that clang-format would change and exits 1 if there is
# one; exits 77 (a skip for meson) when clang-format is not installed. The
# meson test "format" (suite unit) runs it. CLANG_FORMAT names another
# binary; the tree is formatted with Debian 12's clang-format 14, and other
# versions may disagree on a few lines.
#
# To fix what it names: clang-format -i FILE...

set -uo pipefail

src="${1:-$(dirname "$0")/..}"
cd "$src" || exit 1
clang_format="${CLANG_FORMAT:-clang-format}"
if ! command -v "$clang_format" >/dev/null; then
        echo "check-format: $clang_format is not installed (tools/install-deps.sh)"
        exit 77
fi

# The tracked sources when this is a git checkout, else every C file outside build trees.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        mapfile -t files < <(git ls-files -- '*.c' '*.h')
else
        mapfile -t files < <(find . -name '*.[ch]' -not -path '*/meson-private/*' \
                -not -path './build*' -not -path './.git/*' -printf '%P\n' | sort)
fi

# One clang-format per file (a file it cannot parse counts too), on every CPU.
mapfile -t bad < <(printf '%s\0' "${files[@]}" |
        xargs -0 -r -P "$(nproc)" -n 1 sh -c '[ ! -f "$1" ] || "$0" --dry-run -Werror "$1" >/dev/null 2>&1 || echo "$1"' \
                "$clang_format" | sort)

if [ ${#bad[@]} -gt 0 ]; then
        echo "check-format: ${#bad[@]} of ${#files[@]} files do not follow .clang-format (clang-format -i FILE):"
        printf '  %s\n' "${bad[@]}"
        exit 1
fi
echo "check-format: ${#files[@]} files follow .clang-format"
