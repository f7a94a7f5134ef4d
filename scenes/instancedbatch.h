// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "scenelayout.h"

#include <QByteArray>
#include <QColor>
#include <QMatrix4x4>

namespace Qt3DCore {
class QBuffer;
class QEntity;
class QGeometry;
} // namespace Qt3DCore
namespace Qt3DRender {
class QGeometryRenderer;
class QMaterial;
} // namespace Qt3DRender

namespace twinspect::scenes {

/// One draw call: many instances of one unit shape in one spatial tile. Per-instance data is an
/// affine model matrix (three rows) and a colour. Changing an instance rewrites bytes in the
/// instance buffer; entities are created once, when the plant is set.
class InstancedBatch
{
public:
    static constexpr int kFloatsPerInstance = 16; ///< 3 matrix rows + RGBA
    static constexpr int kStride = kFloatsPerInstance * static_cast<int>(sizeof(float));

    InstancedBatch(Shape shape, int instanceCount, Qt3DCore::QEntity* parent, Qt3DRender::QMaterial* material);

    void setInstance(int index, const QMatrix4x4& model, const QColor& color);
    void setColor(int index, const QColor& color);
    void setModel(int index, const QMatrix4x4& model);
    /// World bounds for frustum culling (the unit mesh's own bounds would be wrong).
    void setBounds(const QVector3D& lo, const QVector3D& hi);
    /// Uploads what changed since the last call (one upload per batch per frame).
    void flush();

    int instanceCount() const { return m_count; }
    QColor color(int index) const;
    Qt3DCore::QEntity* entity() const { return m_entity; }

private:
    float* slot(int index) { return reinterpret_cast<float*>(m_data.data()) + qsizetype(index) * kFloatsPerInstance; }
    const float* slot(int index) const
    {
        return reinterpret_cast<const float*>(m_data.constData()) + qsizetype(index) * kFloatsPerInstance;
    }
    void markDirty(int index);

    int m_count;
    QByteArray m_data;
    int m_dirtyFirst = -1;
    int m_dirtyLast = -1;
    bool m_uploaded = false;
    Qt3DCore::QEntity* m_entity = nullptr;
    Qt3DCore::QBuffer* m_buffer = nullptr;
    Qt3DRender::QGeometryRenderer* m_renderer = nullptr;
};

/// The instanced-drawing material (GLSL 3.30, the classic OpenGL renderer). Shared by all batches.
Qt3DRender::QMaterial* createInstancedMaterial(Qt3DCore::QEntity* owner);

} // namespace twinspect::scenes
