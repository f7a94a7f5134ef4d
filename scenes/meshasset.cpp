// SPDX-License-Identifier: Apache-2.0
#include "meshasset.h"

#include "plant/plant.h"

#include <QMatrix4x4>
#include <QUrl>
#include <Qt3DCore/QEntity>
#include <Qt3DCore/QTransform>
#include <Qt3DExtras/QDiffuseSpecularMaterial>
#include <Qt3DRender/QMaterial>
#include <Qt3DRender/QMesh>
#include <Qt3DRender/QSceneLoader>

namespace twinspect::scenes {

MeshAsset::MeshAsset(const MeshInfo& mesh, const QString& sourcePath, const QMatrix4x4& model,
                     Qt3DCore::QEntity* parent)
    : QObject(parent)
    , m_entity(new Qt3DCore::QEntity(parent))
    , m_path(sourcePath)
{
    auto* transform = new Qt3DCore::QTransform(m_entity);
    transform->setMatrix(model);
    m_entity->addComponent(transform);
    m_material = new Qt3DExtras::QDiffuseSpecularMaterial(m_entity);
    m_material->setShininess(30.0f);
    m_material->setSpecular(QColor(40, 40, 40));

    const bool wholeScene = (mesh.format == MeshInfo::Format::Gltf || mesh.format == MeshInfo::Format::Glb) &&
                            mesh.node.isEmpty();
    if (wholeScene) {
        auto* holder = new Qt3DCore::QEntity(m_entity);
        m_loader = new Qt3DRender::QSceneLoader(holder);
        connect(m_loader, &Qt3DRender::QSceneLoader::statusChanged, this,
                [this](Qt3DRender::QSceneLoader::Status status) {
                    if (status == Qt3DRender::QSceneLoader::Ready) {
                        adoptSceneMaterials();
                        m_ready = true;
                        Q_EMIT loaded();
                    } else if (status == Qt3DRender::QSceneLoader::Error) {
                        Q_EMIT failed(QStringLiteral("Qt 3D could not load the scene in '%1'").arg(m_path));
                    }
                });
        holder->addComponent(m_loader);
        m_loader->setSource(QUrl::fromLocalFile(sourcePath));
        return;
    }
    auto* qmesh = new Qt3DRender::QMesh(m_entity);
    connect(qmesh, &Qt3DRender::QMesh::statusChanged, this, [this](Qt3DRender::QMesh::Status status) {
        if (status == Qt3DRender::QMesh::Ready) {
            m_ready = true;
            Q_EMIT loaded();
        } else if (status == Qt3DRender::QMesh::Error) {
            Q_EMIT failed(QStringLiteral("Qt 3D could not load the mesh in '%1'").arg(m_path));
        }
    });
    if (!mesh.node.isEmpty())
        qmesh->setMeshName(mesh.node);
    qmesh->setSource(QUrl::fromLocalFile(sourcePath));
    m_entity->addComponent(qmesh);
    m_entity->addComponent(m_material);
}

MeshAsset::~MeshAsset() = default;

void MeshAsset::setColor(const QColor& color)
{
    m_material->setDiffuse(color);
    m_material->setAmbient(color.darker(250));
}

void MeshAsset::setVisible(bool visible)
{
    m_entity->setEnabled(visible);
}

void MeshAsset::adoptSceneMaterials()
{
    // The importer hangs the scene under the entity that holds the loader; every entity below it
    // that carries a material gets ours instead.
    auto* holder = qobject_cast<Qt3DCore::QEntity*>(m_loader->parent());
    if (!holder)
        return;
    QList<Qt3DCore::QEntity*> entities = holder->findChildren<Qt3DCore::QEntity*>();
    entities.append(holder);
    for (Qt3DCore::QEntity* entity : entities) {
        const auto materials = entity->componentsOfType<Qt3DRender::QMaterial>();
        if (materials.isEmpty())
            continue;
        for (Qt3DRender::QMaterial* material : materials) {
            if (material != m_material)
                entity->removeComponent(material);
        }
        if (!entity->components().contains(m_material))
            entity->addComponent(m_material);
    }
}

} // namespace twinspect::scenes
