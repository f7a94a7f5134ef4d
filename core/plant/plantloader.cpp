// SPDX-License-Identifier: Apache-2.0
#include "plantloader.h"

#include "alarms/alarmjson.h"
#include "plant/json.h"
#include "plant/meshprobe.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <cmath>
#include <initializer_list>

namespace twinspect {

QString PlantDiagnostic::toString() const
{
    QString severityText;
    switch (severity) {
    case Severity::Warning:
        severityText = QStringLiteral("warning");
        break;
    case Severity::AssetError:
        severityText = QStringLiteral("asset error");
        break;
    case Severity::Error:
        severityText = QStringLiteral("error");
        break;
    }
    QString text = file;
    if (line > 0)
        text += QLatin1Char(':') + QString::number(line) + QLatin1Char(':') + QString::number(column);
    text += QStringLiteral(": ") + severityText + QStringLiteral(": ");
    if (!jsonPath.isEmpty())
        text += jsonPath + QStringLiteral(": ");
    return text + message;
}

int PlantLoadResult::count(PlantDiagnostic::Severity severity) const
{
    return static_cast<int>(std::count_if(diagnostics.cbegin(), diagnostics.cend(),
                                          [severity](const PlantDiagnostic& d) { return d.severity == severity; }));
}

QString PlantLoadResult::report() const
{
    QStringList lines;
    lines.reserve(diagnostics.size());
    for (const PlantDiagnostic& d : diagnostics)
        lines.append(d.toString());
    return lines.join(QLatin1Char('\n'));
}

namespace {

constexpr int kFormatVersion = 2;
constexpr int kAlarmsSinceVersion = 2;
using Severity = PlantDiagnostic::Severity;
using Type = json::Value::Type;

/// A JSON path built on the stack while walking; turned into text only when something is reported.
struct Path
{
    const Path* parent = nullptr;
    QStringView key;
    int index = -1;

    Path operator/(QStringView child) const { return Path{this, child, -1}; }
    Path operator[](size_t i) const { return Path{this, {}, static_cast<int>(i)}; }

    QString toString() const
    {
        QString tail;
        if (index >= 0)
            tail = QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
        else if (!key.isEmpty())
            tail = QLatin1Char('.') + key.toString();
        return parent ? parent->toString() + tail : QStringLiteral("$") + tail;
    }
};

bool isValidId(const QString& id)
{
    if (id.isEmpty() || id.size() > 128)
        return false;
    for (const QChar c : id) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'_' ||
                        u == u'-' || u == u'.' || u == u':' || u == u'/';
        if (!ok)
            return false;
    }
    return true;
}

QString quoted(const QString& text)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : text) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\') + c;
        else if (c.unicode() < 0x20)
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out + QLatin1Char('"');
}

