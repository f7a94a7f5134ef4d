// SPDX-License-Identifier: Apache-2.0
#include "alarms/alarmoverrides.h"

#include "alarms/alarmengine.h"
#include "alarms/alarmjson.h"
#include "plant/json.h"
#include "plant/plant.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSet>

namespace twinspect::alarms {

namespace {

using json::Value;

constexpr int kFormatVersion = 1;
const QLatin1String kFormatName("twinspect-alarm-overrides");

/// Ids may hold '.', ':' and '/', so keys are written in brackets: $.sites["DEMO"]["P101.RUN"].
QString keyPath(const QString& parent, const QString& key)
{
    QString escaped = key;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""));
    return parent + QStringLiteral("[\"") + escaped + QStringLiteral("\"]");
}

QString located(const QString& fileName, int line, int column, const char* severity, const QString& path,
                const QString& message)
{
    return QStringLiteral("%1:%2:%3: %4: %5: %6")
        .arg(fileName)
        .arg(line)
        .arg(column)
        .arg(QLatin1String(severity), path, message);
}

Error invalidAt(const QString& fileName, int line, int column, const QString& path, const QString& message)
{
    return Error{QStringLiteral("alarm-overrides.invalid"), located(fileName, line, column, "error", path, message)};
}

Error invalid(const QString& fileName, const Value& at, const QString& path, const QString& message)
{
    return invalidAt(fileName, at.line, at.column, path, message);
}

} // namespace

const AlarmOverride* AlarmOverrides::find(const QString& siteId, const QString& tag) const
{
    const auto site = sites.constFind(siteId);
    if (site == sites.constEnd())
        return nullptr;
    const auto entry = site->constFind(tag);
    return entry == site->constEnd() ? nullptr : &entry.value();
}

Result<AlarmOverrides> loadAlarmOverrides(const QString& path)
{
    QFile file(path);
    if (!file.exists()) {
        AlarmOverrides none;
        none.fileName = path;
        return none;
    }
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("alarm-overrides.unreadable"),
                     QStringLiteral("%1: cannot read the alarm overrides: %2").arg(path, file.errorString())};
    return parseAlarmOverrides(file.read(4 << 20), path);
}

Result<AlarmOverrides> parseAlarmOverrides(const QByteArray& text, const QString& fileName)
{
    const json::ParseResult parsed = json::parse(text);
    if (!parsed.ok)
        return Error{QStringLiteral("alarm-overrides.invalid"), QStringLiteral("%1:%2:%3: error: not valid JSON: %4")
                                                                    .arg(fileName)
                                                                    .arg(parsed.error.line)
                                                                    .arg(parsed.error.column)
                                                                    .arg(parsed.error.message)};
    const Value& root = parsed.root;
    const QString rootPath = QStringLiteral("$");
    if (!root.isObject())
        return invalid(fileName, root, rootPath,
                       QStringLiteral("expected an object, got %1").arg(json::typeName(root.type)));
    const Value* format = root.find(u"format");
    if (!format || !format->isString() || format->string != kFormatName)
        return invalid(fileName, format ? *format : root, QStringLiteral("$.format"),
                       QStringLiteral("expected \"%1\"; is this an alarm overrides file?").arg(kFormatName));
    const Value* version = root.find(u"version");
    if (!version || !version->isNumber() || version->number != kFormatVersion)
        return invalid(
            fileName, version ? *version : root, QStringLiteral("$.version"),
            QStringLiteral("only version %1 is known; update Twinspect to read a newer file").arg(kFormatVersion));
    AlarmOverrides overrides;
    overrides.fileName = fileName;
    for (const json::Member& m : root.object) {
        if (m.key != u"format" && m.key != u"version" && m.key != u"sites")
            // Unknown settings are refused, as in backends.json: a misspelt key would silently do nothing.
            return invalid(fileName, m.value, QStringLiteral("$.") + m.key,
                           QStringLiteral("unknown field (misspelt?)"));
    }
    const Value* sites = root.find(u"sites");
    if (!sites)
        return overrides;
    if (!sites->isObject())
        return invalid(fileName, *sites, QStringLiteral("$.sites"),
                       QStringLiteral("expected an object of plant site ids, got %1").arg(json::typeName(sites->type)));
    for (const json::Member& site : sites->object) {
        const QString sitePath = keyPath(QStringLiteral("$.sites"), site.key);
        if (site.key.isEmpty())
            return invalid(fileName, site.value, sitePath, QStringLiteral("a plant site id cannot be empty"));
        if (!site.value.isObject())
            return invalid(
                fileName, site.value, sitePath,
                QStringLiteral("expected an object of tag ids, got %1").arg(json::typeName(site.value.type)));
        QMap<QString, AlarmOverride>& tags = overrides.sites[site.key];
        for (const json::Member& tag : site.value.object) {
            const QString tagPath = keyPath(sitePath, tag.key);
            if (tag.key.isEmpty())
                return invalid(fileName, tag.value, tagPath, QStringLiteral("a tag id cannot be empty"));
            if (!tag.value.isObject())
                return invalid(fileName, tag.value, tagPath,
                               QStringLiteral("expected an alarm object, got %1").arg(json::typeName(tag.value.type)));
            const AlarmJsonResult read = readAlarmConfig(tag.value, tag.key, {});
            for (const AlarmJsonIssue& issue : read.issues) {
                if (issue.isError)
                    return invalidAt(fileName, issue.line, issue.column, tagPath + issue.path, issue.message);
                overrides.warnings.append(
                    located(fileName, issue.line, issue.column, "warning", tagPath + issue.path, issue.message));
            }
            // The reader's rules and the engine's agree; checked again so that nothing the engine
            // would refuse (and with it every other alarm) can come from this file.
            if (const QString problem = configProblem(*read.config); !problem.isEmpty())
                return invalid(fileName, tag.value, tagPath, problem);
            tags.insert(tag.key, AlarmOverride{*read.config, tag.value.line, tag.value.column});
        }
    }
    return overrides;
}

