// SPDX-License-Identifier: Apache-2.0
// The glTF 2.0 / GLB half of the mesh probe: every index and length in the file is checked
// before anything would dereference it.
#include "plant/glb.h"
#include "plant/json.h"
#include "plant/meshprobe.h"

#include <QDir>
#include <QFile>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace twinspect {

namespace glb {

namespace {
constexpr quint32 kGlbMagic = 0x46546C67; // "glTF"
constexpr quint32 kChunkJson = 0x4E4F534A;
constexpr quint32 kChunkBin = 0x004E4942;

} // namespace

quint32 readLe32(const char* p)
{
    quint32 v = 0;
    std::memcpy(&v, p, 4); // x86/ARM Linux targets are little-endian, as is GLB
    return v;
}


Result<Chunks> split(const QByteArray& bytes)
{
    if (bytes.size() < 20)
        return Error{QStringLiteral("glb.short"), QStringLiteral("GLB file is shorter than its 20-byte header")};
    if (readLe32(bytes.constData()) != kGlbMagic)
        return Error{QStringLiteral("glb.magic"), QStringLiteral("not a GLB file (the magic bytes are not 'glTF')")};
    const quint32 version = readLe32(bytes.constData() + 4);
    if (version != 2)
        return Error{QStringLiteral("glb.version"), QStringLiteral("GLB container version %1, only 2 is supported").arg(version)};
    const quint32 declared = readLe32(bytes.constData() + 8);
    if (declared > static_cast<quint32>(bytes.size()))
        return Error{QStringLiteral("glb.truncated"),
                     QStringLiteral("GLB header says %1 bytes but the file has %2").arg(declared).arg(bytes.size())};
    Chunks chunks;
    qint64 offset = 12;
    int index = 0;
    while (offset + 8 <= declared) {
        const quint32 length = readLe32(bytes.constData() + offset);
        const quint32 type = readLe32(bytes.constData() + offset + 4);
        offset += 8;
        if (static_cast<qint64>(length) > declared - offset)
            return Error{QStringLiteral("glb.chunk"), QStringLiteral("GLB chunk %1 runs past the end of the file").arg(index)};
        const QByteArray data = bytes.mid(offset, length);
        if (index == 0) {
            if (type != kChunkJson)
                return Error{QStringLiteral("glb.chunk"), QStringLiteral("the first GLB chunk is not JSON")};
            chunks.json = data;
        } else if (type == kChunkBin && !chunks.hasBin) {
            chunks.bin = data;
            chunks.hasBin = true;
        }
        offset += length;
        offset = (offset + 3) & ~qint64(3);
        ++index;
    }
    if (index == 0)
        return Error{QStringLiteral("glb.chunk"), QStringLiteral("GLB file has no JSON chunk")};
    return chunks;
}

/// Walks a glTF 2.0 document and reports the first thing that would break rendering.
} // namespace glb

namespace {

class GltfChecker
{
public:
    GltfChecker(const json::Value& root, const QString& baseDir, const QByteArray* glbBin)
        : m_root(root)
        , m_baseDir(baseDir)
        , m_glbBin(glbBin)
    {
    }

    MeshProbe run(const QString& node)
    {
        if (!m_root.isObject())
            return failed(QStringLiteral("the glTF document is not a JSON object"));
        const json::Value* asset = m_root.find(u"asset");
        const json::Value* version = asset && asset->isObject() ? asset->find(u"version") : nullptr;
        if (!version || !version->isString())
            return failed(QStringLiteral("asset.version is missing; this is not a glTF 2.0 file"));
        if (!version->string.startsWith(QLatin1String("2.")))
            return failed(QStringLiteral("glTF version %1 is not supported (2.x only)").arg(version->string));
        if (!checkNames() || !checkBuffers() || !checkBufferViews() || !checkAccessors() || !checkNodes() ||
            !checkScenes() || !checkMeshes() || !checkMaterials() || !checkNodeName(node))
            return failed(m_error);
        MeshProbe probe;
        probe.boundsKnown = m_boundsKnown;
        probe.boundsMin = m_min;
        probe.boundsMax = m_max;
        return probe;
    }

private:
    static MeshProbe failed(const QString& error)
    {
        MeshProbe probe;
        probe.error = error;
        return probe;
    }

