// SPDX-License-Identifier: Apache-2.0
// Fuzz target: mesh files. The first byte picks the format (glTF, GLB, OBJ, STL); the rest is
// the file. External buffers resolve against a folder that does not exist.
#include "plant/meshprobe.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray bytes(reinterpret_cast<const char*>(data) + 1, static_cast<qsizetype>(size - 1));
    const QString nowhere = QStringLiteral("/nonexistent");
    switch (data[0] % 4) {
    case 0:
        twinspect::probeGltfBytes(bytes, false, nowhere, QStringLiteral("node"));
        break;
    case 1:
        twinspect::probeGltfBytes(bytes, true, nowhere, QString());
        break;
    case 2:
        twinspect::probeObjBytes(bytes, QStringLiteral("cube"));
        break;
    default:
        twinspect::probeStlBytes(bytes);
        break;
    }
    return 0;
}
