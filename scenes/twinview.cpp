// SPDX-License-Identifier: Apache-2.0
#include "twinview.h"

#include "assetpicker.h"
#include "instancedtile.h"
#include "meshasset.h"
#include "orbitcamera.h"
#include "overlaystyle.h"
#include "plant/meshprobe.h"
#include "plant/plant.h"
#include "scenelayout.h"
#include "twinview_p.h"

#include <QDir>
#include <QHash>
#include <QImage>
#include <QKeyEvent>
#include <QLoggingCategory>
#include <QMouseEvent>
#include <QPixmap>
#include <QPointer>
#include <QScreen>
#include <QStandardPaths>
#include <Qt3DCore/QEntity>
#include <Qt3DCore/QTransform>
#include <Qt3DExtras/QCuboidMesh>
#include <Qt3DExtras/QCylinderMesh>
#include <Qt3DExtras/QForwardRenderer>
#include <Qt3DExtras/QPhongMaterial>
#include <Qt3DExtras/QSphereMesh>
#include <Qt3DExtras/Qt3DWindow>
#include <Qt3DLogic/QFrameAction>
#include <Qt3DRender/QCamera>
#include <Qt3DRender/QRenderSettings>
#include <QTimer>
#include <QtMath>
#include <QWheelEvent>

#include <cmath>
#include <map>
#include <vector>

Q_LOGGING_CATEGORY(lcScenes, "twinspect.scenes")