    bool fail(const QString& message)
    {
        m_error = message;
        return false;
    }

    /// An optional array member; a wrong type is an error.
    bool optionalArray(const json::Value& object, QStringView key, const QString& where, const json::Value*& out)
    {
        out = object.find(key);
        if (out && !out->isArray())
            return fail(QStringLiteral("%1.%2 is %3, expected an array").arg(where, key.toString(), json::typeName(out->type)));
        return true;
    }

    bool index(const json::Value& object, QStringView key, const QString& where, size_t limit, bool required, long& out)
    {
        out = -1;
        const json::Value* v = object.find(key);
        if (!v)
            return !required || fail(QStringLiteral("%1.%2 is missing").arg(where, key.toString()));
        if (!v->isNumber() || v->number < 0 || v->number != std::floor(v->number))
            return fail(QStringLiteral("%1.%2 is not a non-negative integer").arg(where, key.toString()));
        if (v->number >= static_cast<double>(limit))
            return fail(QStringLiteral("%1.%2 = %3 points past the %4 available")
                            .arg(where, key.toString())
                            .arg(v->number)
                            .arg(limit));
        out = static_cast<long>(v->number);
        return true;
    }

    bool integer(const json::Value& object, QStringView key, const QString& where, bool required, double& out)
    {
        const json::Value* v = object.find(key);
        if (!v)
            return !required || fail(QStringLiteral("%1.%2 is missing").arg(where, key.toString()));
        if (!v->isNumber() || v->number < 0 || v->number != std::floor(v->number) || v->number > 9.0e15)
            return fail(QStringLiteral("%1.%2 is not a non-negative integer").arg(where, key.toString()));
        out = v->number;
        return true;
    }

    const std::vector<json::Value>& list(QStringView key) const
    {
        static const std::vector<json::Value> empty;
        const json::Value* v = m_root.find(key);
        return v && v->isArray() ? v->array : empty;
    }

    bool checkTopLevelArray(QStringView key)
    {
        const json::Value* v = m_root.find(key);
        if (v && !v->isArray())
            return fail(QStringLiteral("%1 is %2, expected an array").arg(key.toString(), json::typeName(v->type)));
        return true;
    }

    /// Every glTF object may carry a "name"; loaders assume it is a string.
    bool checkNames()
    {
        for (const json::Member& member : m_root.object) {
            if (!member.value.isArray())
                continue;
            for (size_t i = 0; i < member.value.array.size(); ++i) {
                const json::Value* name = member.value.array[i].isObject() ? member.value.array[i].find(u"name") : nullptr;
                if (name && !name->isString())
                    return fail(QStringLiteral("%1[%2].name is %3, expected a string")
                                    .arg(member.key)
                                    .arg(i)
                                    .arg(json::typeName(name->type)));
            }
        }
        return true;
    }

    bool checkTextureInfo(const json::Value& holder, QStringView key, const QString& where, size_t textureCount)
    {
        const json::Value* info = holder.find(key);
        if (!info)
            return true;
        const QString infoWhere = where + QLatin1Char('.') + key.toString();
        if (!info->isObject())
            return fail(infoWhere + QStringLiteral(" is %1, expected an object").arg(json::typeName(info->type)));
        long texture = -1;
        if (!index(*info, u"index", infoWhere, textureCount, true, texture))
            return false;
        for (QStringView factor : {QStringView(u"scale"), QStringView(u"strength"), QStringView(u"texCoord")}) {
            const json::Value* v = info->find(factor);
            if (v && !v->isNumber())
                return fail(QStringLiteral("%1.%2 is %3, expected a number")
                                .arg(infoWhere, factor.toString(), json::typeName(v->type)));
        }
        return true;
    }

