// SPDX-License-Identifier: Apache-2.0
#include "meshprobe.h"

#include "plant/glb.h"
#include "plant/json.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace twinspect {

namespace {

class BoundsAccumulator
{
public:
    void add(double x, double y, double z)
    {
        if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(z)) {
            m_nonFinite = true;
            return;
        }
        if (m_count == 0) {
            m_min = m_max = {x, y, z};
        } else {
            m_min = {std::min(m_min.x, x), std::min(m_min.y, y), std::min(m_min.z, z)};
            m_max = {std::max(m_max.x, x), std::max(m_max.y, y), std::max(m_max.z, z)};
        }
        ++m_count;
    }
    long count() const { return m_count; }
    bool nonFinite() const { return m_nonFinite; }
    MeshProbe probe() const
    {
        MeshProbe p;
        p.boundsMin = m_min;
        p.boundsMax = m_max;
        p.boundsKnown = m_count > 0;
        return p;
    }

private:
    Vec3 m_min;
    Vec3 m_max;
    long m_count = 0;
    bool m_nonFinite = false;
};

MeshProbe failedProbe(const QString& error)
{
    MeshProbe p;
    p.error = error;
    return p;
}

bool parseThree(const QList<QByteArray>& parts, double (&out)[3])
{
    if (parts.size() < 4)
        return false;
    for (int k = 0; k < 3; ++k) {
        bool ok = false;
        out[k] = parts.at(k + 1).toDouble(&ok);
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

MeshProbe probeObjBytes(const QByteArray& bytes, const QString& node)
{
    BoundsAccumulator bounds;
    long faces = 0;
    bool nodeFound = node.isEmpty();
    int lineNumber = 0;
    for (const QByteArray& rawLine : bytes.split('\n')) {
        ++lineNumber;
        const QByteArray line = rawLine.simplified();
        if (line.startsWith("v ")) {
            double v[3];
            if (!parseThree(line.split(' '), v))
                return failedProbe(QStringLiteral("OBJ line %1: a vertex needs three numbers").arg(lineNumber));
            bounds.add(v[0], v[1], v[2]);
        } else if (!nodeFound && (line.startsWith("o ") || line.startsWith("g "))) {
            nodeFound = QString::fromUtf8(line.mid(2)).trimmed() == node;
        } else if (line.startsWith("f ")) {
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() < 4)
                return failedProbe(QStringLiteral("OBJ line %1: a face needs at least three vertices").arg(lineNumber));
            for (qsizetype k = 1; k < parts.size(); ++k) {
                bool ok = false;
                const long index = parts.at(k).split('/').first().toLong(&ok);
                if (!ok || index == 0 || std::labs(index) > bounds.count())
                    return failedProbe(
                        QStringLiteral("OBJ line %1: face refers to vertex %2, which does not exist").arg(lineNumber).arg(index));
            }
            ++faces;
        }
    }
    if (bounds.nonFinite())
        return failedProbe(QStringLiteral("OBJ file has vertices that are not finite numbers"));
    if (faces == 0)
        return failedProbe(QStringLiteral("OBJ file has no faces (a point cloud or empty file cannot be shown)"));
    if (!nodeFound)
        return failedProbe(QStringLiteral("no object or group named '%1' in the OBJ file").arg(node));
    return bounds.probe();
}

MeshProbe probeStlBytes(const QByteArray& bytes)
{
    BoundsAccumulator bounds;
    if (bytes.size() >= 84) {
        quint32 triangles = glb::readLe32(bytes.constData() + 80);
        if (84 + qint64(triangles) * 50 == bytes.size()) {
            if (triangles == 0)
                return failedProbe(QStringLiteral("binary STL file has no triangles"));
            for (quint32 t = 0; t < triangles; ++t) {
                const char* tri = bytes.constData() + 84 + qint64(t) * 50 + 12;
                for (int v = 0; v < 3; ++v) {
                    float xyz[3];
                    std::memcpy(xyz, tri + v * 12, sizeof xyz);
                    bounds.add(xyz[0], xyz[1], xyz[2]);
                }
            }
            if (bounds.nonFinite())
                return failedProbe(QStringLiteral("STL file has vertices that are not finite numbers"));
            return bounds.probe();
        }
    }
    if (!bytes.trimmed().startsWith("solid"))
        return failedProbe(QStringLiteral("not an STL file: neither a binary STL of consistent size nor ASCII 'solid'"));
    int lineNumber = 0;
    for (const QByteArray& rawLine : bytes.split('\n')) {
        ++lineNumber;
        const QByteArray line = rawLine.simplified();
        if (!line.startsWith("vertex"))
            continue;
        double v[3];
        if (!parseThree(line.split(' '), v))
            return failedProbe(QStringLiteral("STL line %1: a vertex needs three numbers").arg(lineNumber));
        bounds.add(v[0], v[1], v[2]);
    }
    if (bounds.nonFinite())
        return failedProbe(QStringLiteral("STL file has vertices that are not finite numbers"));
    if (bounds.count() < 3)
        return failedProbe(QStringLiteral("ASCII STL file has no triangles"));
    return bounds.probe();
}

std::optional<MeshInfo::Format> meshFormatForPath(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("gltf"))
        return MeshInfo::Format::Gltf;
    if (suffix == QLatin1String("glb"))
        return MeshInfo::Format::Glb;
    if (suffix == QLatin1String("obj"))
        return MeshInfo::Format::Obj;
    if (suffix == QLatin1String("stl"))
        return MeshInfo::Format::Stl;
    return std::nullopt;
}

