// SPDX-License-Identifier: Apache-2.0
#pragma once
// The look of live state on the twin (ISA-101 high-performance HMI): neutral greys for normal,
// colour only for alarms, by priority; data quality as fading and patterns that no alarm uses.
// The one place these colours are chosen: the 3D view, its legend, the alarm list and the trends
// all take them from here (docs/overlay.md shows them).

#include "alarms/alarm.h"
#include "appearance.h"

#include <QColor>
#include <QString>

namespace twinspect::scenes {

/// Urgent red, high orange, medium yellow, low magenta.
QColor alarmColor(alarms::Priority priority);
/// The dark half of the untrusted checks (the other half is white): no alarm uses black or white.
QColor untrustedColor();
/// The 3D view's background; stale assets fade towards it.
QColor backgroundColor();
/// What stale data does to an asset's colour: most of the way to the background.
QColor fadedColor(const QColor& color);

/// The condition of one asset, from its bound tags: what the overlay paints.
struct AssetCondition
{
    bool alarmed = false;                              ///< an alarm of a bound tag is active or unacknowledged
    alarms::Priority priority = alarms::Priority::Low; ///< the highest such alarm's
    bool unacknowledged = false;                       ///< any such alarm awaits acknowledgement: it blinks
    bool stale = false;                                ///< a bound tag is overdue (or has never reported)
    bool bad = false;                                  ///< a bound tag reports bad quality
    bool untrusted = false;                            ///< a bound tag failed verification
    QString alarmTag; ///< the tag whose alarm gives the priority (labels show its value)
    friend bool operator==(const AssetCondition&, const AssetCondition&) = default;
};

/// The look of an asset of neutral colour `base` in `condition`; `blinkOn` is the
/// blink phase (an unacknowledged alarm shows its colour only while it is on).
/// Untrusted data shows as checks of white and near-black (or of the alarm colour when an alarm of
/// another tag is up, so the alarm stays visible); bad data as dark stripes over the colour.
AssetAppearance overlayLook(const QColor& base, const AssetCondition& condition, bool blinkOn);

} // namespace twinspect::scenes