    /// Materials are replaced by Twinspect's own look, but Qt's importer still parses them.
    bool checkMaterials()
    {
        if (!checkTopLevelArray(u"materials") || !checkTopLevelArray(u"textures"))
            return false;
        const size_t textureCount = list(u"textures").size();
        const auto& materials = list(u"materials");
        for (size_t i = 0; i < materials.size(); ++i) {
            const QString where = QStringLiteral("materials[%1]").arg(i);
            const json::Value& m = materials[i];
            if (!m.isObject())
                return fail(where + QStringLiteral(" is not an object"));
            for (QStringView key : {QStringView(u"normalTexture"), QStringView(u"occlusionTexture"),
                                    QStringView(u"emissiveTexture")}) {
                if (!checkTextureInfo(m, key, where, textureCount))
                    return false;
            }
            const json::Value* pbr = m.find(u"pbrMetallicRoughness");
            if (!pbr)
                continue;
            const QString pbrWhere = where + QStringLiteral(".pbrMetallicRoughness");
            if (!pbr->isObject())
                return fail(pbrWhere + QStringLiteral(" is %1, expected an object").arg(json::typeName(pbr->type)));
            if (!checkTextureInfo(*pbr, u"baseColorTexture", pbrWhere, textureCount) ||
                !checkTextureInfo(*pbr, u"metallicRoughnessTexture", pbrWhere, textureCount))
                return false;
            for (QStringView factor : {QStringView(u"metallicFactor"), QStringView(u"roughnessFactor")}) {
                const json::Value* v = pbr->find(factor);
                if (v && !v->isNumber())
                    return fail(QStringLiteral("%1.%2 is %3, expected a number")
                                    .arg(pbrWhere, factor.toString(), json::typeName(v->type)));
            }
        }
        return true;
    }

    bool checkBuffers()
    {
        if (!checkTopLevelArray(u"buffers"))
            return false;
        const auto& buffers = list(u"buffers");
        m_bufferData.resize(buffers.size());
        m_bufferLength.resize(buffers.size());
        for (size_t i = 0; i < buffers.size(); ++i) {
            const QString where = QStringLiteral("buffers[%1]").arg(i);
            const json::Value& b = buffers[i];
            if (!b.isObject())
                return fail(where + QStringLiteral(" is not an object"));
            double length = 0;
            if (!integer(b, u"byteLength", where, true, length))
                return false;
            m_bufferLength[i] = length;
            const json::Value* uri = b.find(u"uri");
            if (!uri) {
                if (i != 0 || !m_glbBin)
                    return fail(where + QStringLiteral(" has no uri and there is no GLB binary chunk"));
                m_bufferData[i] = *m_glbBin;
            } else if (!uri->isString()) {
                return fail(where + QStringLiteral(".uri is not a string"));
            } else if (uri->string.startsWith(QLatin1String("data:"))) {
                const qsizetype comma = uri->string.indexOf(QLatin1Char(','));
                if (comma < 0 || !uri->string.left(comma).endsWith(QLatin1String(";base64")))
                    return fail(where + QStringLiteral(".uri is a data URI that is not base64"));
                m_bufferData[i] = QByteArray::fromBase64(uri->string.mid(comma + 1).toLatin1());
            } else {
                const QString relative = QUrl::fromPercentEncoding(uri->string.toUtf8());
                if (relative.contains(QLatin1String("://")))
                    return fail(where + QStringLiteral(".uri '%1' is remote; only local files are loaded").arg(relative));
                const QString path = QDir(m_baseDir).filePath(relative);
                QFile file(path);
                if (!file.exists())
                    return fail(QStringLiteral("%1: binary file '%2' is missing").arg(where, relative));
                if (file.size() > glb::kMaxMeshFileBytes || !file.open(QIODevice::ReadOnly))
                    return fail(QStringLiteral("%1: binary file '%2' cannot be read").arg(where, relative));
                m_bufferData[i] = file.readAll();
            }
            if (static_cast<double>(m_bufferData[i].size()) < length)
                return fail(QStringLiteral("%1 declares %2 bytes but only %3 are present")
                                .arg(where)
                                .arg(length)
                                .arg(m_bufferData[i].size()));
        }
        return true;
    }

    bool checkBufferViews()
    {
        if (!checkTopLevelArray(u"bufferViews"))
            return false;
        const auto& views = list(u"bufferViews");
        for (size_t i = 0; i < views.size(); ++i) {
            const QString where = QStringLiteral("bufferViews[%1]").arg(i);
            const json::Value& v = views[i];
            if (!v.isObject())
                return fail(where + QStringLiteral(" is not an object"));
            long buffer = -1;
            double offset = 0;
            double length = 0;
            double stride = 0;
            if (!index(v, u"buffer", where, m_bufferLength.size(), true, buffer) ||
                !integer(v, u"byteOffset", where, false, offset) || !integer(v, u"byteLength", where, true, length) ||
                !integer(v, u"byteStride", where, false, stride))
                return false;
            if (offset + length > m_bufferLength[static_cast<size_t>(buffer)])
                return fail(where + QStringLiteral(" runs past the end of its buffer"));
            m_views.push_back(View{static_cast<size_t>(buffer), offset, length, stride});
        }
        return true;
    }