/// Scalars as plain text; arrays and objects as compact JSON (strings quoted and escaped).
QString compactJson(const json::Value& v)
{
    switch (v.type) {
    case Type::Null:
        return QStringLiteral("null");
    case Type::Bool:
        return v.boolean ? QStringLiteral("true") : QStringLiteral("false");
    case Type::Number:
        return QString::number(v.number, 'g', 15);
    case Type::String:
        return v.string;
    case Type::Array: {
        QStringList parts;
        for (const json::Value& e : v.array)
            parts.append(e.isString() ? quoted(e.string) : compactJson(e));
        return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    case Type::Object: {
        QStringList parts;
        for (const json::Member& m : v.object)
            parts.append(quoted(m.key) + QStringLiteral(": ") + (m.value.isString() ? quoted(m.value.string) : compactJson(m.value)));
        return QLatin1Char('{') + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
    }
    }
    return {};
}

class Loader
{
public:
    Loader(QString fileName, QString baseDir, const PlantLoadOptions& options)
        : m_fileName(std::move(fileName))
        , m_baseDir(std::move(baseDir))
        , m_options(options)
    {
    }

    PlantLoadResult run(const QByteArray& bytes)
    {
        const json::ParseResult parsed = json::parse(bytes);
        if (!parsed.ok) {
            m_result.diagnostics.append(PlantDiagnostic{Severity::Error, m_fileName, parsed.error.line,
                                                        parsed.error.column, {},
                                                        QStringLiteral("not valid JSON: ") + parsed.error.message, {}});
            return std::move(m_result);
        }
        Plant plant;
        plant.sourceFile = m_fileName;
        readRoot(parsed.root, plant);
        if (m_suppressedErrors > 0) {
            m_result.diagnostics.append(PlantDiagnostic{
                Severity::Error, m_fileName, 0, 0, {},
                m_suppressedErrors == 1 ? QStringLiteral("1 more error not listed")
                                        : QStringLiteral("%1 more errors not listed").arg(m_suppressedErrors),
                {}});
        }
        if (m_errorCount == 0) {
            plant.rebuildIndex();
            m_result.plant = std::move(plant);
        }
        return std::move(m_result);
    }

private:
    void report(Severity severity, const json::Value& at, const Path& path, const QString& message,
                const QString& assetId = {})
    {
        report(severity, at.line, at.column, path.toString(), message, assetId);
    }

    void report(Severity severity, int line, int column, const QString& path, const QString& message,
                const QString& assetId = {})
    {
        if (severity == Severity::Error) {
            ++m_errorCount;
            if (m_errorCount > m_options.maxErrors) {
                ++m_suppressedErrors;
                return;
            }
        }
        m_result.diagnostics.append(PlantDiagnostic{severity, m_fileName, line, column, path, message, assetId});
    }

    void error(const json::Value& at, const Path& path, const QString& message) { report(Severity::Error, at, path, message); }

    void warnUnknown(const json::Value& object, const Path& path, std::initializer_list<QStringView> known)
    {
        for (const json::Member& member : object.object) {
            if (std::find(known.begin(), known.end(), QStringView(member.key)) == known.end())
                report(Severity::Warning, member.value, path / member.key,
                       QStringLiteral("unknown field \"%1\" is ignored").arg(member.key));
        }
    }

    /// The member, checked for type. Missing required members and wrong types are errors.
    const json::Value* member(const json::Value& object, QStringView key, const Path& path, Type type, bool required)
    {
        const json::Value* v = object.find(key);
        if (!v) {
            if (required)
                error(object, path / key, QStringLiteral("required field \"%1\" is missing").arg(key.toString()));
            return nullptr;
        }
        if (v->type != type) {
            error(*v, path / key, QStringLiteral("expected %1, got %2").arg(json::typeName(type), json::typeName(v->type)));
            return nullptr;
        }
        return v;
    }

    QString string(const json::Value& object, QStringView key, const Path& path, bool required, const QString& fallback = {})
    {
        const json::Value* v = member(object, key, path, Type::String, required);
        return v ? v->string : fallback;
    }

    /// A number that must be > 0 (sizes, diameters) or any finite number.
    std::optional<double> number(const json::Value& object, QStringView key, const Path& path, bool required,
                                 bool positive)
    {
        const json::Value* v = member(object, key, path, Type::Number, required);
        if (!v)
            return std::nullopt;
        if (positive && !(v->number > 0.0)) {
            error(*v, path / key, QStringLiteral("must be greater than 0, got %1").arg(v->number));
            return std::nullopt;
        }
        return v->number;
    }

    bool vec3(const json::Value& v, const Path& path, Vec3& out, bool positive)
    {
        if (!v.isArray() || v.array.size() != 3) {
            error(v, path, QStringLiteral("expected an array of 3 numbers, got %1").arg(v.isArray()
                      ? QStringLiteral("%1 elements").arg(v.array.size()) : json::typeName(v.type)));
            return false;
        }
        double xyz[3];
        for (size_t i = 0; i < 3; ++i) {
            const json::Value& e = v.array[i];
            if (!e.isNumber()) {
                error(e, path[i], QStringLiteral("expected a number, got %1").arg(json::typeName(e.type)));
                return false;
            }
            if (positive && !(e.number > 0.0)) {
                error(e, path[i], QStringLiteral("must be greater than 0, got %1").arg(e.number));
                return false;
            }
            xyz[i] = e.number;
        }
        out = Vec3{xyz[0], xyz[1], xyz[2]};
        return true;
    }

    QString uniqueId(const json::Value& object, const Path& path, QSet<QString>& seen, const char* what)
    {
        const json::Value* v = member(object, u"id", path, Type::String, true);
        if (!v)
            return {};
        if (!isValidId(v->string)) {
            error(*v, path / u"id",
                  QStringLiteral("id \"%1\" is not valid: use 1-128 letters, digits, '_', '-', '.', ':' or '/'").arg(v->string));
            return {};
        }
        if (seen.contains(v->string)) {
            error(*v, path / u"id", QStringLiteral("duplicate %1 id \"%2\"").arg(QLatin1String(what), v->string));
            return {};
        }
        seen.insert(v->string);
        return v->string;
    }

    QList<MetadataEntry> metadata(const json::Value& object, const Path& path)
    {
        QList<MetadataEntry> entries;
        const json::Value* v = member(object, u"metadata", path, Type::Object, false);
        if (!v)
            return entries;
        entries.reserve(static_cast<qsizetype>(v->object.size()));
        for (const json::Member& m : v->object)
            entries.append(MetadataEntry{m.key, compactJson(m.value)});
        return entries;
    }

    void readRoot(const json::Value& root, Plant& plant)
    {
        const Path path;
        if (!root.isObject()) {
            error(root, path, QStringLiteral("a plant file is a JSON object, got %1").arg(json::typeName(root.type)));
            return;
        }
        warnUnknown(root, path, {u"$schema", u"format", u"version", u"site", u"pipes"});
        const json::Value* format = member(root, u"format", path, Type::String, true);
        if (format && format->string != QLatin1String("twinspect-plant"))
            error(*format, path / u"format",
                  QStringLiteral("expected \"twinspect-plant\", got \"%1\"; is this a plant file?").arg(format->string));
        if (const json::Value* version = member(root, u"version", path, Type::Number, true)) {
            if (version->number != std::floor(version->number) || version->number < 1)
                error(*version, path / u"version", QStringLiteral("format version must be a positive integer"));
            else if (version->number > kFormatVersion)
                error(*version, path / u"version",
                      QStringLiteral("format version %1 is newer than this Twinspect reads (%2); update Twinspect")
                          .arg(version->number)
                          .arg(kFormatVersion));
            else
                plant.formatVersion = m_formatVersion = static_cast<int>(version->number);
        }
        if (const json::Value* site = member(root, u"site", path, Type::Object, true))
            readSite(*site, path / u"site", plant);
        if (const json::Value* pipes = member(root, u"pipes", path, Type::Array, false))
            readPipes(*pipes, path / u"pipes", plant);
    }

    void readSite(const json::Value& site, const Path& path, Plant& plant)
    {
        warnUnknown(site, path, {u"id", u"name", u"description", u"metadata", u"areas"});
        QSet<QString> siteIds;
        plant.siteId = uniqueId(site, path, siteIds, "site");
        plant.siteName = string(site, u"name", path, false, plant.siteId);
        plant.description = string(site, u"description", path, false);
        plant.metadata = metadata(site, path);
        const json::Value* areas = member(site, u"areas", path, Type::Array, true);
        if (!areas)
            return;
        const Path areasPath = path / u"areas";
        QSet<QString> areaIds;
        QSet<QString> unitIds;
        for (size_t a = 0; a < areas->array.size(); ++a) {
            const json::Value& areaValue = areas->array[a];
            const Path areaPath = areasPath[a];
            if (!areaValue.isObject()) {
                error(areaValue, areaPath, QStringLiteral("expected an object, got %1").arg(json::typeName(areaValue.type)));
                continue;
            }
            warnUnknown(areaValue, areaPath, {u"id", u"name", u"units", u"metadata"});
            Area area;
            area.id = uniqueId(areaValue, areaPath, areaIds, "area");
            area.name = string(areaValue, u"name", areaPath, false, area.id);
            const int areaIndex = static_cast<int>(plant.areas.size());
            if (const json::Value* units = member(areaValue, u"units", areaPath, Type::Array, true)) {
                const Path unitsPath = areaPath / u"units";
                for (size_t u = 0; u < units->array.size(); ++u)
                    readUnit(units->array[u], unitsPath[u], plant, area, areaIndex, unitIds);
            }
            plant.areas.append(std::move(area));
        }
    }

    void readUnit(const json::Value& unitValue, const Path& path, Plant& plant, Area& area, int areaIndex,
                  QSet<QString>& unitIds)
    {
        if (!unitValue.isObject()) {
            error(unitValue, path, QStringLiteral("expected an object, got %1").arg(json::typeName(unitValue.type)));
            return;
        }
        warnUnknown(unitValue, path, {u"id", u"name", u"assets", u"metadata"});
        Unit unit;
        unit.id = uniqueId(unitValue, path, unitIds, "unit");
        unit.name = string(unitValue, u"name", path, false, unit.id);
        const int unitIndex = static_cast<int>(area.units.size());
        if (const json::Value* assets = member(unitValue, u"assets", path, Type::Array, true)) {
            const Path assetsPath = path / u"assets";
            unit.assetIndexes.reserve(static_cast<qsizetype>(assets->array.size()));
            for (size_t i = 0; i < assets->array.size(); ++i) {
                Asset asset;
                asset.areaIndex = areaIndex;
                asset.unitIndex = unitIndex;
                if (readAsset(assets->array[i], assetsPath[i], asset)) {
                    unit.assetIndexes.append(static_cast<int>(plant.assets.size()));
                    plant.assets.append(std::move(asset));
                }
            }
        }
        area.units.append(std::move(unit));
    }

    bool readAsset(const json::Value& v, const Path& path, Asset& asset)
    {
        if (!v.isObject()) {
            error(v, path, QStringLiteral("expected an object, got %1").arg(json::typeName(v.type)));
            return false;
        }
        warnUnknown(v, path, {u"id", u"name", u"type", u"transform", u"geometry", u"tags", u"metadata"});
        asset.id = uniqueId(v, path, m_assetIds, "asset");
        asset.name = string(v, u"name", path, false, asset.id);
        if (const json::Value* type = member(v, u"type", path, Type::String, true)) {
            asset.type = type->string.toLower();
            if (!assetTypes().contains(asset.type))
                report(Severity::Warning, *type, path / u"type",
                       QStringLiteral("unknown asset type \"%1\"; it is shown with the default look").arg(type->string));
        }
        if (const json::Value* transform = member(v, u"transform", path, Type::Object, false))
            readTransform(*transform, path / u"transform", asset.transform);
        if (const json::Value* geometry = member(v, u"geometry", path, Type::Object, true))
            readGeometry(*geometry, path / u"geometry", asset);
        if (const json::Value* tags = member(v, u"tags", path, Type::Array, false))
            readTags(*tags, path / u"tags", asset);
        asset.metadata = metadata(v, path);
        return !asset.id.isEmpty();
    }

    void readTransform(const json::Value& v, const Path& path, Transform& transform)
    {
        warnUnknown(v, path, {u"position", u"rotation", u"scale"});
        if (const json::Value* p = v.find(u"position"))
            vec3(*p, path / u"position", transform.position, false);
        if (const json::Value* r = v.find(u"rotation"))
            vec3(*r, path / u"rotation", transform.rotationDegrees, false);
        if (const json::Value* s = v.find(u"scale")) {
            if (s->isNumber()) {
                if (s->number > 0.0)
                    transform.scale = Vec3{s->number, s->number, s->number};
                else
                    error(*s, path / u"scale", QStringLiteral("must be greater than 0, got %1").arg(s->number));
            } else {
                vec3(*s, path / u"scale", transform.scale, true);
            }
        }
    }

    void readGeometry(const json::Value& v, const Path& path, Asset& asset)
    {
        Geometry& g = asset.geometry;
        const json::Value* primitive = v.find(u"primitive");
        const json::Value* mesh = v.find(u"mesh");
        if ((primitive != nullptr) == (mesh != nullptr)) {
            error(v, path, QStringLiteral("give exactly one of \"primitive\" or \"mesh\""));
            return;
        }
        if (mesh) {
            warnUnknown(v, path, {u"mesh", u"node", u"size"});
            readMesh(v, path, asset);
            return;
        }
        const QString kind = string(v, u"primitive", path, true);
        if (kind == QLatin1String("box")) {
            warnUnknown(v, path, {u"primitive", u"size"});
            g.primitive = PrimitiveKind::Box;
            if (const json::Value* size = member(v, u"size", path, Type::Array, true))
                vec3(*size, path / u"size", g.extent, true);
        } else if (kind == QLatin1String("cylinder")) {
            warnUnknown(v, path, {u"primitive", u"radius", u"height"});
            g.primitive = PrimitiveKind::Cylinder;
            const auto radius = number(v, u"radius", path, true, true);
            const auto height = number(v, u"height", path, true, true);
            if (radius && height)
                g.extent = Vec3{*radius * 2, *height, *radius * 2};
        } else if (kind == QLatin1String("sphere")) {
            warnUnknown(v, path, {u"primitive", u"radius"});
            g.primitive = PrimitiveKind::Sphere;
            if (const auto radius = number(v, u"radius", path, true, true))
                g.extent = Vec3{*radius * 2, *radius * 2, *radius * 2};
        } else if (primitive->isString()) {
            error(*primitive, path / u"primitive",
                  QStringLiteral("unknown primitive \"%1\"; use box, cylinder or sphere").arg(kind));
        }
    }

    void readMesh(const json::Value& v, const Path& path, Asset& asset)
    {
        Geometry& g = asset.geometry;
        g.isMesh = true;
        const json::Value* file = member(v, u"mesh", path, Type::String, true);
        if (!file)
            return;
        g.mesh.declaredPath = file->string;
        g.mesh.node = string(v, u"node", path, false);
        if (const json::Value* size = v.find(u"size"))
            vec3(*size, path / u"size", g.extent, true);
        const std::optional<MeshInfo::Format> format = meshFormatForPath(file->string);
        if (!format) {
            error(*file, path / u"mesh",
                  QStringLiteral("unsupported mesh file \"%1\"; use .gltf, .glb, .obj or .stl").arg(file->string));
            return;
        }
        g.mesh.format = *format;
        g.mesh.absolutePath = QDir::cleanPath(QDir(m_baseDir).absoluteFilePath(file->string));
        if (!m_options.probeMeshes)
            return;
        const MeshProbe probe = probeMeshFile(g.mesh.absolutePath, *format, g.mesh.node);
        if (!probe.ok()) {
            asset.problem = probe.error;
            report(Severity::AssetError, *file, path / u"mesh",
                   QStringLiteral("asset \"%1\" is shown as a placeholder: %2").arg(asset.id, probe.error), asset.id);
            return;
        }
        g.mesh.boundsKnown = probe.boundsKnown;
        g.mesh.boundsMin = probe.boundsMin;
        g.mesh.boundsMax = probe.boundsMax;
    }

    void readTags(const json::Value& tags, const Path& path, Asset& asset)
    {
        QSet<QString> seen;
        asset.tags.reserve(static_cast<qsizetype>(tags.array.size()));
        for (size_t i = 0; i < tags.array.size(); ++i) {
            const json::Value& t = tags.array[i];
            const Path tagPath = path[i];
            if (!t.isObject()) {
                error(t, tagPath, QStringLiteral("expected an object, got %1").arg(json::typeName(t.type)));
                continue;
            }
            warnUnknown(t, tagPath, {u"id", u"role", u"unit", u"range", u"description", u"alarms"});
            TagBinding binding;
            binding.tagId = uniqueId(t, tagPath, seen, "tag");
            binding.role = string(t, u"role", tagPath, true).toLower();
            if (!binding.role.isEmpty() && !tagRoles().contains(binding.role))
                report(Severity::Warning, *t.find(u"role"), tagPath / u"role",
                       QStringLiteral("unknown tag role \"%1\"").arg(binding.role));
            binding.unit = string(t, u"unit", tagPath, false);
            if (const json::Value* range = t.find(u"range")) {
                const Path rangePath = tagPath / u"range";
                if (!range->isArray() || range->array.size() != 2 || !range->array[0].isNumber() ||
                    !range->array[1].isNumber()) {
                    error(*range, rangePath, QStringLiteral("expected [min, max] with two numbers"));
                } else if (!(range->array[0].number < range->array[1].number)) {
                    error(*range, rangePath, QStringLiteral("min (%1) must be less than max (%2)")
                                                 .arg(range->array[0].number)
                                                 .arg(range->array[1].number));
                } else {
                    binding.rangeMin = range->array[0].number;
                    binding.rangeMax = range->array[1].number;
                }
            }
            if (const json::Value* alarms = member(t, u"alarms", tagPath, Type::Object, false))
                readAlarms(*alarms, tagPath / u"alarms", asset.id, binding);
            if (!binding.tagId.isEmpty())
                asset.tags.append(std::move(binding));
        }
    }

    void readAlarms(const json::Value& v, const Path& path, const QString& assetId, TagBinding& binding)
    {
        if (m_formatVersion > 0 && m_formatVersion < kAlarmsSinceVersion) {
            error(v, path,
                  QStringLiteral("alarms need format version %1; set \"version\": %1").arg(kAlarmsSinceVersion));
            return;
        }
        // The alarm object's own rules are shared with the alarm overrides file (alarms/alarmjson.h).
        const alarms::AlarmJsonResult read =
            alarms::readAlarmConfig(v, binding.tagId, binding.unit, binding.rangeMin, binding.rangeMax);
        const QString prefix = path.toString();
        for (const alarms::AlarmJsonIssue& issue : read.issues)
            report(issue.isError ? Severity::Error : Severity::Warning, issue.line, issue.column, prefix + issue.path,
                   issue.message);
        if (!read.config || binding.tagId.isEmpty())
            return;
        if (const auto owner = m_alarmOwners.constFind(binding.tagId); owner != m_alarmOwners.constEnd()) {
            error(v, path,
                  QStringLiteral("tag \"%1\" already has alarms on asset \"%2\"; give a tag's alarms once")
                      .arg(binding.tagId, owner.value()));
            return;
        }
        m_alarmOwners.insert(binding.tagId, assetId);
        binding.alarms = *read.config;
    }

    void readPipes(const json::Value& pipes, const Path& path, Plant& plant)
    {
        plant.pipes.reserve(static_cast<qsizetype>(pipes.array.size()));
        for (size_t i = 0; i < pipes.array.size(); ++i) {
            const json::Value& v = pipes.array[i];
            const Path pipePath = path[i];
            if (!v.isObject()) {
                error(v, pipePath, QStringLiteral("expected an object, got %1").arg(json::typeName(v.type)));
                continue;
            }
            warnUnknown(v, pipePath, {u"id", u"name", u"from", u"to", u"diameter", u"path", u"metadata"});
            Pipe pipe;
            pipe.id = uniqueId(v, pipePath, m_assetIds, "asset or pipe");
            pipe.name = string(v, u"name", pipePath, false, pipe.id);
            for (const auto& [key, target] : {std::pair{u"from", &pipe.fromAssetId}, std::pair{u"to", &pipe.toAssetId}}) {
                const json::Value* end = member(v, key, pipePath, Type::String, true);
                if (!end)
                    continue;
                *target = end->string;
                // Assets are all read before pipes, so a miss here is a real dangling reference.
                if (!assetExists(plant, end->string))
                    error(*end, pipePath / key,
                          QStringLiteral("refers to asset \"%1\", which is not in the plant").arg(end->string));
            }
            if (const auto diameter = number(v, u"diameter", pipePath, false, true))
                pipe.diameter = *diameter;
            if (const json::Value* waypoints = member(v, u"path", pipePath, Type::Array, false)) {
                const Path waypointsPath = pipePath / u"path";
                for (size_t w = 0; w < waypoints->array.size(); ++w) {
                    Vec3 point;
                    if (vec3(waypoints->array[w], waypointsPath[w], point, false))
                        pipe.waypoints.append(point);
                }
            }
            pipe.metadata = metadata(v, pipePath);
            if (!pipe.id.isEmpty())
                plant.pipes.append(std::move(pipe));
        }
    }

    bool assetExists(const Plant& plant, const QString& id)
    {
        if (m_assetIdsInPlant.isEmpty()) {
            m_assetIdsInPlant.reserve(plant.assets.size());
            for (const Asset& a : plant.assets)
                m_assetIdsInPlant.insert(a.id);
        }
        return m_assetIdsInPlant.contains(id);
    }

    QString m_fileName;
    QString m_baseDir;
    PlantLoadOptions m_options;
    PlantLoadResult m_result;
    QSet<QString> m_assetIds;
    QSet<QString> m_assetIdsInPlant;
    QHash<QString, QString> m_alarmOwners; ///< tag id -> the asset whose binding gave its alarms
    int m_formatVersion = 0;               ///< 0 until a valid version was read
    int m_errorCount = 0;
    int m_suppressedErrors = 0;
};

} // namespace

PlantLoadResult PlantLoader::loadFile(const QString& path, const PlantLoadOptions& options)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        PlantLoadResult result;
        result.diagnostics.append(PlantDiagnostic{Severity::Error, path, 0, 0, {},
                                                  QStringLiteral("cannot open the plant file: %1").arg(file.errorString()),
                                                  {}});
        return result;
    }
    return loadBytes(file.readAll(), path, QFileInfo(path).absolutePath(), options);
}

PlantLoadResult PlantLoader::loadBytes(const QByteArray& bytes, const QString& fileName, const QString& baseDir,
                                       const PlantLoadOptions& options)
{
    return Loader(fileName, baseDir, options).run(bytes);
}

} // namespace twinspect
