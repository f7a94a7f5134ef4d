// SPDX-License-Identifier: Apache-2.0
#include "labelplacement.h"

#include <QHash>

#include <cmath>

namespace twinspect::scenes {

QList<int> placeLabels(const QList<QRectF>& candidates, int maxLabels, qreal margin)
{
    constexpr qreal kCell = 128.0; // pixels; larger than a typical label, so a label spans few cells
    QList<int> kept;
    QList<QRectF> keptRects;
    QHash<qint64, QList<int>> grid; // cell -> kept labels touching it
    const auto cellKey = [](qint64 x, qint64 y) { return (x << 32) ^ (y & 0xffffffff); };
    for (qsizetype i = 0; i < candidates.size() && kept.size() < maxLabels; ++i) {
        const QRectF rect = candidates.at(i).adjusted(-margin, -margin, margin, margin);
        if (!rect.isValid())
            continue;
        const qint64 x0 = static_cast<qint64>(std::floor(rect.left() / kCell));
        const qint64 x1 = static_cast<qint64>(std::floor(rect.right() / kCell));
        const qint64 y0 = static_cast<qint64>(std::floor(rect.top() / kCell));
        const qint64 y1 = static_cast<qint64>(std::floor(rect.bottom() / kCell));
        bool overlaps = false;
        for (qint64 y = y0; y <= y1 && !overlaps; ++y) {
            for (qint64 x = x0; x <= x1 && !overlaps; ++x) {
                for (const int other : grid.value(cellKey(x, y))) {
                    if (keptRects.at(other).intersects(rect)) {
                        overlaps = true;
                        break;
                    }
                }
            }
        }
        if (overlaps)
            continue;
        const int index = static_cast<int>(keptRects.size());
        keptRects.append(rect);
        kept.append(static_cast<int>(i));
        for (qint64 y = y0; y <= y1; ++y) {
            for (qint64 x = x0; x <= x1; ++x)
                grid[cellKey(x, y)].append(index);
        }
    }
    return kept;
}

} // namespace twinspect::scenes
