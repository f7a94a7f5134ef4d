// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>

namespace twinspect::scenes {

/// How an asset's surface is marked beyond its colour. Patterns are drawn in screen space, so
/// they read the same at any distance and level of detail (scenes/overlaystyle.h says which
/// condition uses which).
enum class SurfacePattern : quint8
{
    Solid,
    Hatched,  ///< diagonal dark stripes over the colour
    Checkered ///< checks of the colour and white
};

/// How an item looks, set by whoever owns its state (the defaults, or the telemetry overlay).
/// The selection highlight replaces the colour (not the pattern) and does not change what is stored.
struct AssetAppearance
{
    QColor color;
    bool visible = true;
    SurfacePattern pattern = SurfacePattern::Solid;
    friend bool operator==(const AssetAppearance&, const AssetAppearance&) = default;
};

} // namespace twinspect::scenes