    static int componentSize(double componentType)
    {
        switch (static_cast<int>(componentType)) {
        case 5120:
        case 5121:
            return 1;
        case 5122:
        case 5123:
            return 2;
        case 5125:
        case 5126:
            return 4;
        default:
            return 0;
        }
    }

    static int componentCount(const QString& type)
    {
        static const std::pair<const char*, int> kinds[] = {{"SCALAR", 1}, {"VEC2", 2}, {"VEC3", 3}, {"VEC4", 4},
                                                            {"MAT2", 4},   {"MAT3", 9}, {"MAT4", 16}};
        for (const auto& [name, count] : kinds) {
            if (type == QLatin1String(name))
                return count;
        }
        return 0;
    }

    bool checkAccessors()
    {
        if (!checkTopLevelArray(u"accessors"))
            return false;
        const auto& accessors = list(u"accessors");
        for (size_t i = 0; i < accessors.size(); ++i) {
            const QString where = QStringLiteral("accessors[%1]").arg(i);
            const json::Value& a = accessors[i];
            if (!a.isObject())
                return fail(where + QStringLiteral(" is not an object"));
            long view = -1;
            double count = 0;
            double componentType = 0;
            double offset = 0;
            if (!index(a, u"bufferView", where, m_views.size(), false, view) ||
                !integer(a, u"count", where, true, count) ||
                !integer(a, u"componentType", where, true, componentType) ||
                !integer(a, u"byteOffset", where, false, offset))
                return false;
            const json::Value* type = a.find(u"type");
            if (!type || !type->isString() || componentCount(type->string) == 0)
                return fail(where + QStringLiteral(".type is missing or not a glTF accessor type"));
            const int size = componentSize(componentType);
            if (size == 0)
                return fail(where + QStringLiteral(".componentType %1 is not a glTF component type").arg(componentType));
            if (count < 1)
                return fail(where + QStringLiteral(".count must be at least 1"));
            const int elementSize = size * componentCount(type->string);
            Accessor accessor{view, count, componentType, offset, elementSize};
            if (view >= 0) {
                const View& bv = m_views[static_cast<size_t>(view)];
                const double stride = bv.stride > 0 ? bv.stride : elementSize;
                if (offset + (count - 1) * stride + elementSize > bv.length)
                    return fail(where + QStringLiteral(" reads past the end of bufferViews[%1]").arg(view));
            }
            m_accessors.push_back(accessor);
            m_accessorValues.push_back(&a);
        }
        return true;
    }

    /// Index values must address existing vertices; this is the classic crash in glTF loaders.
    bool checkIndices(long indicesAccessor, double vertexCount, const QString& where)
    {
        const Accessor& acc = m_accessors[static_cast<size_t>(indicesAccessor)];
        const int type = static_cast<int>(acc.componentType);
        if (type != 5121 && type != 5123 && type != 5125)
            return fail(where + QStringLiteral(".indices uses a component type that is not an unsigned integer"));
        if (acc.bufferView < 0)
            return true; // all zero by the spec
        const View& view = m_views[static_cast<size_t>(acc.bufferView)];
        const QByteArray& data = m_bufferData[view.buffer];
        const int size = componentSize(acc.componentType);
        const double stride = view.stride > 0 ? view.stride : size;
        for (double k = 0; k < acc.count; ++k) {
            const auto at = static_cast<qsizetype>(view.offset + acc.offset + k * stride);
            quint32 value = 0;
            std::memcpy(&value, data.constData() + at, static_cast<size_t>(size));
            if (value >= vertexCount)
                return fail(QStringLiteral("%1: index %2 points past the %3 vertices").arg(where).arg(value).arg(vertexCount));
        }
        return true;
    }

