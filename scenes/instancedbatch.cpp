// SPDX-License-Identifier: Apache-2.0
#include "instancedbatch.h"

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
#include <Qt3DRender/QRenderPass>
#include <Qt3DRender/QShaderProgram>
#include <Qt3DRender/QTechnique>

#include <cstring>

namespace twinspect::scenes {

namespace {

// The instance matrix arrives as three rows of an affine transform. Normals use M * (n / s^2),
// which equals the inverse transpose for rotation-times-scale matrices (all we produce) and
// avoids a per-vertex inverse on a software rasteriser.
constexpr char kVertexShader[] = R"(#version 330 core
in vec3 vertexPosition;
in vec3 vertexNormal;
in vec4 instanceRow0;
in vec4 instanceRow1;
in vec4 instanceRow2;
in vec4 instanceColor;
uniform mat4 modelMatrix;
uniform mat4 viewProjectionMatrix;
out vec3 worldNormal;
out vec3 worldPosition;
flat out vec4 color;
void main()
{
    mat4 instance = transpose(mat4(instanceRow0, instanceRow1, instanceRow2, vec4(0.0, 0.0, 0.0, 1.0)));
    mat4 model = modelMatrix * instance;
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
constexpr char kFragmentShader[] = R"(#version 330 core
in vec3 worldNormal;
in vec3 worldPosition;
flat in vec4 color;
uniform vec3 eyePosition;
out vec4 fragColor;
void main()
{
    vec3 n = normalize(worldNormal);
    vec3 toEye = normalize(eyePosition - worldPosition);
    float headlight = abs(dot(n, toEye));
    float sky = 0.5 + 0.5 * n.y;
    vec3 lit = color.rgb * (0.30 + 0.15 * sky + 0.60 * headlight);
    fragColor = vec4(min(lit, vec3(1.0)), 1.0);
}
)";

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

void addInstanceAttribute(Qt3DCore::QGeometry* geometry, Qt3DCore::QBuffer* buffer, const char* name, int offsetFloats,
                          int count)
{
    auto* attribute = new Qt3DCore::QAttribute(geometry);
    attribute->setName(QString::fromLatin1(name));
    attribute->setAttributeType(Qt3DCore::QAttribute::VertexAttribute);
    attribute->setVertexBaseType(Qt3DCore::QAttribute::Float);
    attribute->setVertexSize(4);
    attribute->setByteOffset(static_cast<uint>(offsetFloats * sizeof(float)));
    attribute->setByteStride(InstancedBatch::kStride);
    attribute->setDivisor(1);
    attribute->setCount(static_cast<uint>(count));
    attribute->setBuffer(buffer);
    geometry->addAttribute(attribute);
}

} // namespace

InstancedBatch::InstancedBatch(Shape shape, int instanceCount, Qt3DCore::QEntity* parent,
                               Qt3DRender::QMaterial* material)
    : m_count(instanceCount)
    , m_data(qsizetype(instanceCount) * kStride, '\0')
{
    m_entity = new Qt3DCore::QEntity(parent);
    Qt3DCore::QGeometry* geometry = createUnitGeometry(shape, m_entity);
    m_buffer = new Qt3DCore::QBuffer(geometry);
    addInstanceAttribute(geometry, m_buffer, "instanceRow0", 0, instanceCount);
    addInstanceAttribute(geometry, m_buffer, "instanceRow1", 4, instanceCount);
    addInstanceAttribute(geometry, m_buffer, "instanceRow2", 8, instanceCount);
    addInstanceAttribute(geometry, m_buffer, "instanceColor", 12, instanceCount);

    m_renderer = new Qt3DRender::QGeometryRenderer(m_entity);
    m_renderer->setGeometry(geometry);
    m_renderer->setPrimitiveType(Qt3DRender::QGeometryRenderer::Triangles);
    m_renderer->setInstanceCount(instanceCount);
    m_entity->addComponent(m_renderer);
    m_entity->addComponent(material);
}

void InstancedBatch::setInstance(int index, const QMatrix4x4& model, const QColor& color)
{
    setModel(index, model);
    setColor(index, color);
}

void InstancedBatch::setModel(int index, const QMatrix4x4& model)
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

void InstancedBatch::setColor(int index, const QColor& color)
{
    float* s = slot(index) + 12;
    const float rgba[4] = {color.redF(), color.greenF(), color.blueF(), color.alphaF()};
    if (std::memcmp(s, rgba, sizeof rgba) == 0)
        return;
    std::memcpy(s, rgba, sizeof rgba);
    markDirty(index);
}

QColor InstancedBatch::color(int index) const
{
    const float* s = slot(index) + 12;
    return QColor::fromRgbF(s[0], s[1], s[2], s[3]);
}

void InstancedBatch::setBounds(const QVector3D& lo, const QVector3D& hi)
{
    m_renderer->setMinPoint(lo);
    m_renderer->setMaxPoint(hi);
}

void InstancedBatch::markDirty(int index)
{
    if (m_dirtyFirst < 0 || index < m_dirtyFirst)
        m_dirtyFirst = index;
    m_dirtyLast = std::max(m_dirtyLast, index);
}

void InstancedBatch::flush()
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

Qt3DRender::QMaterial* createInstancedMaterial(Qt3DCore::QEntity* owner)
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
    program->setVertexShaderCode(QByteArray(kVertexShader));
    program->setFragmentShaderCode(QByteArray(kFragmentShader));
    pass->setShaderProgram(program);
    technique->addRenderPass(pass);
    effect->addTechnique(technique);
    material->setEffect(effect);
    return material;
}

} // namespace twinspect::scenes
