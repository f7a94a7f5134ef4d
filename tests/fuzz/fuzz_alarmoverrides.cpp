// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the alarm overrides file (alarms.json in the data folder; docs/alarm-overrides.md).
// Anything it accepts must be written back to something it accepts again, with the same alarms,
// and must be a configuration the alarm engine takes.
#include "alarms/alarmengine.h"
#include "alarms/alarmjson.h"
#include "alarms/alarmoverrides.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>

using namespace twinspect::alarms;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const auto parsed = parseAlarmOverrides(bytes, QStringLiteral("alarms.json"));
    if (!parsed.ok())
        return 0;
    const auto again = parseAlarmOverrides(serializeAlarmOverrides(parsed.value()), QStringLiteral("alarms.json"));
    if (!again.ok())
        __builtin_trap();
    for (auto site = parsed.value().sites.cbegin(); site != parsed.value().sites.cend(); ++site) {
        QList<AlarmConfig> configs;
        for (auto tag = site->cbegin(); tag != site->cend(); ++tag) {
            const AlarmOverride* copy = again.value().find(site.key(), tag.key());
            if (!copy || !sameAlarms(copy->config, tag->config))
                __builtin_trap();
            configs.append(tag->config);
        }
        AlarmEngine engine([] { return qint64(0); });
        if (!engine.configure(configs).ok())
            __builtin_trap();
    }
    return 0;
}
