# Sourced first by the set-up scripts: stop at the first failing command, and say which one.
# CI shows only part of a run's output, and a command can fail without a word of its own.
set -Eeuo pipefail
SCRIPT_NAME=$(basename "$0" .sh)
trap 'echo "$SCRIPT_NAME: line $LINENO failed (exit $?): $BASH_COMMAND" >&2' ERR
