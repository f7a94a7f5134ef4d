// SPDX-License-Identifier: Apache-2.0
// Fuzz target: any bytes as a plant file. The loader must report, never crash or hang.
#include "plant/plantloader.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    twinspect::PlantLoadOptions options;
    options.probeMeshes = false; // mesh files are fuzzed by fuzz_meshprobe; no file system here
    const twinspect::PlantLoadResult result =
        twinspect::PlantLoader::loadBytes(bytes, QStringLiteral("fuzz.json"), QStringLiteral("/nonexistent"), options);
    // A plant that loads must be internally consistent: every pipe end names a real asset.
    if (result.plant) {
        for (const twinspect::Pipe& pipe : result.plant->pipes) {
            if (!result.plant->asset(pipe.fromAssetId) || !result.plant->asset(pipe.toAssetId))
                __builtin_trap();
        }
    }
    return 0;
}
