// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to core/plant: the GLB container, shared by the glTF probe and the GLB unpacker.

#include "common/result.h"

#include <QByteArray>

namespace twinspect::glb {

constexpr qint64 kMaxMeshFileBytes = qint64(512) * 1024 * 1024;

struct Chunks
{
    QByteArray json;
    QByteArray bin;
    bool hasBin = false;
};

/// Splits a GLB file into its JSON and BIN chunks, checking every length against the file.
Result<Chunks> split(const QByteArray& bytes);

quint32 readLe32(const char* p);

} // namespace twinspect::glb
