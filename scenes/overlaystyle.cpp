// SPDX-License-Identifier: Apache-2.0
#include "overlaystyle.h"

namespace twinspect::scenes {

QColor alarmColor(alarms::Priority priority)
{
    switch (priority) {
    case alarms::Priority::Urgent:
        return QColor(0xe5, 0x1c, 0x23);
    case alarms::Priority::High:
        return QColor(0xff, 0x7f, 0x00);
    case alarms::Priority::Medium:
        return QColor(0xf5, 0xd3, 0x1a);
    case alarms::Priority::Low:
        break;
    }
    return QColor(0xd8, 0x3c, 0xd8);
}

QColor untrustedColor()
{
    return QColor(0x14, 0x14, 0x14);
}

QColor backgroundColor()
{
    return QColor(0x2a, 0x2e, 0x33);
}

QColor fadedColor(const QColor& color)
{
    // 60 % of the way to the background: still recognisable as the asset, plainly not live.
    const QColor bg = backgroundColor();
    const auto mix = [](int a, int b) { return (a * 2 + b * 3) / 5; };
    return QColor(mix(color.red(), bg.red()), mix(color.green(), bg.green()), mix(color.blue(), bg.blue()));
}

AssetAppearance overlayLook(const QColor& base, const AssetCondition& condition, bool blinkOn)
{
    AssetAppearance look{base, true, SurfacePattern::Solid};
    const bool showAlarm = condition.alarmed && (!condition.unacknowledged || blinkOn);
    if (showAlarm)
        look.color = alarmColor(condition.priority);
    else if (condition.stale && !condition.alarmed)
        look.color = fadedColor(base); // an alarm colour is never faded: it must stay loud
    if (condition.untrusted) {
        look.pattern = SurfacePattern::Checkered;
        if (!showAlarm)
            look.color = untrustedColor();
    } else if (condition.bad) {
        look.pattern = SurfacePattern::Hatched;
    }
    return look;
}

} // namespace twinspect::scenes
