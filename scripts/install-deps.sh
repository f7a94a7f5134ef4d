#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages Twinspect needs to build, run and test. Idempotent: it asks apt
# only when something is missing, so a second run costs a second.
set -euo pipefail

packages=(
    # toolchain
    g++ cmake ninja-build ccache pkg-config dpkg-dev file python3 python3-cryptography openssl
    # packaging checks: desktop file and AppStream validators
    desktop-file-utils appstream
    # Qt 6.4 from Debian: Core/Network/Sql/Widgets, Qt 3D and its loaders
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libqt6opengl6-dev qt6-qpa-plugins
    qt6-3d-dev qt6-3d-defaultgeometryloader-plugin qt6-3d-gltfsceneio-plugin qt6-3d-assimpsceneimport-plugin
    # crypto and storage
    libssl-dev libsqlite3-dev
    # live telemetry: Paho MQTT (C and C++), Sparkplug B protobuf (lite runtime), Qt WebSockets,
    # a real mosquitto broker for the demo and the integration tests, python3-protobuf as the
    # independent Sparkplug encoder of the tests; Qt Charts for the trends
    libpaho-mqtt-dev libpaho-mqttpp-dev protobuf-compiler libprotobuf-dev python3-protobuf
    qt6-websockets-dev qt6-charts-dev mosquitto mosquitto-clients
    # rendering without a GPU: Mesa llvmpipe under Xvfb
    xvfb xauth libgl-dev libgl1-mesa-dri libglx-mesa0 libxkbcommon-x11-0 fonts-dejavu-core
    # test data: real glTF/OBJ/STL models, good and deliberately broken
    assimp-testmodels
    # fuzzing (libFuzzer with clang)
    clang libfuzzer-14-dev libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
    sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
