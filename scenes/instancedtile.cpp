// SPDX-License-Identifier: Apache-2.0
#include "instancedtile.h"

#include <Qt3DCore/QAttribute>
#include <Qt3DCore/QBuffer>
#include <Qt3DCore/QEntity>
#include <Qt3DCore/QGeometry>
#include <Qt3DExtras/QCuboidGeometry>
#include <Qt3DExtras/QCylinderGeometry>
#include <Qt3DExtras/QSphereGeometry>
#include <Qt3DRender/QEffect>
#include <Qt3DRender/QFilterKey>
#include <Qt3DRender/QGeometryRenderer>
#include <Qt3DRender/QGraphicsApiFilter>
#include <Qt3DRender/QMaterial>
#include <Qt3DRender/QPointSize>
#include <Qt3DRender/QRenderPass>
#include <Qt3DRender/QShaderProgram>
#include <Qt3DRender/QTechnique>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace twinspect::scenes {

namespace {

// Shared by both vertex shaders: the instance matrix arrives as three rows of an affine transform.
constexpr char kInstanceInputs[] = R"(#version 330 core
in vec3 vertexPosition;
in vec4 instanceRow0;
in vec4 instanceRow1;
in vec4 instanceRow2;
in vec4 instanceColor;
uniform mat4 modelMatrix;
uniform mat4 viewProjectionMatrix;
mat4 instanceModel()
{
    return modelMatrix * transpose(mat4(instanceRow0, instanceRow1, instanceRow2, vec4(0.0, 0.0, 0.0, 1.0)));
}
)";

// Normals use M * (n / s^2), which equals the inverse transpose for rotation-times-scale
// matrices (all we produce) and avoids a per-vertex inverse on a software rasteriser.
constexpr char kShadedVertexShader[] = R"(
in vec3 vertexNormal;
out vec3 worldNormal;
out vec3 worldPosition;
flat out vec4 color;
void main()
{
    mat4 model = instanceModel();
    vec4 world = model * vec4(vertexPosition, 1.0);
    mat3 linear = mat3(model);
    vec3 scaleSquared = vec3(dot(linear[0], linear[0]), dot(linear[1], linear[1]), dot(linear[2], linear[2]));
    worldNormal = linear * (vertexNormal / max(scaleSquared, vec3(1e-12)));
    worldPosition = world.xyz;
    color = instanceColor;
    gl_Position = viewProjectionMatrix * world;
}
)";

// A headlight plus sky/ground ambient: every face stays readable from any orbit angle.
constexpr char kShadedFragmentShader[] = R"(#version 330 core
in vec3 worldNormal;
in vec3 worldPosition;
flat in vec4 color;
uniform vec3 eyePosition;
out vec4 fragColor;
vec3 patterned(vec4 c);
void main()
{
    vec3 n = normalize(worldNormal);
    vec3 toEye = normalize(eyePosition - worldPosition);
    float headlight = abs(dot(n, toEye));
    float sky = 0.5 + 0.5 * n.y;
    vec3 lit = patterned(color) * (0.30 + 0.15 * sky + 0.60 * headlight);
    fragColor = vec4(min(lit, vec3(1.0)), 1.0);
}
)";

// Data-quality patterns in screen space (SurfacePattern; the code rides in the alpha component):
// 1 hatched: dark diagonal stripes 3 px of every 8; 2 checkered: 5 px checks of the colour and white.
constexpr char kPatternFunction[] = R"(
vec3 patterned(vec4 c)
{
    int code = int(c.a + 0.5);
    if (code == 1 && mod(gl_FragCoord.x + gl_FragCoord.y, 8.0) < 3.0)
        return c.rgb * 0.2;
    if (code == 2) {
        ivec2 cell = ivec2(floor(gl_FragCoord.xy / 5.0));
        if (((cell.x + cell.y) & 1) == 1)
            return vec3(0.95);
    }
    return c.rgb;
}
)";

