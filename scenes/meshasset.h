// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>
#include <QObject>
#include <QString>

class QMatrix4x4;
namespace Qt3DCore {
class QEntity;
}
namespace Qt3DExtras {
class QDiffuseSpecularMaterial;
}
namespace Qt3DRender {
class QSceneLoader;
}
namespace twinspect {
struct MeshInfo;
}

namespace twinspect::scenes {

/// One asset drawn from a mesh file. glTF scenes go through QSceneLoader (all their meshes);
/// a named glTF mesh, OBJ and STL through QMesh. Every loaded material is replaced by one
/// colour material per asset, so appearance changes are a property write, never new entities.
class MeshAsset : public QObject
{
    Q_OBJECT
public:
    MeshAsset(const MeshInfo& mesh, const QString& sourcePath, const QMatrix4x4& model, Qt3DCore::QEntity* parent);
    ~MeshAsset() override;

    void setColor(const QColor& color);
    void setVisible(bool visible);
    bool isReady() const { return m_ready; }

Q_SIGNALS:
    void loaded();
    void failed(const QString& message);

private:
    void adoptSceneMaterials();

    Qt3DCore::QEntity* m_entity = nullptr;
    Qt3DRender::QSceneLoader* m_loader = nullptr;
    Qt3DExtras::QDiffuseSpecularMaterial* m_material = nullptr;
    QString m_path;
    bool m_ready = false;
};

} // namespace twinspect::scenes
