// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "plant/plant.h"

#include <QList>
#include <QString>

#include <optional>

class QByteArray;

namespace twinspect {

/// One finding of the loader, located in the file so that a person can go and fix it.
struct PlantDiagnostic
{
    enum class Severity {
        Warning,    ///< the plant loads; something was ignored (an unknown field)
        AssetError, ///< the plant loads; one asset is shown as a placeholder (broken mesh)
        Error       ///< the plant does not load
    };
    Severity severity = Severity::Error;
    QString file;
    int line = 0;
    int column = 0;
    QString jsonPath; ///< e.g. $.site.areas[0].units[2].assets[5].transform.position[1]
    QString message;
    QString assetId; ///< set for asset-level findings

    /// "plant.json:12:7: error: $.site...: message" — the compiler convention editors understand.
    QString toString() const;
};

struct PlantLoadResult
{
    std::optional<Plant> plant; ///< empty when any Error was found
    QList<PlantDiagnostic> diagnostics;

    bool ok() const { return plant.has_value(); }
    int count(PlantDiagnostic::Severity severity) const;
    /// All diagnostics, one per line.
    QString report() const;
};

struct PlantLoadOptions
{
    /// Read mesh files to check them and learn their bounds. Off only for tests of the JSON layer.
    bool probeMeshes = true;
    /// Stop listing errors after this many (the rest are counted).
    int maxErrors = 50;
};

/// Reads plant files (docs/plant-format.md). Pure function of its input: safe on any thread.
class PlantLoader
{
public:
    static PlantLoadResult loadFile(const QString& path, const PlantLoadOptions& options = {});
    /// `fileName` is used in messages; relative mesh paths resolve against `baseDir`.
    static PlantLoadResult loadBytes(const QByteArray& bytes, const QString& fileName, const QString& baseDir,
                                     const PlantLoadOptions& options = {});
};

} // namespace twinspect
