// SPDX-License-Identifier: Apache-2.0
#pragma once
// The look of live state on the twin (ISA-101 high-performance HMI): neutral greys for normal,
// colour only for alarms, by priority; data quality as fading and patterns that no alarm uses.
// The one place these colours are chosen: the 3D view, its legend, the alarm list and the trends
// all take them from here (docs/overlay.md shows them).

#include "alarms/alarm.h"

#include <QColor>

namespace twinspect::scenes {

/// How an asset's surface is marked beyond its colour. Patterns are drawn in screen space, so
/// they read the same at any distance and level of detail.
enum class SurfacePattern : quint8
{
    Solid,
    Hatched,  ///< diagonal dark stripes: a bound tag's data is bad
    Checkered ///< black and white checks: a bound tag's data is untrusted (failed verification)
};

/// Urgent red, high orange, medium yellow, low magenta.
QColor alarmColor(alarms::Priority priority);
/// The 3D view's background; stale assets fade towards it.
QColor backgroundColor();
/// What stale data does to an asset's colour: most of the way to the background.
QColor fadedColor(const QColor& color);

/// The condition of one asset, from its bound tags: what the overlay paints.
struct AssetCondition
{
    bool alarmed = false;        ///< an alarm of a bound tag is active or unacknowledged
    alarms::Priority priority = alarms::Priority::Low; ///< the highest such alarm's
    bool unacknowledged = false; ///< any such alarm awaits acknowledgement: it blinks
    bool stale = false;          ///< a bound tag is overdue (or has never reported)
    bool bad = false;            ///< a bound tag reports bad quality
    bool untrusted = false;      ///< a bound tag failed verification
    friend bool operator==(const AssetCondition&, const AssetCondition&) = default;
};

/// The colour and pattern for an asset of neutral colour `base` in `condition`; `blinkOn` is the
/// blink phase (an unacknowledged alarm shows its colour only while it is on).
struct OverlayLook
{
    QColor color;
    SurfacePattern pattern = SurfacePattern::Solid;
};
OverlayLook overlayLook(const QColor& base, const AssetCondition& condition, bool blinkOn);

} // namespace twinspect::scenes