namespace twinspect::scenes {

TwinView::TwinView(QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    // The classic OpenGL renderer used 3-6x less memory than RHI on llvmpipe and draws our
    // GLSL 3.30 technique (../shared/notes/qt3d-llvmpipe.md). It must be chosen before the window.
    if (qEnvironmentVariableIsEmpty("QT3D_RENDERER"))
        qputenv("QT3D_RENDERER", "opengl");

    d->window = new Qt3DExtras::Qt3DWindow();
    d->windowGuard = d->window;
    d->window->setTitle(QStringLiteral("Twinspect 3D view"));
    d->window->defaultFrameGraph()->setClearColor(backgroundColor());
    // Tiles are culled by TwinView itself (InstancedTile::setCulled): Qt 3D would cull an instanced
    // draw by its unit mesh at the origin and drop tiles that are in plain view.
    d->window->defaultFrameGraph()->setFrustumCullingEnabled(false);
    d->window->renderSettings()->setRenderPolicy(Qt3DRender::QRenderSettings::OnDemand);
    d->window->installEventFilter(this);

    d->root = new Qt3DCore::QEntity();
    d->materials = createTileMaterials(d->root);
    auto* frameAction = new Qt3DLogic::QFrameAction(d->root);
    connect(frameAction, &Qt3DLogic::QFrameAction::triggered, this, &TwinView::frameTicked);
    d->root->addComponent(frameAction);

    Qt3DRender::QCamera* camera = d->window->camera();
    camera->lens()->setPerspectiveProjection(45.0f, 16.0f / 9.0f, 0.1f, 1000.0f);
    d->camera = new OrbitCamera(camera, this);
    connect(d->camera, &OrbitCamera::changed, this, [this] {
        d->updateLevels();
        Q_EMIT cameraChanged();
    });
    d->window->setRootEntity(d->root);

    d->flushTimer.setSingleShot(true);
    d->flushTimer.setInterval(0); // coalesce every change made in one event-loop pass into one upload
    connect(&d->flushTimer, &QTimer::timeout, this, [this] { d->flush(); });
}

TwinView::~TwinView()
{
    delete d->windowGuard.data(); // unless a window container already owns and deleted it
}

QWindow* TwinView::window() const
{
    return d->window;
}

void TwinView::setBuildMode(BuildMode mode)
{
    d->mode = mode;
}

void TwinView::setCacheDirectory(const QString& path)
{
    d->cacheDirectory = path;
}

std::shared_ptr<const Plant> TwinView::plant() const
{
    return d->plant;
}

void TwinView::setPlant(std::shared_ptr<const Plant> plant)
{
    delete d->sceneRoot;
    d->sceneRoot = nullptr;
    d->tiles.clear();
    d->naiveMaterials.clear();
    d->meshes.clear();
    d->slots.clear();
    d->instancesOfItem.clear();
    d->appearances.clear();
    d->hidden.clear();
    d->fitPoints.clear();
    d->itemById.clear();
    d->selected = -1;
    d->entitiesCreated = 0;
    d->plant = std::move(plant);
    d->layout = d->plant ? buildSceneLayout(*d->plant) : SceneLayout{};
    d->picker.setLayout(d->layout);

    d->sceneRoot = new Qt3DCore::QEntity(d->root);
    ++d->entitiesCreated;
    const SceneLayout& layout = d->layout;
    const qsizetype itemCount = layout.items.size();
    d->slots.resize(itemCount);
    d->instancesOfItem.resize(itemCount);
    d->hidden.fill(false, itemCount);
    d->appearances.reserve(itemCount);
    d->itemById.reserve(itemCount);
    for (qsizetype i = 0; i < itemCount; ++i) {
        const SceneItem& item = layout.items.at(i);
        d->itemById.insert(item.id, static_cast<int>(i));
        d->appearances.append(AssetAppearance{item.isPlaceholder ? placeholderColor() : item.baseColor, true, {}});
    }

    if (d->mode == BuildMode::Naive) {
        d->naiveMaterials.reserve(static_cast<size_t>(layout.instances.size()));
        for (qsizetype i = 0; i < layout.instances.size(); ++i) {
            const InstanceSpec& spec = layout.instances.at(i);
            auto* entity = new Qt3DCore::QEntity(d->sceneRoot);
            Qt3DRender::QGeometryRenderer* mesh = nullptr;
            if (spec.shape == Shape::Cylinder) {
                auto* cylinder = new Qt3DExtras::QCylinderMesh(entity);
                cylinder->setRadius(0.5f);
                cylinder->setLength(1.0f);
                cylinder->setRings(2);
                cylinder->setSlices(12);
                mesh = cylinder;
            } else if (spec.shape == Shape::Sphere) {
                auto* sphere = new Qt3DExtras::QSphereMesh(entity);
                sphere->setRadius(0.5f);
                sphere->setRings(8);
                sphere->setSlices(12);
                mesh = sphere;
            } else {
                mesh = new Qt3DExtras::QCuboidMesh(entity);
            }
            auto* transform = new Qt3DCore::QTransform(entity);
            transform->setMatrix(spec.model);
            auto* material = new Qt3DExtras::QPhongMaterial(entity);
            entity->addComponent(mesh);
            entity->addComponent(transform);
            entity->addComponent(material);
            ++d->entitiesCreated;
            d->slots[spec.item].append(Slot{-1, static_cast<int>(d->naiveMaterials.size())});
            d->instancesOfItem[spec.item].append(static_cast<int>(i));
            d->naiveMaterials.push_back(material);
        }
    } else {
        // Group instances by square tiles of the ground plane (pipes apart: they never become
        // points), so frustum culling and level of detail work on whole tiles.
        const qsizetype total = layout.instances.size();
        const int tilesPerSide = std::max(1, static_cast<int>(std::ceil(std::sqrt(double(total) / kInstancesPerTile))));
        const QVector3D lo = layout.boundsMin;
        const QVector3D span = layout.boundsMax - layout.boundsMin;
        const auto tileOf = [&](const QVector3D& p) {
            const auto axis = [&](float v, float origin, float extent) {
                const int t = extent > 0 ? static_cast<int>((v - origin) / extent * tilesPerSide) : 0;
                return std::clamp(t, 0, tilesPerSide - 1);
            };
            return axis(p.x(), lo.x(), span.x()) * tilesPerSide + axis(p.z(), lo.z(), span.z());
        };
        std::map<std::pair<int, bool>, std::vector<int>> groups; // (tile, is pipe) -> instances
        for (qsizetype i = 0; i < total; ++i) {
            const InstanceSpec& spec = layout.instances.at(i);
            groups[{tileOf(translationOf(spec.model)), layout.items.at(spec.item).isPipe}].push_back(
                static_cast<int>(i));
        }
        for (auto& [key, members] : groups) {
            std::stable_sort(members.begin(), members.end(),
                             [&](int a, int b) { return layout.instances.at(a).shape < layout.instances.at(b).shape; });
            QList<Shape> shapes;
            shapes.reserve(static_cast<qsizetype>(members.size()));
            std::vector<float> sizes;
            sizes.reserve(members.size());
            constexpr float inf = std::numeric_limits<float>::infinity();
            QVector3D bmin(inf, inf, inf);
            QVector3D bmax = -bmin;
            const int tileIndex = static_cast<int>(d->tiles.size());
            for (size_t k = 0; k < members.size(); ++k) {
                const InstanceSpec& spec = layout.instances.at(members[k]);
                shapes.append(spec.shape);
                d->slots[spec.item].append(Slot{tileIndex, static_cast<int>(k)});
                d->instancesOfItem[spec.item].append(members[k]);
                sizes.push_back(
                    std::max({spec.model.column(0).toVector3D().length(), spec.model.column(1).toVector3D().length(),
                              spec.model.column(2).toVector3D().length()}));
                for (int corner = 0; corner < 8; ++corner) {
                    const QVector3D p = spec.model.map(QVector3D(
                        (corner & 1) ? 0.5f : -0.5f, (corner & 2) ? 0.5f : -0.5f, (corner & 4) ? 0.5f : -0.5f));
                    bmin = QVector3D(std::min(bmin.x(), p.x()), std::min(bmin.y(), p.y()), std::min(bmin.z(), p.z()));
                    bmax = QVector3D(std::max(bmax.x(), p.x()), std::max(bmax.y(), p.y()), std::max(bmax.z(), p.z()));
                }
            }
            auto tile = std::make_unique<InstancedTile>(shapes, !key.second, d->sceneRoot, d->materials);
            d->entitiesCreated += tile->entityCount();
            tile->setBounds(bmin, bmax);
            std::nth_element(sizes.begin(), sizes.begin() + static_cast<long>(sizes.size() / 2), sizes.end());
            tile->setTypicalSize(sizes[sizes.size() / 2]);
            d->tiles.push_back(std::move(tile));
        }
    }

    // Mesh assets load asynchronously; a failure turns the asset into a placeholder in place.
    const QString cacheRoot = d->cacheDirectory.isEmpty()
                                  ? QStandardPaths::writableLocation(QStandardPaths::CacheLocation)
                                  : d->cacheDirectory;
    const QString cacheDir = QDir(cacheRoot).filePath(QStringLiteral("meshes"));
    for (qsizetype i = 0; i < itemCount; ++i) {
        const SceneItem& item = layout.items.at(i);
        if (!item.isMesh)
            continue;
        const MeshInfo& info = d->plant->assets.at(item.assetIndex).geometry.mesh;
        QString source = info.absolutePath;
        if (info.format == MeshInfo::Format::Glb) {
            const Result<QString> unpacked = unpackGlb(info.absolutePath, cacheDir);
            if (!unpacked) {
                d->layout.items[i].isPlaceholder = true;
                d->appearances[i].color = placeholderColor();
                QTimer::singleShot(0, this, [this, id = item.id, message = unpacked.error().message] {
                    Q_EMIT meshFailed(id, message);
                });
                continue;
            }
            source = unpacked.value();
        }
        auto* mesh = new MeshAsset(info, source, item.meshModel, d->sceneRoot);
        ++d->entitiesCreated;
        d->meshes.insert(static_cast<int>(i), mesh);
        const int itemIndex = static_cast<int>(i);
        connect(mesh, &MeshAsset::failed, this, [this, itemIndex](const QString& message) {
            if (itemIndex >= d->layout.items.size())
                return;
            SceneItem& failedItem = d->layout.items[itemIndex];
            qCWarning(lcScenes) << "mesh failed for" << failedItem.id << ":" << message;
            failedItem.isPlaceholder = true;
            if (d->appearances[itemIndex].color == failedItem.baseColor)
                d->appearances[itemIndex].color = placeholderColor();
            d->refresh(itemIndex);
            Q_EMIT meshFailed(failedItem.id, message);
        });
    }

    for (qsizetype i = 0; i < itemCount; ++i)
        d->refresh(static_cast<int>(i));
    d->flush();
    d->camera->setSceneRadius((layout.boundsMax - layout.boundsMin).length() / 2);
    fitAll(false);
    d->autoFit = true;
    d->updateLevels();
}

QString TwinView::selectedItem() const
{
    return d->selected >= 0 ? d->layout.items.at(d->selected).id : QString();
}

void TwinView::setSelectedItem(const QString& id)
{
    const int item = d->itemById.value(id, -1);
    if (item == d->selected)
        return;
    const int previous = d->selected;
    d->selected = item;
    d->refresh(previous);
    d->refresh(item);
}

void TwinView::setAssetAppearance(const QString& id, const AssetAppearance& appearance)
{
    const int item = d->itemById.value(id, -1);
    if (item < 0 || d->appearances.at(item) == appearance)
        return;
    d->appearances[item] = appearance;
    d->refresh(item);
}

QColor TwinView::neutralColor(const QString& id) const
{
    const int item = d->itemById.value(id, -1);
    if (item < 0)
        return {};
    const SceneItem& s = d->layout.items.at(item);
    return s.isPlaceholder ? placeholderColor() : s.baseColor;
}

void TwinView::resetAssetAppearance(const QString& id)
{
    if (d->itemById.contains(id))
        setAssetAppearance(id, AssetAppearance{neutralColor(id), true, {}});
}

AssetAppearance TwinView::assetAppearance(const QString& id) const
{
    const int item = d->itemById.value(id, -1);
    return item < 0 ? AssetAppearance{} : d->appearances.at(item);
}

QColor TwinView::drawnColor(const QString& id) const
{
    const int item = d->itemById.value(id, -1);
    if (item < 0)
        return {};
    if (d->mode == BuildMode::Naive || d->slots.at(item).isEmpty())
        return d->drawnColor(item);
    // Read back what is in the instance buffer, so tests see what the GPU is given.
    const Slot& slot = d->slots.at(item).first();
    return d->tiles.at(static_cast<size_t>(slot.tile))->color(slot.index);
}

SurfacePattern TwinView::drawnPattern(const QString& id) const
{
    const int item = d->itemById.value(id, -1);
    if (item < 0)
        return SurfacePattern::Solid;
    if (d->mode == BuildMode::Naive || d->slots.at(item).isEmpty())
        return d->appearances.at(item).pattern;
    const Slot& slot = d->slots.at(item).first();
    return d->tiles.at(static_cast<size_t>(slot.tile))->pattern(slot.index);
}

QColor TwinView::highlightColor()
{
    // Blue: far from the greys and from every alarm colour (red, orange, yellow, magenta).
    return QColor(0x40, 0x90, 0xff);
}

void TwinView::fitAll(bool animated)
{
    d->autoFit = false;
    const QVector3D center = (d->layout.boundsMin + d->layout.boundsMax) / 2;
    const QSize size = d->window->size();
    const float aspect = size.height() > 0 ? float(size.width()) / float(size.height()) : 16.0f / 9.0f;
    if (d->fitPoints.isEmpty()) {
        // Corners of every item's bounds: a plant laid out diagonally does not fill its box.
        d->fitPoints.reserve(d->layout.items.size() * 8);
        for (const SceneItem& item : d->layout.items) {
            for (int corner = 0; corner < 8; ++corner)
                d->fitPoints.append(QVector3D((corner & 1) ? item.boundsMax.x() : item.boundsMin.x(),
                                              (corner & 2) ? item.boundsMax.y() : item.boundsMin.y(),
                                              (corner & 4) ? item.boundsMax.z() : item.boundsMin.z()));
        }
    }
    const float distance = d->fitPoints.isEmpty()
                               ? d->camera->distanceToFit(d->layout.boundsMin, d->layout.boundsMax, aspect)
                               : d->camera->distanceToFit(center, d->fitPoints, aspect);
    d->camera->lookAt(center, distance, animated);
}

void TwinView::flyTo(const QString& id, bool animated)
{
    const int item = d->itemById.value(id, -1);
    if (item < 0)
        return;
    d->autoFit = false;
    const SceneItem& s = d->layout.items.at(item);
    const QVector3D center = (s.boundsMin + s.boundsMax) / 2;
    const float radius = std::max((s.boundsMax - s.boundsMin).length() / 2, 0.5f);
    const float fov = d->window->camera()->fieldOfView();
    // Leave room around the asset so its neighbours give context.
    d->camera->lookAt(center, radius / std::sin(qDegreesToRadians(fov / 2)) * 2.5f, animated);
}

void TwinView::orbit(float yawDegrees, float pitchDegrees)
{
    d->autoFit = false;
    d->camera->orbit(yawDegrees, pitchDegrees);
}

void TwinView::zoom(float factor)
{
    d->autoFit = false;
    d->camera->zoom(factor);
}

void TwinView::pan(float rightFraction, float upFraction)
{
    d->autoFit = false;
    d->camera->pan(rightFraction, upFraction);
}

bool TwinView::isCameraAnimating() const
{
    return d->camera->isAnimating();
}

QString TwinView::itemAt(const QPointF& windowPos) const
{
    const Qt3DRender::QCamera* camera = d->window->camera();
    const Ray ray = rayFromWindow(windowPos, d->window->size(), camera->viewMatrix(), camera->projectionMatrix());
    const std::optional<PickHit> hit = d->picker.pick(ray, d->hidden);
    return hit ? d->layout.items.at(hit->item).id : QString();
}

std::optional<QPointF> TwinView::projectedCenter(const QString& id) const
{
    const int item = d->itemById.value(id, -1);
    if (item < 0)
        return std::nullopt;
    const SceneItem& s = d->layout.items.at(item);
    const QVector3D center = (s.boundsMin + s.boundsMax) / 2;
    const Qt3DRender::QCamera* camera = d->window->camera();
    const QVector3D eyeSpace = camera->viewMatrix().map(center);
    if (eyeSpace.z() >= 0)
        return std::nullopt; // behind the camera
    const QSize size = d->window->size();
    const QVector3D p = center.project(camera->viewMatrix(), camera->projectionMatrix(), QRect(QPoint(0, 0), size));
    return QPointF(p.x(), size.height() - p.y());
}

std::optional<QPointF> TwinView::projectedTop(const QString& id) const
{
    const int item = d->itemById.value(id, -1);
    if (item < 0)
        return std::nullopt;
    const SceneItem& s = d->layout.items.at(item);
    const QVector3D top((s.boundsMin.x() + s.boundsMax.x()) / 2, s.boundsMax.y(),
                        (s.boundsMin.z() + s.boundsMax.z()) / 2);
    const Qt3DRender::QCamera* camera = d->window->camera();
    if (camera->viewMatrix().map(top).z() >= 0)
        return std::nullopt;
    const QSize size = d->window->size();
    const QVector3D p = top.project(camera->viewMatrix(), camera->projectionMatrix(), QRect(QPoint(0, 0), size));
    const QPointF at(p.x(), size.height() - p.y());
    if (at.x() < 0 || at.y() < 0 || at.x() > size.width() || at.y() > size.height())
        return std::nullopt;
    return at;
}

void TwinView::setInputEnabled(bool enabled)
{
    d->inputEnabled = enabled;
}

void TwinView::setContinuousRendering(bool continuous)
{
    d->window->renderSettings()->setRenderPolicy(continuous ? Qt3DRender::QRenderSettings::Always
                                                            : Qt3DRender::QRenderSettings::OnDemand);
}

QImage TwinView::grabFrame() const
{
    QScreen* screen = d->window->screen();
    if (!screen || !d->window->isExposed())
        return {};
    return screen->grabWindow(d->window->winId()).toImage();
}

int TwinView::drawEntityCount() const
{
    if (d->mode == BuildMode::Naive)
        return static_cast<int>(d->naiveMaterials.size());
    int count = 0;
    for (const auto& tile : d->tiles)
        count += tile->enabledEntityCount();
    for (const MeshAsset* mesh : std::as_const(d->meshes))
        count += mesh->isReady() ? 1 : 0;
    return count;
}

int TwinView::entityCount() const
{
    return d->sceneRoot ? static_cast<int>(d->sceneRoot->findChildren<Qt3DCore::QEntity*>().size()) : 0;
}

int TwinView::entitiesCreated() const
{
    return d->entitiesCreated;
}

int TwinView::culledTiles() const
{
    return static_cast<int>(
        std::count_if(d->tiles.cbegin(), d->tiles.cend(), [](const auto& tile) { return tile->isCulled(); }));
}

QStringList TwinView::placeholderItems() const
{
    QStringList ids;
    for (const SceneItem& item : d->layout.items) {
        if (item.isPlaceholder)
            ids.append(item.id);
    }
    return ids;
}

} // namespace twinspect::scenes
