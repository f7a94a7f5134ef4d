// SPDX-License-Identifier: Apache-2.0
#include "telemetry/jsonpayload.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace twinspect::telemetry {

namespace {

constexpr qsizetype maxPayloadBytes = 1 << 20;
constexpr qsizetype maxBatchSamples = 10'000;
constexpr int maxTagLength = 256;

QString fieldError(const QString& where, const QString& message)
{
    return where.isEmpty() ? message : where + QStringLiteral(": ") + message;
}

std::optional<Value> scalarValue(const QJsonValue& json)
{
    switch (json.type()) {
    case QJsonValue::Double: {
        const double number = json.toDouble();
        if (!std::isfinite(number))
            return std::nullopt;
        return Value{number};
    }
    case QJsonValue::Bool:
        return Value{json.toBool()};
    case QJsonValue::String:
        return Value{json.toString()};
    case QJsonValue::Null:
        return Value{};
    default:
        return std::nullopt;
    }
}

/// Source time: integer milliseconds since the epoch, or an ISO 8601 / RFC 3339 string with a zone.
std::optional<qint64> sourceTime(const QJsonValue& json)
{
    if (json.isDouble()) {
        const double ms = json.toDouble();
        // Between 1970 and 9999, whole milliseconds: seconds by mistake would land in 1970.
        if (!std::isfinite(ms) || ms < 0 || ms > 253402300799999.0 || std::floor(ms) != ms)
            return std::nullopt;
        return static_cast<qint64>(ms);
    }
    if (json.isString()) {
        const QString text = json.toString();
        const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
        // Without a zone the time would be read as local time: ambiguous, refuse it.
        if (!time.isValid() || time.timeSpec() == Qt::LocalTime)
            return std::nullopt;
        return time.toMSecsSinceEpoch();
    }
    return std::nullopt;
}

std::optional<Quality> publisherQuality(const QString& name)
{
    // A publisher may say its reading is good, uncertain or bad. Stale and untrusted are the
    // workstation's own judgements and cannot be claimed (nor disclaimed) by the data.
    if (name == u"good")
        return Quality::Good;
    if (name == u"uncertain")
        return Quality::Uncertain;
    if (name == u"bad")
        return Quality::Bad;
    return std::nullopt;
}

QString decodeObject(const QJsonObject& object, const QString& where, const QString& topicTag, qint64 receiveTimeMs,
                     Sample& sample)
{
    sample.receiveTimeMs = receiveTimeMs;
    sample.tag = topicTag;
    if (const QJsonValue tag = object.value(QLatin1String("tag")); !tag.isUndefined()) {
        if (!tag.isString() || tag.toString().isEmpty() || tag.toString().size() > maxTagLength)
            return fieldError(where + QStringLiteral(".tag"),
                              QStringLiteral("expected a tag id (1 to 256 characters)"));
        sample.tag = tag.toString();
    }
    if (sample.tag.isEmpty())
        return fieldError(where, QStringLiteral("no tag: the topic mapping gives none and the payload has no \"tag\""));

    const QJsonValue value = object.value(QLatin1String("v"));
    if (value.isUndefined())
        return fieldError(where, QStringLiteral("no value \"v\""));
    const std::optional<Value> decoded = scalarValue(value);
    if (!decoded)
        return fieldError(where + QStringLiteral(".v"),
                          QStringLiteral("expected a finite number, a boolean, a string or null"));
    sample.value = *decoded;

    if (const QJsonValue ts = object.value(QLatin1String("ts")); !ts.isUndefined()) {
        const std::optional<qint64> time = sourceTime(ts);
        if (!time)
            return fieldError(
                where + QStringLiteral(".ts"),
                QStringLiteral("expected milliseconds since 1970 (an integer) or an ISO 8601 time with a zone"));
        sample.sourceTimeMs = *time;
    }
    sample.quality = std::holds_alternative<std::monostate>(sample.value) ? Quality::Bad : Quality::Good;
    if (const QJsonValue q = object.value(QLatin1String("q")); !q.isUndefined()) {
        const std::optional<Quality> quality = q.isString() ? publisherQuality(q.toString()) : std::nullopt;
        if (!quality)
            return fieldError(where + QStringLiteral(".q"),
                              QStringLiteral("expected \"good\", \"uncertain\" or \"bad\""));
        sample.quality = std::max(sample.quality, *quality);
    }
    return {};
}

} // namespace