// One vertex per instance, as large on screen as the instance's largest extent. A hidden
// instance (zero matrix) is moved outside the clip volume.
constexpr char kPointVertexShader[] = R"(
uniform mat4 projectionMatrix;
uniform mat4 viewportMatrix;
flat out vec4 color;
void main()
{
    mat4 model = instanceModel();
    mat3 linear = mat3(model);
    float extent = max(length(linear[0]), max(length(linear[1]), length(linear[2])));
    color = vec4(instanceColor.rgb * 0.85, instanceColor.a);
    if (extent <= 0.0) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
        gl_PointSize = 1.0;
        return;
    }
    gl_Position = viewProjectionMatrix * (model * vec4(vertexPosition, 1.0));
    float pixels = extent * projectionMatrix[1][1] * viewportMatrix[1][1] / max(gl_Position.w, 1e-3);
    gl_PointSize = clamp(pixels, 2.0, 16.0);
}
)";

constexpr char kPointFragmentShader[] = R"(#version 330 core
flat in vec4 color;
out vec4 fragColor;
vec3 patterned(vec4 c);
void main()
{
    fragColor = vec4(patterned(color), 1.0);
}
)";

Qt3DRender::QMaterial* createMaterial(Qt3DCore::QEntity* owner, const char* vertex, const char* fragment,
                                      bool programmablePointSize)
{
    auto* material = new Qt3DRender::QMaterial(owner);
    auto* effect = new Qt3DRender::QEffect(material);
    auto* technique = new Qt3DRender::QTechnique(effect);
    technique->graphicsApiFilter()->setApi(Qt3DRender::QGraphicsApiFilter::OpenGL);
    technique->graphicsApiFilter()->setProfile(Qt3DRender::QGraphicsApiFilter::CoreProfile);
    technique->graphicsApiFilter()->setMajorVersion(3);
    technique->graphicsApiFilter()->setMinorVersion(3);
    auto* filterKey = new Qt3DRender::QFilterKey(technique);
    filterKey->setName(QStringLiteral("renderingStyle"));
    filterKey->setValue(QStringLiteral("forward"));
    technique->addFilterKey(filterKey);
    auto* pass = new Qt3DRender::QRenderPass(technique);
    auto* program = new Qt3DRender::QShaderProgram(pass);
    program->setVertexShaderCode(QByteArray(kInstanceInputs) + vertex);
    program->setFragmentShaderCode(QByteArray(fragment) + kPatternFunction);
    pass->setShaderProgram(program);
    if (programmablePointSize) {
        auto* pointSize = new Qt3DRender::QPointSize(pass);
        pointSize->setSizeMode(Qt3DRender::QPointSize::Programmable);
        pass->addRenderState(pointSize);
    }
    technique->addRenderPass(pass);
    effect->addTechnique(technique);
    material->setEffect(effect);
    return material;
}

Qt3DCore::QGeometry* createUnitGeometry(Shape shape, Qt3DCore::QNode* parent)
{
    switch (shape) {
    case Shape::Cylinder: {
        auto* g = new Qt3DExtras::QCylinderGeometry(parent);
        g->setRadius(0.5f);
        g->setLength(1.0f);
        g->setRings(2);
        g->setSlices(12);
        return g;
    }
    case Shape::Sphere: {
        auto* g = new Qt3DExtras::QSphereGeometry(parent);
        g->setRadius(0.5f);
        g->setRings(8);
        g->setSlices(12);
        return g;
    }
    case Shape::Box:
    case Shape::Count:
        break;
    }
    auto* g = new Qt3DExtras::QCuboidGeometry(parent);
    g->setXExtent(1.0f);
    g->setYExtent(1.0f);
    g->setZExtent(1.0f);
    return g;
}

Qt3DCore::QGeometry* createPointGeometry(Qt3DCore::QNode* parent)
{
    auto* geometry = new Qt3DCore::QGeometry(parent);
    auto* buffer = new Qt3DCore::QBuffer(geometry);
    buffer->setData(QByteArray(3 * sizeof(float), '\0'));
    auto* position = new Qt3DCore::QAttribute(geometry);
    position->setName(Qt3DCore::QAttribute::defaultPositionAttributeName());
    position->setAttributeType(Qt3DCore::QAttribute::VertexAttribute);
    position->setVertexBaseType(Qt3DCore::QAttribute::Float);
    position->setVertexSize(3);
    position->setCount(1);
    position->setBuffer(buffer);
    geometry->addAttribute(position);
    return geometry;
}

