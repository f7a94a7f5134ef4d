// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "alarms/alarm.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace twinspect::json {
struct Value;
}

namespace twinspect::alarms {

/// One finding while reading an alarm object, located so that the caller can name file and line.
struct AlarmJsonIssue
{
    bool isError = true; ///< false: a warning (an unknown field, a limit outside the tag's range)
    int line = 0;
    int column = 0;
    QString path; ///< relative to the alarm object: "" for the object itself, ".hi.limit", ".states[1]"
    QString message;
};

struct AlarmJsonResult
{
    std::optional<AlarmConfig> config; ///< empty when any issue is an error
    QList<AlarmJsonIssue> issues;
};

/// Reads one tag's alarm object in the plant file's syntax (docs/plant-format.md, "Alarms"): the
/// plant loader and the alarm overrides file share it, so both accept and refuse the same things
/// with the same words. tag and unit go into the config; the range only decides a warning.
AlarmJsonResult readAlarmConfig(const json::Value& object, const QString& tag, const QString& unit,
                                std::optional<double> rangeMin = std::nullopt,
                                std::optional<double> rangeMax = std::nullopt);

/// The config as an alarm object that readAlarmConfig reads back to an equal config (tag and unit
/// are not part of it). Delays and the deadband are always written, so a record shows them.
QJsonObject alarmConfigToJson(const AlarmConfig& config);

/// Whether two configs make the same alarms (tag and unit not compared).
bool sameAlarms(const AlarmConfig& a, const AlarmConfig& b);

} // namespace twinspect::alarms
