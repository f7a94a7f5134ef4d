#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Packs an already-built tree with CPack (.deb and .tar.gz, into a temporary folder) and checks what
# the packages hold, what the .deb depends on, and that the packed binaries run.
# Usage: tests/package/check-package.sh BUILD_DIR      (meant for build/release; builds nothing)
set -euo pipefail

build_dir=$(realpath "${1:?usage: check-package.sh BUILD_DIR}")
[ -f "$build_dir/CPackConfig.cmake" ] || { echo "check-package: no CPackConfig.cmake in $build_dir" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/twinspect-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Anything that stops the script outside a check (set -e) still says where.
trap 'echo "check-package: FAIL: command failed at line $LINENO: $BASH_COMMAND" >&2' ERR

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { echo "check-package: FAIL: $*" >&2; failed=$((failed + 1)); }
stripped() { file -b "$1" | grep -q ', stripped'; }
check() { # check "what" command...: the command's success is the check
    local what=$1; shift
    if "$@"; then pass; else fail "$what"; fi
}

cpack_var() { sed -n "s/^set($1 \"\(.*\)\")\$/\1/p" "$build_dir/CPackConfig.cmake"; }
version=$(cpack_var CPACK_PACKAGE_VERSION)

# --- pack ------------------------------------------------------------------------------------------
if ! (cd "$build_dir" && cpack -G "DEB;TGZ" -B "$work/out") >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    echo "check-package: FAIL: cpack failed in $build_dir" >&2
    exit 1
fi
shopt -s nullglob
debs=("$work"/out/*.deb)
tgzs=("$work"/out/*.tar.gz)
shopt -u nullglob
if [ ${#debs[@]} -ne 1 ] || [ ${#tgzs[@]} -ne 1 ]; then
    echo "check-package: FAIL: expected one .deb and one .tar.gz, got: $(ls "$work/out")" >&2
    exit 1
fi
deb=${debs[0]}
tgz=${tgzs[0]}

# --- .deb contents ---------------------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{ sub(/^\.\//, "", $6); print $6 }' >"$work/deb-files"
for path in usr/bin/twinspect usr/bin/twinspect-plantgen usr/bin/twinspect-audit usr/bin/twinspect-admin \
    usr/bin/twinspect-feed usr/bin/twinspect-sim usr/share/man/man1/twinspect-feed.1 usr/share/man/man1/twinspect-sim.1 \
    usr/share/applications/twinspect.desktop \
    usr/share/icons/hicolor/scalable/apps/twinspect.svg \
    usr/share/icons/hicolor/256x256/apps/twinspect.png \
    usr/share/metainfo/io.github.twinspect.Twinspect.metainfo.xml \
    usr/share/man/man1/twinspect.1 usr/share/man/man1/twinspect-plantgen.1 usr/share/man/man1/twinspect-audit.1 \
    usr/share/twinspect/plants/demo-boiler.plant.json \
    usr/share/doc/twinspect/LICENSE usr/share/doc/twinspect/ATTRIBUTION.md; do
    # A man page may be gzipped (Debian's habit) and still count.
    check ".deb does not contain $path" grep -Eq "^${path//./\\.}(\\.gz)?\$" "$work/deb-files"
done

# --- .deb dependencies -----------------------------------------------------------------------------
depends=$(dpkg-deb -f "$deb" Depends)
# One group per line ("a (>= 1) | b"), then the bare names of every alternative.
tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ *$//' | grep -v '^$' >"$work/groups" || true
sed 's/|/\n/g' "$work/groups" | sed 's/(.*)//; s/:[a-z0-9]*//; s/ //g' | grep -v '^$' >"$work/names" || true
# Qt libraries the binaries link (found by dpkg-shlibdeps) and plugins loaded at run time (listed by hand).
for pkg in libqt6core6 libqt6gui6 libqt6widgets6 libqt63dcore6 libqt63drender6 libqt63dextras6 \
    qt6-qpa-plugins libqt6sql6-sqlite qt6-3d-defaultgeometryloader-plugin qt6-3d-gltfsceneio-plugin \
    qt6-3d-assimpsceneimport-plugin libgl1-mesa-dri; do
    check "Depends lacks $pkg (Depends: $depends)" grep -Fxq "$pkg" "$work/names"
done

# True if "name" or "name (op version)" is installed here, in a version that satisfies it.
satisfied() {
    local alt=$1 name op ver installed
    name=$(sed 's/(.*)//; s/:[a-z0-9]*//; s/ //g' <<<"$alt")
    installed=$(dpkg-query -W -f='${Status}\t${Version}\n' "$name" 2>/dev/null |
        awk -F'\t' '$1 == "install ok installed" { print $2; exit }')
    if [ -z "$installed" ]; then
        # A virtual package (qt6-websockets-abi (= 6.4.2)): satisfied when an installed package provides it.
        dpkg-query -W -f='${Status}\t${Provides}\n' 2>/dev/null |
            awk -F'\t' -v n="$name" '$1 == "install ok installed" && $2 ~ ("(^|, )" n "( |,|$)") { found = 1 } END { exit !found }'
        return
    fi
    if [[ $alt =~ \(([<>=]+)\ *([^\)]+)\) ]]; then
        op=${BASH_REMATCH[1]}
        ver=${BASH_REMATCH[2]// /}
        dpkg --compare-versions "$installed" "$op" "$ver" || return 1
    fi
}
while IFS= read -r group; do
    ok=false
    IFS='|' read -ra alts <<<"$group"
    for alt in "${alts[@]}"; do
        if satisfied "$alt"; then ok=true; break; fi
    done
    check "dependency '$group' is not installed here (in that version)" $ok
done <"$work/groups"

# --- the packed binaries run -----------------------------------------------------------------------
dpkg -x "$deb" "$work/root"
bin=$work/root/usr/bin
# --version must work without any display: it is what scripts and package checks call.
if out=$(env -u DISPLAY -u WAYLAND_DISPLAY timeout 30 "$bin/twinspect" --version 2>&1); then
    check "twinspect --version printed '$out', expected 'twinspect $version'" test "$out" = "twinspect $version"
else
    fail "twinspect --version exited $? (output: $out)"
fi
if timeout 30 "$bin/twinspect-plantgen" --count 5 >"$work/plant.json" 2>"$work/plantgen.err"; then
    if command -v python3 >/dev/null; then
        check "twinspect-plantgen --count 5 did not print a plant with 5 assets" python3 -c '
import json, sys
plant = json.load(open(sys.argv[1]))
assets = [a for area in plant["site"]["areas"] for unit in area["units"] for a in unit["assets"]]
sys.exit(0 if plant["format"] == "twinspect-plant" and len(assets) == 5 else 1)' "$work/plant.json"
    else
        check "twinspect-plantgen --count 5 did not print plant JSON" grep -q '"format": "twinspect-plant"' "$work/plant.json"
    fi
else
    fail "twinspect-plantgen --count 5 exited $?: $(cat "$work/plantgen.err")"
fi
# The audit command line works from the package alone: a log made, sealed and verified.
if timeout 60 "$bin/twinspect-audit" append "$work/pkg-audit.db" --action note --target package-check >/dev/null 2>"$work/audit.err" &&
    timeout 60 "$bin/twinspect-audit" verify "$work/pkg-audit.db" --pubkey "$work/pkg-audit.db.enrolment.pem" >"$work/audit.out" 2>&1; then
    check "twinspect-audit verify did not say INTACT" grep -q '^INTACT' "$work/audit.out"
else
    fail "twinspect-audit append/verify from the package failed: $(cat "$work/audit.err" "$work/audit.out" 2>/dev/null)"
fi
# Optimised builds are packed stripped (CPACK_STRIP_FILES); a debug build keeps its symbols.
if [ "$(cpack_var CPACK_STRIP_FILES)" = ON ]; then
    check "usr/bin/twinspect is not stripped though CPACK_STRIP_FILES is ON" stripped "$bin/twinspect"
fi

# --- metadata: version in step with project(), valid where the validators are installed ------------
share=$work/root/usr/share
metainfo=$share/metainfo/io.github.twinspect.Twinspect.metainfo.xml
check "metainfo has no <release version=\"$version\">: add one to installer/*.metainfo.xml" \
    grep -q "<release version=\"$version\"" "$metainfo"
for page in twinspect twinspect-plantgen twinspect-audit; do
    check "installer/man/$page.1: .TH does not say \"Twinspect $version\"" \
        grep -q "^\.TH .*\"Twinspect $version\"" "$share/man/man1/$page.1"
done
# Not in scripts/install-deps.sh, so these two run only where someone installed them.
if command -v desktop-file-validate >/dev/null; then
    check "desktop-file-validate rejects twinspect.desktop" desktop-file-validate "$share/applications/twinspect.desktop"
else
    echo "check-package: skipped desktop-file-validate (apt package desktop-file-utils)"
fi
if command -v appstreamcli >/dev/null; then
    # validate-tree also checks that the metainfo's launchable names a desktop file in the package.
    if appstreamcli validate-tree --no-net --no-color "$work/root" >"$work/appstream.log" 2>&1; then
        pass
    else
        cat "$work/appstream.log" >&2
        fail "appstreamcli validate-tree rejects the installed metainfo"
    fi
else
    echo "check-package: skipped appstreamcli validate (apt package appstream)"
fi

# --- .tar.gz ---------------------------------------------------------------------------------------
tar -tzf "$tgz" >"$work/tgz-files"
for path in bin/twinspect bin/twinspect-plantgen share/applications/twinspect.desktop; do
    check ".tar.gz does not contain $path" grep -Eq "(^|/)${path//./\\.}\$" "$work/tgz-files"
done

if [ "$failed" -ne 0 ]; then
    echo "check-package: $failed of $((passed + failed)) checks FAILED" >&2
    exit 1
fi
echo "check-package: all $passed checks passed: $(basename "$deb"), $(basename "$tgz") (${SECONDS}s)"
