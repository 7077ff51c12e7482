#!/usr/bin/env bash
# One command to set d2lcoach up and either start the tutor in a demo workspace or run the tests.
#   bash scripts/quickstart.sh demo   -> venv + install + `d2lcoach next` in ./demo-workspace, then the
#                                        lines to paste to go on (activate .venv, cd, d2lcoach check)
#   bash scripts/quickstart.sh test   -> venv + install + the whole test suite
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-demo}"
shift || true

# One line per step on stderr, so that a long step is never silent (stdout stays the tutor's own).
step() { echo "quickstart: $*" >&2; }

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    step "creating .venv with $python"
    "$python" -m venv .venv
fi
step "checking what .venv has (imports torch: a few seconds)"
if ! .venv/bin/python -c "import d2lcoach, torch, torchvision, typer, rich, yaml, pytest, nbclient, hypothesis" 2>/dev/null \
   || [ pyproject.toml -nt .venv/.d2lcoach-installed ]; then
    step "installing d2lcoach with torch into .venv (about 2 GB, a few minutes the first time)"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' 2>&1 \
        | grep -v "is ignored: it is neither a file nor a directory" || true
    step "checking that torch and torchvision import"
    .venv/bin/python -c "import d2lcoach, torch, torchvision" >/dev/null
    touch .venv/.d2lcoach-installed
else
    step ".venv is up to date"
fi
# The strong sandbox needs bubblewrap; install it where we can (Debian, as root).
if ! command -v bwrap >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        step "installing bubblewrap (the strong sandbox) with apt-get"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) >/dev/null 2>&1 \
            || echo "warning: could not install bubblewrap; grading falls back to the weaker process sandbox" >&2
    else
        echo "warning: bubblewrap (bwrap) is missing; grading falls back to the weaker process sandbox" >&2
    fi
fi

case "$mode" in
    demo)
        step "starting the tutor in demo-workspace"
        .venv/bin/d2lcoach --workspace demo-workspace next "$@"
        # The last lines: exactly what to paste next (d2lcoach is on the PATH once .venv is active,
        # and finds the workspace from any folder inside it).
        echo
        echo "To go on, paste these lines into your shell:"
        echo "    source $(printf '%q' "$(pwd)/.venv/bin/activate")"
        echo "    cd $(printf '%q' "$(pwd)/demo-workspace")"
        echo "    d2lcoach check"
        ;;
    test)
        step "running the test suite"
        exec .venv/bin/python -m pytest "$@"
        ;;
    *)
        echo "usage: bash scripts/quickstart.sh demo|test" >&2
        exit 2
        ;;
esac
