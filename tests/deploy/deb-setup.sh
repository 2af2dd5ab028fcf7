# What the checks that make the .deb and a clean Debian 12 root from it share (check-package.sh,
# check-image.sh). Sourced, not run: the check sets `check` (the name its messages start with)
# and passes the build folder as its first argument. Sets here, checkout and build; defines
# skip (exit 77) and fail (exit 1), and the steps below.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
checkout="$(cd "$here/../.." && pwd)"
build="$(cd "$1" && pwd)"
skip() {
    echo "$check: $*: skipped"
    exit 77
}
fail() {
    echo "$check: $*"
    exit 1
}

# needs_package_test WHAT TOOL...: skips unless CONFCAP_PACKAGE_TEST=1 (WHAT says why it waits
# for it), the user is root and every TOOL is installed.
needs_package_test() {
    local what=$1 tool
    shift
    if [[ ${CONFCAP_PACKAGE_TEST:-} != 1 ]]; then
        skip "$what; scripts/package-test.sh runs it"
    fi
    [[ $(id -u) -eq 0 ]] || skip "it needs root (mmdebstrap, chroot)"
    for tool in "$@"; do
        command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps.sh --package)"
    done
}

# make_deb: cpack's .deb of the build folder, its path in `deb`.
make_deb() {
    rm -f "$build"/package/confcap_*.deb
    (cd "$build" && cpack -G DEB >cpack.log 2>&1) || fail "cpack -G DEB failed: $(tail "$build/cpack.log")"
    local debs=("$build"/package/confcap_*_"$(dpkg --print-architecture)".deb)
    [[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "cpack wrote no confcap_VERSION_ARCH.deb"
    deb=${debs[0]}
}

# debian_root: the clean Debian 12 root that holds the dependencies of `deb`
# (scripts/debian-root.sh), its path in `cached`; skips when the Debian mirror cannot be reached.
debian_root() {
    local code
    set +e
    cached="$("$checkout/scripts/debian-root.sh" "$deb")"
    code=$?
    set -e
    [[ $code -ne 75 ]] || skip "the Debian mirror cannot be reached"
    [[ $code -eq 0 ]] || fail "scripts/debian-root.sh failed ($code)"
}
