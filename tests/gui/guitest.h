// SPDX-License-Identifier: Apache-2.0
// Helpers for tests that look at real rendered pixels.
#pragma once

#include "overlaystyle.h"
#include "twinview.h"

#include <QColor>
#include <QImage>
#include <QPointF>

namespace twinspect::test {

/// The 3D view's clear colour.
inline QColor background()
{
    return scenes::backgroundColor();
}

inline bool isBackground(QRgb pixel)
{
    const QColor c(pixel);
    const QColor b = background();
    return std::abs(c.red() - b.red()) < 6 && std::abs(c.green() - b.green()) < 6 && std::abs(c.blue() - b.blue()) < 6;
}

/// Blue selection highlight, shaded: blue well above red and green.
inline bool looksHighlighted(QRgb pixel)
{
    const QColor c(pixel);
    return c.blue() > 90 && c.blue() > c.red() * 2 && c.blue() > c.green() + 30;
}

/// Neutral grey: the plant's default look.
inline bool looksNeutral(QRgb pixel)
{
    const QColor c(pixel);
    return std::abs(c.red() - c.blue()) < 40 && std::abs(c.red() - c.green()) < 40 && !isBackground(pixel);
}

/// How many pixels in a square around `center` satisfy `predicate`.
template <typename Predicate> int countAround(const QImage& image, QPointF center, int radius, Predicate predicate)
{
    int count = 0;
    for (int y = int(center.y()) - radius; y <= int(center.y()) + radius; ++y) {
        for (int x = int(center.x()) - radius; x <= int(center.x()) + radius; ++x) {
            if (image.rect().contains(x, y) && predicate(image.pixel(x, y)))
                ++count;
        }
    }
    return count;
}

inline bool hasContent(const QImage& image)
{
    if (image.isNull())
        return false;
    for (int y = 0; y < image.height(); y += 5) {
        for (int x = 0; x < image.width(); x += 5) {
            if (!isBackground(image.pixel(x, y)))
                return true;
        }
    }
    return false;
}

} // namespace twinspect::test