MeshProbe probeMeshFile(const QString& absolutePath, MeshInfo::Format format, const QString& node)
{
    QFile file(absolutePath);
    if (!file.exists())
        return failedProbe(QStringLiteral("mesh file '%1' does not exist").arg(absolutePath));
    if (file.size() > glb::kMaxMeshFileBytes)
        return failedProbe(QStringLiteral("mesh file '%1' is larger than 512 MiB").arg(absolutePath));
    if (!file.open(QIODevice::ReadOnly))
        return failedProbe(QStringLiteral("mesh file '%1' cannot be read: %2").arg(absolutePath, file.errorString()));
    const QByteArray bytes = file.readAll();
    const QString baseDir = QFileInfo(absolutePath).absolutePath();
    switch (format) {
    case MeshInfo::Format::Gltf:
        return probeGltfBytes(bytes, false, baseDir, node);
    case MeshInfo::Format::Glb:
        return probeGltfBytes(bytes, true, baseDir, node);
    case MeshInfo::Format::Obj:
        return probeObjBytes(bytes, node);
    case MeshInfo::Format::Stl:
        return probeStlBytes(bytes);
    }
    return failedProbe(QStringLiteral("unsupported mesh format"));
}

Result<QString> unpackGlb(const QString& glbPath, const QString& cacheDir)
{
    QFile file(glbPath);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("glb.read"), QStringLiteral("cannot read '%1': %2").arg(glbPath, file.errorString())};
    Result<glb::Chunks> split = glb::split(file.readAll());
    if (!split)
        return split.error();
    const glb::Chunks& chunks = split.value();
    const json::ParseResult parsed = json::parse(chunks.json);
    if (!parsed.ok)
        return Error{QStringLiteral("glb.json"), QStringLiteral("the GLB JSON chunk is malformed")};

    // Name the unpacked pair after a hash of the path so two GLBs with one stem don't collide.
    const QString stem = QFileInfo(glbPath).completeBaseName() + QLatin1Char('-') +
                         QString::number(qHash(QFileInfo(glbPath).absoluteFilePath()), 16);
    if (!QDir().mkpath(cacheDir))
        return Error{QStringLiteral("glb.cache"), QStringLiteral("cannot create cache folder '%1'").arg(cacheDir)};
    const QString binName = stem + QStringLiteral(".bin");
    const QString gltfPath = QDir(cacheDir).filePath(stem + QStringLiteral(".gltf"));

    // Rewrite only the first buffer's uri: edit the JSON text at the buffers array rather than
    // re-serialise through a second JSON library, keeping everything else byte for byte.
    QByteArray jsonText = chunks.json;
    const json::Value* buffers = parsed.root.find(u"buffers");
    if (chunks.hasBin) {
        if (!buffers || !buffers->isArray() || buffers->array.empty() || !buffers->array.front().isObject())
            return Error{QStringLiteral("glb.buffers"), QStringLiteral("the GLB has a binary chunk but no buffers")};
        if (buffers->array.front().find(u"uri") == nullptr) {
            const qsizetype at = jsonText.indexOf("\"buffers\"");
            const qsizetype brace = at < 0 ? -1 : jsonText.indexOf('{', at);
            if (brace < 0)
                return Error{QStringLiteral("glb.buffers"), QStringLiteral("cannot locate the buffers in the GLB JSON")};
            jsonText.insert(brace + 1, QByteArray("\"uri\":\"") + binName.toUtf8() + "\",");
        }
        QSaveFile bin(QDir(cacheDir).filePath(binName));
        if (!bin.open(QIODevice::WriteOnly) || bin.write(chunks.bin) != chunks.bin.size() || !bin.commit())
            return Error{QStringLiteral("glb.write"), QStringLiteral("cannot write '%1'").arg(bin.fileName())};
    }
    QSaveFile gltf(gltfPath);
    if (!gltf.open(QIODevice::WriteOnly) || gltf.write(jsonText) != jsonText.size() || !gltf.commit())
        return Error{QStringLiteral("glb.write"), QStringLiteral("cannot write '%1'").arg(gltfPath)};
    return gltfPath;
}

} // namespace twinspect
