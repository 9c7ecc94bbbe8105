# Sourced by .ci/run and .ci/packages_test: which Debian packages CI needs
# and how to tell whether each is there.

# ci_packages lists what CI needs as PACKAGE=CHECK, where CHECK is py:MODULE
# (Debian's /usr/bin/python3 imports MODULE) or cmd:NAME (NAME is on PATH).
ci_packages=(
  python3-flask=py:flask
  python3-flask-login=py:flask_login
  python3-flaskext.wtf=py:flask_wtf
  python3-cryptography=py:cryptography
  chromium=cmd:chromium
  redis-server=cmd:redis-server
  postgresql=cmd:pg_ctlcluster
  wrk=cmd:wrk
  nodejs=cmd:node
)

# ci_missing prints, on one line, the packages among its PACKAGE=CHECK
# arguments whose check fails.
#
# Python runs isolated (-I: no PYTHONPATH, no user site-packages) in an
# empty directory of its own: from the repository root, the Go package
# flask/ would be imported as a Python namespace package, and Flask would
# look installed when it is not. CI_PYTHON replaces /usr/bin/python3 (for
# tests).
ci_missing() {
  local python=${CI_PYTHON:-/usr/bin/python3} scratch req pkg check missing=()
  scratch=$(mktemp -d)
  for req in "$@"; do
    pkg=${req%%=*}
    check=${req#*=}
    case $check in
      py:*) (cd "$scratch" && "$python" -I -c "import ${check#py:}") >/dev/null 2>&1 || missing+=("$pkg") ;;
      cmd:*) command -v "${check#cmd:}" >/dev/null 2>&1 || missing+=("$pkg") ;;
      *) echo "ci_missing: bad check $req" >&2; rmdir "$scratch"; return 2 ;;
    esac
  done
  rmdir "$scratch"
  echo "${missing[*]}"
}
