// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "alarms/alarm.h"
#include "common/result.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace twinspect {
struct Plant;
}

namespace twinspect::alarms {

/// One tag's alarms as an admin set them, in place of the plant file's (docs/alarm-overrides.md).
struct AlarmOverride
{
    AlarmConfig config; ///< tag set; unit empty (it is the plant binding's)
    int line = 0;       ///< where the tag's object stands in the file, for messages
    int column = 0;
};

/// The alarm overrides file (alarms.json in the data folder): per plant site id, per tag, the full
/// alarm object in the plant file's syntax. An override replaces the plant file's alarms of that tag.
struct AlarmOverrides
{
    QString fileName;                                  ///< as given, for messages
    QMap<QString, QMap<QString, AlarmOverride>> sites; ///< site id -> tag id -> override
    /// "alarms.json:7:9: warning: $.sites["S"]["T"].hi.colour: unknown field ..." (the file loads).
    QStringList warnings;

    const AlarmOverride* find(const QString& siteId, const QString& tag) const;
};

/// Reads alarms.json. Errors (the first one) and warnings name file, line, column and JSON path;
/// a missing file is no overrides.
Result<AlarmOverrides> loadAlarmOverrides(const QString& path);
Result<AlarmOverrides> parseAlarmOverrides(const QByteArray& text, const QString& fileName);
QByteArray serializeAlarmOverrides(const AlarmOverrides& overrides);
/// Writes atomically: a half-written file would lose every override.
Result<bool> saveAlarmOverrides(const QString& path, const AlarmOverrides& overrides);

/// Sets (config) or removes (nullopt) one tag's override in the file at path and saves it. The file
/// is read afresh so that what others wrote meanwhile is kept, and an unreadable file is refused,
/// never overwritten.
Result<bool> storeAlarmOverride(const QString& path, const QString& siteId, const QString& tag,
                                const std::optional<AlarmConfig>& config);

/// The plant's alarm configs with the overrides of its site applied, in plant order (a tag that
/// gets alarms only from an override comes where it is first bound).
struct AppliedAlarms
{
    QList<AlarmConfig> configs;
    QStringList overriddenTags;
    /// Overrides that were not applied, with where they stand: a tag not bound in the plant, an
    /// unusable config.
    QStringList problems;
};
AppliedAlarms applyAlarmOverrides(const Plant& plant, const AlarmOverrides& overrides);

} // namespace twinspect::alarms