QByteArray serializeAlarmOverrides(const AlarmOverrides& overrides)
{
    QJsonObject sites;
    for (auto site = overrides.sites.cbegin(); site != overrides.sites.cend(); ++site) {
        if (site->isEmpty())
            continue;
        QJsonObject tags;
        for (auto tag = site->cbegin(); tag != site->cend(); ++tag)
            tags.insert(tag.key(), alarmConfigToJson(tag->config));
        sites.insert(site.key(), tags);
    }
    QJsonObject root;
    root.insert(QLatin1String("format"), kFormatName);
    root.insert(QLatin1String("version"), kFormatVersion);
    root.insert(QLatin1String("sites"), sites);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<bool> saveAlarmOverrides(const QString& path, const AlarmOverrides& overrides)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(serializeAlarmOverrides(overrides)) < 0 || !file.commit())
        return Error{QStringLiteral("alarm-overrides.unwritable"),
                     QStringLiteral("%1: cannot save the alarm overrides: %2").arg(path, file.errorString())};
    return true;
}

Result<bool> storeAlarmOverride(const QString& path, const QString& siteId, const QString& tag,
                                const std::optional<AlarmConfig>& config)
{
    if (siteId.isEmpty() || tag.isEmpty())
        return Error{QStringLiteral("alarm-overrides.invalid"),
                     QStringLiteral("an alarm override needs a plant site id and a tag id")};
    if (config) {
        AlarmConfig checked = *config;
        checked.tag = tag;
        if (const QString problem = configProblem(checked); !problem.isEmpty())
            return Error{QStringLiteral("alarm.config"), problem};
    }
    Result<AlarmOverrides> loaded = loadAlarmOverrides(path);
    if (!loaded)
        return Error{loaded.error().code,
                     loaded.error().message + QStringLiteral(" — fix or remove the file before changing alarms")};
    AlarmOverrides overrides = std::move(loaded).value();
    if (config) {
        AlarmConfig stored = *config;
        stored.tag = tag;
        stored.unit.clear();
        overrides.sites[siteId].insert(tag, AlarmOverride{stored, 0, 0});
    } else if (auto site = overrides.sites.find(siteId); site != overrides.sites.end()) {
        site->remove(tag);
        if (site->isEmpty())
            overrides.sites.erase(site);
    }
    return saveAlarmOverrides(path, overrides);
}

AppliedAlarms applyAlarmOverrides(const Plant& plant, const AlarmOverrides& overrides)
{
    AppliedAlarms applied;
    const QMap<QString, AlarmOverride> none;
    const auto siteIt = overrides.sites.constFind(plant.siteId);
    const QMap<QString, AlarmOverride>& site = siteIt == overrides.sites.constEnd() ? none : siteIt.value();
    const QList<AlarmConfig> fromPlant = alarmConfigs(plant);
    QHash<QString, qsizetype> plantIndex;
    for (qsizetype i = 0; i < fromPlant.size(); ++i)
        plantIndex.insert(fromPlant[i].tag, i);

    // Walk the bindings in plant order, so an override keeps its tag's place in the alarm list.
    QSet<QString> seen;
    for (const Asset& asset : plant.assets) {
        for (const TagBinding& binding : asset.tags) {
            if (seen.contains(binding.tagId))
                continue;
            const auto over = site.constFind(binding.tagId);
            const auto inPlant = plantIndex.constFind(binding.tagId);
            if (over == site.constEnd() && inPlant == plantIndex.constEnd())
                continue;
            seen.insert(binding.tagId);
            if (over == site.constEnd()) {
                applied.configs.append(fromPlant[*inPlant]);
                continue;
            }
            AlarmConfig config = over->config;
            config.tag = binding.tagId;
            // The unit is the plant's: it belongs to the tag, not to its alarms.
            config.unit = inPlant != plantIndex.constEnd() ? fromPlant[*inPlant].unit : binding.unit;
            applied.configs.append(std::move(config));
            applied.overriddenTags.append(binding.tagId);
        }
    }
    for (auto it = site.cbegin(); it != site.cend(); ++it) {
        if (!seen.contains(it.key()))
            applied.problems.append(located(overrides.fileName, it->line, it->column, "warning",
                                            keyPath(keyPath(QStringLiteral("$.sites"), plant.siteId), it.key()),
                                            QStringLiteral("tag \"%1\" is not bound to any asset of plant site \"%2\"; "
                                                           "its override is ignored")
                                                .arg(it.key(), plant.siteId)));
    }
    return applied;
}

} // namespace twinspect::alarms
