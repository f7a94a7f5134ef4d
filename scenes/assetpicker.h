// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "scenelayout.h"

#include <QList>
#include <QMatrix4x4>
#include <QVector3D>

#include <optional>

namespace twinspect::scenes {

struct Ray
{
    QVector3D origin;
    QVector3D direction; ///< unit length
};

struct PickHit
{
    int item = -1;
    float distance = 0.0f;
};

/// CPU ray test against every instance's real shape (box, cylinder, sphere in its own frame).
/// Qt 3D's picker cannot tell instances apart, so instanced batches need this. A world-space
/// box test rejects almost everything before the exact test runs.
class AssetPicker
{
public:
    void setLayout(const SceneLayout& layout);
    /// Nearest item hit by the ray, ignoring items for which `hidden[item]` is true.
    std::optional<PickHit> pick(const Ray& ray, const QList<bool>& hidden = {}) const;
    /// Mesh items use a box until a failed load turns them into placeholders; nothing changes here.
    qsizetype candidateCount() const { return m_candidates.size(); }

private:
    struct Candidate
    {
        QVector3D boundsMin;
        QVector3D boundsMax;
        QMatrix4x4 worldToLocal;
        Shape shape;
        int item;
    };
    QList<Candidate> m_candidates;
};

/// Ray through a window pixel (top-left origin) for a camera.
Ray rayFromWindow(const QPointF& pixel, const QSize& windowSize, const QMatrix4x4& view, const QMatrix4x4& projection);

} // namespace twinspect::scenes