    bool checkMeshes()
    {
        if (!checkTopLevelArray(u"meshes"))
            return false;
        const auto& meshes = list(u"meshes");
        if (meshes.empty())
            return fail(QStringLiteral("the file has no meshes"));
        for (size_t i = 0; i < meshes.size(); ++i) {
            const QString where = QStringLiteral("meshes[%1]").arg(i);
            const json::Value& m = meshes[i];
            if (!m.isObject())
                return fail(where + QStringLiteral(" is not an object"));
            const json::Value* primitives = nullptr;
            if (!optionalArray(m, u"primitives", where, primitives))
                return false;
            if (!primitives || primitives->array.empty())
                return fail(where + QStringLiteral(" has no primitives"));
            for (size_t p = 0; p < primitives->array.size(); ++p) {
                const QString pwhere = QStringLiteral("%1.primitives[%2]").arg(where).arg(p);
                const json::Value& prim = primitives->array[p];
                const json::Value* attributes = prim.isObject() ? prim.find(u"attributes") : nullptr;
                if (!attributes || !attributes->isObject())
                    return fail(pwhere + QStringLiteral(".attributes is missing"));
                long position = -1;
                long indices = -1;
                if (!index(*attributes, u"POSITION", pwhere + QStringLiteral(".attributes"), m_accessors.size(), true,
                           position) ||
                    !index(prim, u"indices", pwhere, m_accessors.size(), false, indices))
                    return false;
                for (const json::Member& attribute : attributes->object) {
                    long ignored = -1;
                    if (!index(*attributes, attribute.key, pwhere + QStringLiteral(".attributes"), m_accessors.size(),
                               true, ignored))
                        return false;
                }
                if (!unitePositionBounds(position, pwhere))
                    return false;
                if (indices >= 0 && !checkIndices(indices, m_accessors[static_cast<size_t>(position)].count, pwhere))
                    return false;
            }
        }
        return true;
    }

    bool unitePositionBounds(long accessorIndex, const QString& where)
    {
        const json::Value& a = *m_accessorValues[static_cast<size_t>(accessorIndex)];
        const json::Value* min = a.find(u"min");
        const json::Value* max = a.find(u"max");
        if (!min || !max)
            return true; // optional in practice, required by the spec for POSITION; bounds stay unknown
        if (!min->isArray() || !max->isArray() || min->array.size() != 3 || max->array.size() != 3)
            return fail(where + QStringLiteral(": POSITION min/max are not 3-element arrays"));
        double lo[3];
        double hi[3];
        for (int k = 0; k < 3; ++k) {
            const json::Value& l = min->array[static_cast<size_t>(k)];
            const json::Value& h = max->array[static_cast<size_t>(k)];
            if (!l.isNumber() || !h.isNumber())
                return fail(where + QStringLiteral(": POSITION min/max hold a value that is not a number"));
            lo[k] = l.number;
            hi[k] = h.number;
        }
        const Vec3 low{lo[0], lo[1], lo[2]};
        const Vec3 high{hi[0], hi[1], hi[2]};
        if (!m_boundsKnown) {
            m_min = low;
            m_max = high;
            m_boundsKnown = true;
        } else {
            m_min = {std::min(m_min.x, low.x), std::min(m_min.y, low.y), std::min(m_min.z, low.z)};
            m_max = {std::max(m_max.x, high.x), std::max(m_max.y, high.y), std::max(m_max.z, high.z)};
        }
        return true;
    }