DecodeResult decodeJsonPayload(const QByteArray& payload, const QString& topicTag, qint64 receiveTimeMs)
{
    DecodeResult result;
    if (payload.size() > maxPayloadBytes) {
        result.error = QStringLiteral("payload of %1 bytes is larger than the 1 MiB limit").arg(payload.size());
        return result;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // A bare scalar ("12.5", "true") is a valid JSON text but not a QJsonDocument.
        const QJsonDocument wrapped = QJsonDocument::fromJson("[" + payload + "]", &parseError);
        if (parseError.error != QJsonParseError::NoError || wrapped.array().size() != 1 ||
            wrapped.array().at(0).isArray() || wrapped.array().at(0).isObject()) {
            result.error =
                QStringLiteral("not JSON: %1 at byte %2").arg(parseError.errorString()).arg(parseError.offset);
            return result;
        }
        QJsonObject single;
        single.insert(QLatin1String("v"), wrapped.array().at(0));
        Sample sample;
        result.error = decodeObject(single, {}, topicTag, receiveTimeMs, sample);
        if (result.ok())
            result.samples.push_back(std::move(sample));
        return result;
    }
    if (!document.isObject()) {
        result.error = QStringLiteral("expected an object (one sample or {\"samples\": [...]})");
        return result;
    }
    const QJsonObject root = document.object();
    const QJsonValue batch = root.value(QLatin1String("samples"));
    if (batch.isUndefined()) {
        Sample sample;
        result.error = decodeObject(root, {}, topicTag, receiveTimeMs, sample);
        if (result.ok())
            result.samples.push_back(std::move(sample));
        return result;
    }
    if (!batch.isArray()) {
        result.error = QStringLiteral("samples: expected an array");
        return result;
    }
    const QJsonArray items = batch.toArray();
    if (items.size() > maxBatchSamples) {
        result.error =
            QStringLiteral("samples: %1 samples is more than the limit of %2").arg(items.size()).arg(maxBatchSamples);
        return result;
    }
    result.samples.reserve(static_cast<size_t>(items.size()));
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString where = QStringLiteral("samples[%1]").arg(i);
        if (!items.at(i).isObject()) {
            result.error = fieldError(where, QStringLiteral("expected an object"));
            result.samples.clear();
            return result;
        }
        Sample sample;
        result.error = decodeObject(items.at(i).toObject(), where, topicTag, receiveTimeMs, sample);
        if (!result.ok()) {
            // One bad sample spoils the batch: a half-applied batch would be a silent loss.
            result.samples.clear();
            return result;
        }
        result.samples.push_back(std::move(sample));
    }
    return result;
}

QByteArray encodeJsonSample(const Sample& sample, bool includeTag)
{
    QJsonObject object;
    if (includeTag)
        object.insert(QLatin1String("tag"), sample.tag);
    if (sample.sourceTimeMs != 0)
        object.insert(QLatin1String("ts"), static_cast<double>(sample.sourceTimeMs));
    if (const auto* number = std::get_if<double>(&sample.value))
        object.insert(QLatin1String("v"), *number);
    else if (const auto* flag = std::get_if<bool>(&sample.value))
        object.insert(QLatin1String("v"), *flag);
    else if (const auto* text = std::get_if<QString>(&sample.value))
        object.insert(QLatin1String("v"), *text);
    else
        object.insert(QLatin1String("v"), QJsonValue::Null);
    if (sample.quality == Quality::Uncertain)
        object.insert(QLatin1String("q"), QStringLiteral("uncertain"));
    else if (sample.quality == Quality::Bad)
        object.insert(QLatin1String("q"), QStringLiteral("bad"));
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

bool topicMatches(QStringView filter, QStringView topic, QStringList* captures)
{
    // Called for every message: walk both in step without splitting into lists.
    if (captures)
        captures->clear();
    qsizetype f = 0;
    qsizetype t = 0;
    bool topicDone = false;
    while (f <= filter.size()) {
        qsizetype fEnd = filter.indexOf(u'/', f);
        if (fEnd < 0)
            fEnd = filter.size();
        const QStringView level = filter.sliced(f, fEnd - f);
        const bool lastFilterLevel = fEnd == filter.size();
        if (level == u"#") {
            // "#" is last and also matches the parent level itself ("a/#" matches "a").
            if (!lastFilterLevel)
                return false;
            if (captures)
                captures->append(topicDone ? QString() : topic.sliced(t).toString());
            return true;
        }
        if (topicDone)
            return false;
        qsizetype tEnd = topic.indexOf(u'/', t);
        if (tEnd < 0)
            tEnd = topic.size();
        const QStringView topicLevel = topic.sliced(t, tEnd - t);
        if (level == u"+") {
            if (captures)
                captures->append(topicLevel.toString());
        } else if (level != topicLevel) {
            return false;
        }
        topicDone = tEnd == topic.size();
        if (lastFilterLevel)
            return topicDone;
        f = fEnd + 1;
        t = topicDone ? t : tEnd + 1;
    }
    return false;
}

QString expandTagTemplate(const QString& tagTemplate, QStringView topic, const QStringList& captures)
{
    if (tagTemplate.isEmpty())
        return {};
    QString tag;
    tag.reserve(tagTemplate.size() + 16);
    for (qsizetype i = 0; i < tagTemplate.size(); ++i) {
        const QChar c = tagTemplate.at(i);
        if (c == u'{') {
            const qsizetype close = tagTemplate.indexOf(u'}', i);
            if (close > i) {
                const QStringView name = QStringView(tagTemplate).mid(i + 1, close - i - 1);
                bool isNumber = false;
                const int index = name.toInt(&isNumber);
                if (name == u"topic") {
                    tag += topic;
                    i = close;
                    continue;
                }
                if (isNumber && index >= 1 && index <= captures.size()) {
                    tag += captures.at(index - 1);
                    i = close;
                    continue;
                }
            }
        }
        tag += c;
    }
    return tag;
}

} // namespace twinspect::telemetry