void addInstanceAttributes(Qt3DCore::QGeometry* geometry, Qt3DCore::QBuffer* buffer, int first, int count)
{
    static const char* const names[] = {"instanceRow0", "instanceRow1", "instanceRow2", "instanceColor"};
    for (int k = 0; k < 4; ++k) {
        auto* attribute = new Qt3DCore::QAttribute(geometry);
        attribute->setName(QString::fromLatin1(names[k]));
        attribute->setAttributeType(Qt3DCore::QAttribute::VertexAttribute);
        attribute->setVertexBaseType(Qt3DCore::QAttribute::Float);
        attribute->setVertexSize(4);
        attribute->setByteOffset(static_cast<uint>(first * InstancedTile::kStride + k * 4 * int(sizeof(float))));
        attribute->setByteStride(InstancedTile::kStride);
        attribute->setDivisor(1);
        attribute->setCount(static_cast<uint>(count));
        attribute->setBuffer(buffer);
        geometry->addAttribute(attribute);
    }
}

} // namespace

TileMaterials createTileMaterials(Qt3DCore::QEntity* owner)
{
    return TileMaterials{createMaterial(owner, kShadedVertexShader, kShadedFragmentShader, false),
                         createMaterial(owner, kPointVertexShader, kPointFragmentShader, true)};
}

InstancedTile::InstancedTile(const QList<Shape>& shapes, bool allowPoints, Qt3DCore::QEntity* parent,
                             const TileMaterials& materials)
    : m_count(static_cast<int>(shapes.size()))
    , m_data(qsizetype(shapes.size()) * kStride, '\0')
{
    // The buffer lives under the first entity made; all geometries of the tile read it.
    const auto makeEntity = [&](Qt3DCore::QGeometry* (*geometryFor)(Shape, Qt3DCore::QNode*), Shape shape, int first,
                                int count, Qt3DRender::QGeometryRenderer::PrimitiveType primitive,
                                Qt3DRender::QMaterial* material) {
        auto* entity = new Qt3DCore::QEntity(parent);
        Qt3DCore::QGeometry* geometry = geometryFor(shape, entity);
        if (!m_buffer)
            m_buffer = new Qt3DCore::QBuffer(parent);
        addInstanceAttributes(geometry, m_buffer, first, count);
        auto* renderer = new Qt3DRender::QGeometryRenderer(entity);
        renderer->setGeometry(geometry);
        renderer->setPrimitiveType(primitive);
        renderer->setInstanceCount(count);
        if (primitive == Qt3DRender::QGeometryRenderer::Points)
            renderer->setVertexCount(1);
        entity->addComponent(renderer);
        entity->addComponent(material);
        m_renderers.append(renderer);
        return entity;
    };

    for (qsizetype first = 0; first < shapes.size();) {
        qsizetype end = first;
        while (end < shapes.size() && shapes.at(end) == shapes.at(first))
            ++end;
        m_detailed.append(makeEntity(createUnitGeometry, shapes.at(first), int(first), int(end - first),
                                     Qt3DRender::QGeometryRenderer::Triangles, materials.shaded));
        first = end;
    }
    m_coarse = makeEntity(createUnitGeometry, Shape::Box, 0, m_count, Qt3DRender::QGeometryRenderer::Triangles,
                          materials.shaded);
    if (allowPoints) {
        m_points = makeEntity([](Shape, Qt3DCore::QNode* p) { return createPointGeometry(p); }, Shape::Box, 0, m_count,
                              Qt3DRender::QGeometryRenderer::Points, materials.points);
    }
    applyLevel();
}

void InstancedTile::setModel(int index, const QMatrix4x4& model)
{
    float* s = slot(index);
    for (int row = 0; row < 3; ++row) {
        const QVector4D r = model.row(row);
        s[row * 4 + 0] = r.x();
        s[row * 4 + 1] = r.y();
        s[row * 4 + 2] = r.z();
        s[row * 4 + 3] = r.w();
    }
    markDirty(index);
}

void InstancedTile::setColor(int index, const QColor& color)
{
    float* s = slot(index) + 12;
    const float rgb[3] = {color.redF(), color.greenF(), color.blueF()};
    if (std::memcmp(s, rgb, sizeof rgb) == 0)
        return;
    std::memcpy(s, rgb, sizeof rgb);
    markDirty(index);
}

QColor InstancedTile::color(int index) const
{
    const float* s = slot(index) + 12;
    return QColor::fromRgbF(s[0], s[1], s[2]);
}

void InstancedTile::setPattern(int index, SurfacePattern pattern)
{
    float* s = slot(index) + 15;
    const float code = static_cast<float>(pattern);
    if (*s == code)
        return;
    *s = code;
    markDirty(index);
}