    bool checkNodes()
    {
        if (!checkTopLevelArray(u"nodes"))
            return false;
        const auto& nodes = list(u"nodes");
        const size_t meshCount = list(u"meshes").size();
        std::vector<std::vector<size_t>> children(nodes.size());
        for (size_t i = 0; i < nodes.size(); ++i) {
            const QString where = QStringLiteral("nodes[%1]").arg(i);
            const json::Value& n = nodes[i];
            if (!n.isObject())
                return fail(where + QStringLiteral(" is not an object"));
            long mesh = -1;
            if (!index(n, u"mesh", where, meshCount, false, mesh))
                return false;
            const json::Value* kids = nullptr;
            if (!optionalArray(n, u"children", where, kids))
                return false;
            if (!kids)
                continue;
            for (const json::Value& kid : kids->array) {
                if (!kid.isNumber() || kid.number < 0 || kid.number >= static_cast<double>(nodes.size()) ||
                    kid.number != std::floor(kid.number))
                    return fail(where + QStringLiteral(".children holds an index that is not a node"));
                children[i].push_back(static_cast<size_t>(kid.number));
            }
        }
        // A node reachable from itself would send any scene walker into endless recursion.
        enum class Mark { None, Active, Done };
        std::vector<Mark> marks(nodes.size(), Mark::None);
        for (size_t start = 0; start < nodes.size(); ++start) {
            if (marks[start] != Mark::None)
                continue;
            std::vector<std::pair<size_t, size_t>> stack{{start, 0}};
            marks[start] = Mark::Active;
            while (!stack.empty()) {
                auto& [node, next] = stack.back();
                if (next == children[node].size()) {
                    marks[node] = Mark::Done;
                    stack.pop_back();
                    continue;
                }
                const size_t child = children[node][next++];
                if (marks[child] == Mark::Active)
                    return fail(QStringLiteral("nodes[%1] is its own ancestor (a cycle in the node tree)").arg(child));
                if (marks[child] == Mark::None) {
                    marks[child] = Mark::Active;
                    stack.emplace_back(child, 0);
                }
            }
        }
        return true;
    }

    bool checkScenes()
    {
        if (!checkTopLevelArray(u"scenes"))
            return false;
        const size_t nodeCount = list(u"nodes").size();
        const auto& scenes = list(u"scenes");
        for (size_t i = 0; i < scenes.size(); ++i) {
            const json::Value& s = scenes[i];
            const QString where = QStringLiteral("scenes[%1]").arg(i);
            if (!s.isObject())
                return fail(where + QStringLiteral(" is not an object"));
            const json::Value* nodes = nullptr;
            if (!optionalArray(s, u"nodes", where, nodes))
                return false;
            if (!nodes)
                continue;
            for (const json::Value& n : nodes->array) {
                if (!n.isNumber() || n.number < 0 || n.number >= static_cast<double>(nodeCount) ||
                    n.number != std::floor(n.number))
                    return fail(where + QStringLiteral(".nodes holds an index that is not a node"));
            }
        }
        long scene = -1;
        return index(m_root, u"scene", QStringLiteral("the document"), scenes.size(), false, scene);
    }

    bool checkNodeName(const QString& name)
    {
        if (name.isEmpty())
            return true;
        // Qt 3D's glTF geometry loader picks a mesh by its name, so that is what must exist.
        for (const json::Value& item : list(u"meshes")) {
            const json::Value* n = item.find(u"name");
            if (n && n->isString() && n->string == name)
                return true;
        }
        return fail(QStringLiteral("no mesh named '%1' in the file").arg(name));
    }

    struct View
    {
        size_t buffer;
        double offset;
        double length;
        double stride;
    };
    struct Accessor
    {
        long bufferView;
        double count;
        double componentType;
        double offset;
        int elementSize;
    };

    const json::Value& m_root;
    QString m_baseDir;
    const QByteArray* m_glbBin;
    QString m_error;
    std::vector<QByteArray> m_bufferData;
    std::vector<double> m_bufferLength;
    std::vector<View> m_views;
    std::vector<Accessor> m_accessors;
    std::vector<const json::Value*> m_accessorValues;
    Vec3 m_min;
    Vec3 m_max;
    bool m_boundsKnown = false;
};

MeshProbe failedGltf(const QString& error)
{
    MeshProbe probe;
    probe.error = error;
    return probe;
}

} // namespace

MeshProbe probeGltfBytes(const QByteArray& bytes, bool binary, const QString& baseDir, const QString& node)
{
    QByteArray jsonBytes = bytes;
    glb::Chunks chunks;
    if (binary) {
        Result<glb::Chunks> split = glb::split(bytes);
        if (!split)
            return failedGltf(split.error().message);
        chunks = std::move(split).value();
        jsonBytes = chunks.json;
    }
    const json::ParseResult parsed = json::parse(jsonBytes);
    if (!parsed.ok)
        return failedGltf(QStringLiteral("glTF JSON is malformed at line %1, column %2: %3")
                               .arg(parsed.error.line)
                               .arg(parsed.error.column)
                               .arg(parsed.error.message));
    GltfChecker checker(parsed.root, baseDir, chunks.hasBin ? &chunks.bin : nullptr);
    return checker.run(node);
}

} // namespace twinspect
