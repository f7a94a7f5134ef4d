// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "appearance.h"
#include "scenelayout.h"

#include <QByteArray>
#include <QColor>
#include <QList>
#include <QMatrix4x4>
#include <QVector3D>

namespace Qt3DCore {
class QBuffer;
class QEntity;
} // namespace Qt3DCore
namespace Qt3DRender {
class QGeometryRenderer;
class QMaterial;
} // namespace Qt3DRender

namespace twinspect::scenes {

/// The two materials every tile draws with (created once per view).
struct TileMaterials
{
    Qt3DRender::QMaterial* shaded = nullptr; ///< lit triangles
    Qt3DRender::QMaterial* points = nullptr; ///< one screen-sized point per instance
};

TileMaterials createTileMaterials(Qt3DCore::QEntity* owner);

/// The instances of one square patch of the plant, drawn with GPU instancing at one of three
/// levels of detail. All levels read one instance buffer (model matrix rows + colour), so a
/// colour change is one write whatever the level, and switching level only enables or disables
/// entities created up front: nothing is created or destroyed after construction.
///
///  - Detailed: each shape with its own mesh (one draw per shape present).
///  - Coarse:   every instance as a box of its extents (one draw).
///  - Points:   every instance as a point sized to its projected extent (one draw); not used
///              for pipes, which would shrink to dots.
class InstancedTile
{
public:
    enum class Level
    {
        Detailed,
        Coarse,
        Points
    };
    static constexpr int kFloatsPerInstance = 16; ///< 3 matrix rows + RGB + pattern
    static constexpr int kStride = kFloatsPerInstance * static_cast<int>(sizeof(float));

    /// `shapes` lists each instance's shape, already sorted by shape.
    InstancedTile(const QList<Shape>& shapes, bool allowPoints, Qt3DCore::QEntity* parent,
                  const TileMaterials& materials);

    void setModel(int index, const QMatrix4x4& model);
    void setColor(int index, const QColor& color);
    QColor color(int index) const;
    /// The surface pattern travels in the colour's fourth component (the shader has no use for alpha).
    void setPattern(int index, SurfacePattern pattern);
    SurfacePattern pattern(int index) const;
    /// World bounds for frustum culling (the unit mesh's own bounds would be wrong).
    void setBounds(const QVector3D& lo, const QVector3D& hi);
    /// A representative instance size in metres, for choosing the level.
    void setTypicalSize(float metres) { m_typicalSize = metres; }

    /// Picks the level from how many pixels a typical instance covers at the tile's nearest point.
    void chooseLevel(const QVector3D& eye, float pixelsPerMetreAtUnitDistance);
    void setLevel(Level level);
    Level level() const { return m_level; }
    /// Outside the camera's view: nothing of the tile is drawn. Qt 3D's own frustum culling cannot
    /// be used: it bounds an instanced draw by its unit mesh at the origin, not by the instances.
    void setCulled(bool culled);
    bool isCulled() const { return m_culled; }
    /// Whether the tile's world bounds can be seen through `viewProjection`.
    bool intersectsFrustum(const QMatrix4x4& viewProjection) const;

    /// Uploads what changed since the last call (one upload per tile per frame).
    void flush();

    int instanceCount() const { return m_count; }
    /// Entities currently drawing (enabled), and all entities this tile made.
    int enabledEntityCount() const;
    int entityCount() const { return static_cast<int>(m_detailed.size()) + 1 + (m_points ? 1 : 0); }

private:
    float* slot(int index) { return reinterpret_cast<float*>(m_data.data()) + qsizetype(index) * kFloatsPerInstance; }
    const float* slot(int index) const
    {
        return reinterpret_cast<const float*>(m_data.constData()) + qsizetype(index) * kFloatsPerInstance;
    }
    void markDirty(int index);
    void applyLevel();

    int m_count;
    QByteArray m_data;
    int m_dirtyFirst = -1;
    int m_dirtyLast = -1;
    bool m_uploaded = false;
    Level m_level = Level::Detailed;
    bool m_culled = false;
    float m_typicalSize = 1.0f;
    QVector3D m_boundsMin;
    QVector3D m_boundsMax;
    Qt3DCore::QBuffer* m_buffer = nullptr;
    QList<Qt3DCore::QEntity*> m_detailed;
    Qt3DCore::QEntity* m_coarse = nullptr;
    Qt3DCore::QEntity* m_points = nullptr;
    QList<Qt3DRender::QGeometryRenderer*> m_renderers;
};

} // namespace twinspect::scenes