SurfacePattern InstancedTile::pattern(int index) const
{
    return static_cast<SurfacePattern>(static_cast<int>(slot(index)[15] + 0.5f));
}

void InstancedTile::setBounds(const QVector3D& lo, const QVector3D& hi)
{
    m_boundsMin = lo;
    m_boundsMax = hi;
    for (Qt3DRender::QGeometryRenderer* renderer : std::as_const(m_renderers)) {
        renderer->setMinPoint(lo);
        renderer->setMaxPoint(hi);
    }
}

void InstancedTile::chooseLevel(const QVector3D& eye, float pixelsPerMetreAtUnitDistance)
{
    // Nearest point of the tile's box to the eye: the closest instances decide.
    const QVector3D nearest(std::clamp(eye.x(), m_boundsMin.x(), m_boundsMax.x()),
                            std::clamp(eye.y(), m_boundsMin.y(), m_boundsMax.y()),
                            std::clamp(eye.z(), m_boundsMin.z(), m_boundsMax.z()));
    const float distance = std::max((nearest - eye).length(), 1e-3f);
    const float pixels = m_typicalSize * pixelsPerMetreAtUnitDistance / distance;
    // Below ~30 px a 12-slice cylinder and a box look alike; below ~6 px a box is a dot.
    if (pixels >= 30.0f)
        setLevel(Level::Detailed);
    else if (pixels >= 6.0f || !m_points)
        setLevel(Level::Coarse);
    else
        setLevel(Level::Points);
}

void InstancedTile::setLevel(Level level)
{
    if (level == Level::Points && !m_points)
        level = Level::Coarse;
    if (level == m_level)
        return;
    m_level = level;
    applyLevel();
}

void InstancedTile::setCulled(bool culled)
{
    if (culled == m_culled)
        return;
    m_culled = culled;
    applyLevel();
}

bool InstancedTile::intersectsFrustum(const QMatrix4x4& viewProjection) const
{
    // Outside when all eight corners lie beyond the same clip plane (conservative: a box that
    // straddles a frustum corner is kept).
    int outside[6] = {0, 0, 0, 0, 0, 0};
    for (int corner = 0; corner < 8; ++corner) {
        const QVector4D p = viewProjection * QVector4D((corner & 1) ? m_boundsMax.x() : m_boundsMin.x(),
                                                       (corner & 2) ? m_boundsMax.y() : m_boundsMin.y(),
                                                       (corner & 4) ? m_boundsMax.z() : m_boundsMin.z(), 1.0f);
        outside[0] += p.x() < -p.w();
        outside[1] += p.x() > p.w();
        outside[2] += p.y() < -p.w();
        outside[3] += p.y() > p.w();
        outside[4] += p.z() < -p.w();
        outside[5] += p.z() > p.w();
    }
    return std::none_of(std::begin(outside), std::end(outside), [](int n) { return n == 8; });
}

void InstancedTile::applyLevel()
{
    for (Qt3DCore::QEntity* entity : std::as_const(m_detailed))
        entity->setEnabled(!m_culled && m_level == Level::Detailed);
    m_coarse->setEnabled(!m_culled && m_level == Level::Coarse);
    if (m_points)
        m_points->setEnabled(!m_culled && m_level == Level::Points);
}

int InstancedTile::enabledEntityCount() const
{
    if (m_culled)
        return 0;
    switch (m_level) {
    case Level::Detailed:
        return static_cast<int>(m_detailed.size());
    case Level::Coarse:
    case Level::Points:
        return 1;
    }
    return 0;
}

void InstancedTile::markDirty(int index)
{
    if (m_dirtyFirst < 0 || index < m_dirtyFirst)
        m_dirtyFirst = index;
    m_dirtyLast = std::max(m_dirtyLast, index);
}

void InstancedTile::flush()
{
    if (!m_uploaded) {
        m_buffer->setData(m_data);
        m_uploaded = true;
    } else if (m_dirtyFirst >= 0) {
        const qsizetype offset = qsizetype(m_dirtyFirst) * kStride;
        const qsizetype length = qsizetype(m_dirtyLast - m_dirtyFirst + 1) * kStride;
        m_buffer->updateData(static_cast<int>(offset), m_data.mid(offset, length));
    }
    m_dirtyFirst = -1;
    m_dirtyLast = -1;
}

} // namespace twinspect::scenes
