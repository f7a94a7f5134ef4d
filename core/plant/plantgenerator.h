// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

namespace twinspect {

struct PlantGeneratorOptions
{
    int assetCount = 1000;
    quint32 seed = 1;
    int assetsPerUnit = 50;
    int unitsPerArea = 10;
    /// Fraction of assets that get a pipe to their neighbour in the unit (0 disables pipes).
    double pipeFraction = 0.2;
    double spacing = 4.0; ///< metres between asset centres on the grid
};

/// Writes a synthetic plant file (docs/plant-format.md) for benchmarks and tests: a grid of
/// pumps, tanks, valves and sensors in areas and units, each with tag bindings. Deterministic
/// for a given seed.
QByteArray generatePlantJson(const PlantGeneratorOptions& options);

} // namespace twinspect
