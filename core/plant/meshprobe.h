// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"
#include "plant/plant.h"

class QByteArray;

namespace twinspect {

/// What the probe learnt from a mesh file: its local bounds, or why it cannot be shown.
struct MeshProbe
{
    QString error; ///< empty when the file looks usable
    Vec3 boundsMin;
    Vec3 boundsMax;
    bool boundsKnown = false;
    bool ok() const { return error.isEmpty(); }
};

/// Reads a mesh file far enough to catch what would make it render wrong or not at all
/// (missing file, missing .bin, out-of-range accessors, node cycles, no geometry) and to learn
/// its bounds for picking and framing. It never trusts the file: every index is range-checked.
MeshProbe probeMeshFile(const QString& absolutePath, MeshInfo::Format format, const QString& node);

/// The same checks on bytes already in memory; `baseDir` resolves external buffers.
MeshProbe probeGltfBytes(const QByteArray& bytes, bool binary, const QString& baseDir, const QString& node);
MeshProbe probeObjBytes(const QByteArray& bytes, const QString& node = {});
MeshProbe probeStlBytes(const QByteArray& bytes);

/// Qt 3D 6.4 cannot read .glb: write the JSON and BIN chunks out as `<stem>.gltf` + `<stem>.bin`
/// in `cacheDir` and return the .gltf path.
Result<QString> unpackGlb(const QString& glbPath, const QString& cacheDir);

/// The format a file name implies, or nullopt for an unsupported extension.
std::optional<MeshInfo::Format> meshFormatForPath(const QString& path);

} // namespace twinspect
