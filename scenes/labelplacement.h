// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QRectF>

namespace twinspect::scenes {

/// Chooses which labels to draw so that none overlaps another: candidates come most important
/// first (the selection, then alarms by priority, then the rest nearest first) and each is kept
/// only if it does not touch one already kept, up to `maxLabels`. With thousands of assets in view
/// the screen shows a readable scatter of labels instead of a smear. Returns the kept indexes.
///
/// Linear in the candidates: kept rectangles are bucketed in a coarse screen grid, so each
/// candidate is tested only against its neighbours.
QList<int> placeLabels(const QList<QRectF>& candidates, int maxLabels, qreal margin = 2.0);

} // namespace twinspect::scenes
