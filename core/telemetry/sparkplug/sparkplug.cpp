// SPDX-License-Identifier: Apache-2.0
#include "telemetry/sparkplug/sparkplug.h"

#include "sparkplug_b.pb.h"

#include <QDateTime>
#include <QHash>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>
#include <string>
#include <utility>
#include <vector>

namespace twinspect::telemetry::sparkplug {

namespace pb = org::eclipse::tahu::protobuf;
using Severity = Problem::Severity;

namespace {

constexpr QStringView kNamespace = u"spBv1.0";
// Beyond this many problems in one message the rest are only counted: a hostile message with
// 100 000 bad metrics must not become 100 000 lines in the problems panel.
constexpr qsizetype kMaxProblemsPerMessage = 32;
constexpr qsizetype kMaxQuotedChars = 120;
constexpr qsizetype kMiB = qsizetype{1024} * 1024;
// 9999-12-31T23:59:59.999Z: later "times" are garbage, and would overflow qint64 arithmetic.
constexpr quint64 kMaxTimeMs = 253402300799999ULL;

enum class MessageType
{
    NBirth,
    NData,
    NDeath,
    DBirth,
    DData,
    DDeath,
    NCmd,
    DCmd,
    State
};

std::optional<MessageType> messageType(QStringView name)
{
    static constexpr std::pair<QStringView, MessageType> kTypes[] = {
        {u"NBIRTH", MessageType::NBirth}, {u"NDATA", MessageType::NData}, {u"NDEATH", MessageType::NDeath},
        {u"DBIRTH", MessageType::DBirth}, {u"DDATA", MessageType::DData}, {u"DDEATH", MessageType::DDeath},
        {u"NCMD", MessageType::NCmd},     {u"DCMD", MessageType::DCmd},   {u"STATE", MessageType::State},
    };
    for (const auto& [text, type] : kTypes) {
        if (name == text)
            return type;
    }
    return std::nullopt;
}

bool isDeviceMessage(MessageType type)
{
    return type == MessageType::DBirth || type == MessageType::DData || type == MessageType::DDeath ||
           type == MessageType::DCmd;
}

// '+' and '#' are MQTT wildcards: an id holding one could never have been published to.
bool isValidId(QStringView id)
{
    return !id.isEmpty() && !id.contains(u'+') && !id.contains(u'#');
}

std::optional<std::pair<Topic, MessageType>> splitTopic(QStringView topic)
{
    const QList<QStringView> parts = topic.split(u'/');
    if (parts.size() < 3 || parts[0] != kNamespace)
        return std::nullopt;
    if (parts.size() == 3) {
        // Sparkplug 3.0 host STATE: spBv1.0/STATE/<host id>.
        if (parts[1] != u"STATE" || !isValidId(parts[2]))
            return std::nullopt;
        return std::pair{Topic{{}, QStringLiteral("STATE"), parts[2].toString(), {}}, MessageType::State};
    }
    const std::optional<MessageType> type = messageType(parts[2]);
    if (!type || *type == MessageType::State)
        return std::nullopt;
    const bool device = isDeviceMessage(*type);
    if (parts.size() != (device ? 5 : 4))
        return std::nullopt;
    if (!isValidId(parts[1]) || !isValidId(parts[3]) || (device && !isValidId(parts[4])))
        return std::nullopt;
    Topic result{parts[1].toString(), parts[2].toString(), parts[3].toString(), {}};
    if (device)
        result.device = parts[4].toString();
    return std::pair{std::move(result), *type};
}

QString quoted(QStringView text)
{
    if (text.size() <= kMaxQuotedChars)
        return u'"' + text.toString() + u'"';
    return u'"' + text.left(kMaxQuotedChars).toString() + u"…\"";
}

QString fromStd(const std::string& text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString datatypeName(quint32 datatype)
{
    if (datatype <= static_cast<quint32>(INT_MAX) && pb::DataType_IsValid(static_cast<int>(datatype)))
        return fromStd(pb::DataType_Name(static_cast<pb::DataType>(datatype)));
    return QStringLiteral("datatype %1").arg(datatype);
}

bool isSupported(quint32 datatype)
{
    switch (datatype) {
    case pb::Int8:
    case pb::Int16:
    case pb::Int32:
    case pb::Int64:
    case pb::UInt8:
    case pb::UInt16:
    case pb::UInt32:
    case pb::UInt64:
    case pb::Float:
    case pb::Double:
    case pb::Boolean:
    case pb::String:
    case pb::DateTime:
    case pb::Text:
    case pb::UUID:
        return true;
    default:
        return false;
    }
}

std::optional<qint64> validTime(bool present, quint64 ms)
{
    if (!present || ms > kMaxTimeMs)
        return std::nullopt;
    return static_cast<qint64>(ms);
}

// Encoders disagree on which field carries an integer (Tahu Java puts UInt32 in long_value, C in
// int_value) and on sign extension (Int8 -1 arrives as 0xFF or 0xFFFFFFFF): accept either field
// and let the datatype decide how many low bits count.
std::optional<quint64> rawInteger(const pb::Payload_Metric& metric)
{
    switch (metric.value_case()) {
    case pb::Payload_Metric::kIntValue:
        return metric.int_value();
    case pb::Payload_Metric::kLongValue:
        return metric.long_value();
    default:
        return std::nullopt;
    }
}

template <typename T> double narrowed(quint64 raw)
{
    return static_cast<double>(static_cast<T>(raw)); // C++20: conversion to a narrower type is modulo 2^N
}

// A float like 12.1f widened directly is 12.100000381469727; operators expect the 12.1 the
// publisher meant, so go through the float's shortest decimal form.
double widenedFloat(float value)
{
    if (!std::isfinite(value))
        return static_cast<double>(value);
    char text[64];
    const auto written = std::to_chars(text, text + sizeof text, value);
    double result = 0;
    if (written.ec != std::errc() || std::from_chars(text, written.ptr, result).ec != std::errc())
        return static_cast<double>(value);
    return result;
}

QString valueFieldName(pb::Payload_Metric::ValueCase valueCase)
{
    switch (valueCase) {
    case pb::Payload_Metric::kIntValue:
        return QStringLiteral("int_value");
    case pb::Payload_Metric::kLongValue:
        return QStringLiteral("long_value");
    case pb::Payload_Metric::kFloatValue:
        return QStringLiteral("float_value");
    case pb::Payload_Metric::kDoubleValue:
        return QStringLiteral("double_value");
    case pb::Payload_Metric::kBooleanValue:
        return QStringLiteral("boolean_value");
    case pb::Payload_Metric::kStringValue:
        return QStringLiteral("string_value");
    case pb::Payload_Metric::kBytesValue:
        return QStringLiteral("bytes_value");
    case pb::Payload_Metric::kDatasetValue:
        return QStringLiteral("dataset_value");
    case pb::Payload_Metric::kTemplateValue:
        return QStringLiteral("template_value");
    case pb::Payload_Metric::kExtensionValue:
        return QStringLiteral("extension_value");
    case pb::Payload_Metric::VALUE_NOT_SET:
        break;
    }
    return QStringLiteral("no value");
}

/// The value of a metric whose datatype is supported; nullopt when the value field does not fit it.
std::optional<Value> decodeValue(const pb::Payload_Metric& metric, quint32 datatype)
{
    const auto valueCase = metric.value_case();
    switch (datatype) {
    case pb::Int8:
    case pb::Int16:
    case pb::Int32:
    case pb::Int64:
    case pb::UInt8:
    case pb::UInt16:
    case pb::UInt32:
    case pb::UInt64: {
        const std::optional<quint64> raw = rawInteger(metric);
        if (!raw)
            return std::nullopt;
        switch (datatype) {
        case pb::Int8:
            return Value{narrowed<qint8>(*raw)};
        case pb::Int16:
            return Value{narrowed<qint16>(*raw)};
        case pb::Int32:
            return Value{narrowed<qint32>(*raw)};
        case pb::Int64:
            return Value{narrowed<qint64>(*raw)};
        case pb::UInt8:
            return Value{narrowed<quint8>(*raw)};
        case pb::UInt16:
            return Value{narrowed<quint16>(*raw)};
        case pb::UInt32:
            return Value{narrowed<quint32>(*raw)};
        default:
            return Value{narrowed<quint64>(*raw)};
        }
    }
    case pb::Float:
    case pb::Double:
        // Lenient about float vs double field: the number is the same either way.
        if (valueCase == pb::Payload_Metric::kFloatValue)
            return Value{widenedFloat(metric.float_value())};
        if (valueCase == pb::Payload_Metric::kDoubleValue)
            return Value{metric.double_value()};
        return std::nullopt;
    case pb::Boolean:
        if (valueCase != pb::Payload_Metric::kBooleanValue)
            return std::nullopt;
        return Value{metric.boolean_value()};
    case pb::String:
    case pb::Text:
    case pb::UUID:
        if (valueCase != pb::Payload_Metric::kStringValue)
            return std::nullopt;
        return Value{fromStd(metric.string_value())};
    case pb::DateTime: {
        // A point in time, not a measurement: shown as ISO 8601 UTC rather than a millisecond count.
        if (valueCase != pb::Payload_Metric::kLongValue || metric.long_value() > kMaxTimeMs)
            return std::nullopt;
        const auto when = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(metric.long_value()), Qt::UTC);
        return Value{when.toString(Qt::ISODateWithMs)};
    }
    default:
        return std::nullopt;
    }
}

/// The "Quality" property as Ignition and other gateways publish it: 192 good, 0 bad, 500 stale.
std::optional<Quality> qualityProperty(const pb::Payload_Metric& metric)
{
    if (!metric.has_properties())
        return std::nullopt;
    const auto& properties = metric.properties();
    const int count = std::min(properties.keys_size(), properties.values_size());
    for (int i = 0; i < count; ++i) {
        if (properties.keys(i) != "Quality")
            continue;
        const auto& property = properties.values(i);
        quint64 code = 0;
        if (property.is_null())
            return std::nullopt;
        if (property.value_case() == pb::Payload_PropertyValue::kIntValue)
            code = property.int_value();
        else if (property.value_case() == pb::Payload_PropertyValue::kLongValue)
            code = property.long_value();
        else
            return std::nullopt;
        switch (code) {
        case 192:
            return Quality::Good;
        case 0:
            return Quality::Bad;
        case 500:
            return Quality::Stale;
        default:
            return Quality::Uncertain;
        }
    }
    return std::nullopt;
}

std::optional<quint64> bdSeqOf(const pb::Payload& payload)
{
    for (const auto& metric : payload.metrics()) {
        if (metric.name() == "bdSeq")
            return metric.is_null() ? std::nullopt : rawInteger(metric);
    }
    return std::nullopt;
}

// The pre-decoding walk below follows only the message fields that can repeat: that is where a
// few megabytes of two-byte entries would otherwise become millions of objects (measured: 16 MiB
// of empty property values took 550 MB and 5 s to decode).
enum class Shape
{
    Payload,
    Metric,
    PropertySet,
    PropertySetList,
    PropertyValue,
    DataSet,
    Row,
    Template,
    Opaque
};

Shape childShape(Shape parent, int field)
{
    switch (parent) {
    case Shape::Payload:
        return field == pb::Payload::kMetricsFieldNumber ? Shape::Metric : Shape::Opaque;
    case Shape::Metric:
        if (field == pb::Payload_Metric::kPropertiesFieldNumber)
            return Shape::PropertySet;
        if (field == pb::Payload_Metric::kDatasetValueFieldNumber)
            return Shape::DataSet;
        return field == pb::Payload_Metric::kTemplateValueFieldNumber ? Shape::Template : Shape::Opaque;
    case Shape::PropertySet:
        return field == pb::Payload_PropertySet::kValuesFieldNumber ? Shape::PropertyValue : Shape::Opaque;
    case Shape::PropertySetList:
        return field == pb::Payload_PropertySetList::kPropertysetFieldNumber ? Shape::PropertySet : Shape::Opaque;
    case Shape::PropertyValue:
        if (field == pb::Payload_PropertyValue::kPropertysetValueFieldNumber)
            return Shape::PropertySet;
        return field == pb::Payload_PropertyValue::kPropertysetsValueFieldNumber ? Shape::PropertySetList
                                                                                 : Shape::Opaque;
    case Shape::DataSet:
        return field == pb::Payload_DataSet::kRowsFieldNumber ? Shape::Row : Shape::Opaque;
    case Shape::Template:
        return field == pb::Payload_Template::kMetricsFieldNumber ? Shape::Metric : Shape::Opaque;
    case Shape::Row: // elements hold scalars only: counted as fields, not walked
    case Shape::Opaque:
        break;
    }
    return Shape::Opaque;
}

struct WireCounts
{
    qsizetype metrics = 0; ///< the payload's own metrics
    qsizetype fields = 0;  ///< fields at every depth: an upper bound of the objects decoding creates
};

// Protobuf itself refuses deeper nesting than 100; so do we, before it has to.
constexpr int kMaxNesting = 100;

/// Walks one message up to the current limit; false when it is not well-formed protobuf.
bool walk(google::protobuf::io::CodedInputStream& input, Shape shape, int depth, WireCounts& counts)
{
    using google::protobuf::internal::WireFormatLite;
    for (;;) {
        const std::uint32_t tag = input.ReadTag();
        if (tag == 0)
            return input.BytesUntilLimit() == 0;
        ++counts.fields;
        const int field = WireFormatLite::GetTagFieldNumber(tag);
        if (shape == Shape::Payload && field == pb::Payload::kMetricsFieldNumber)
            ++counts.metrics;
        const Shape child = childShape(shape, field);
        if (child == Shape::Opaque ||
            WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
            if (!WireFormatLite::SkipField(&input, tag))
                return false;
            continue;
        }
        std::uint32_t length = 0;
        if (depth >= kMaxNesting || !input.ReadVarint32(&length) || length > static_cast<std::uint32_t>(INT_MAX))
            return false;
        const auto limit = input.PushLimit(static_cast<int>(length));
        if (!walk(input, child, depth + 1, counts))
            return false;
        input.PopLimit(limit);
    }
}

/// Counts what decoding `bytes` would build, without building it; nullopt: malformed protobuf.
std::optional<WireCounts> countWire(const QByteArray& bytes)
{
    google::protobuf::io::CodedInputStream input(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                                                 static_cast<int>(bytes.size()));
    WireCounts counts;
    if (!walk(input, Shape::Payload, 0, counts))
        return std::nullopt;
    return counts;
}

QByteArray encodeRebirth(qint64 nowMs)
{
    const auto now = static_cast<quint64>(std::max<qint64>(nowMs, 0));
    pb::Payload payload;
    payload.set_timestamp(now);
    pb::Payload_Metric* metric = payload.add_metrics();
    metric->set_name("Node Control/Rebirth");
    metric->set_timestamp(now);
    metric->set_datatype(pb::Boolean);
    metric->set_boolean_value(true);
    const std::string bytes = payload.SerializeAsString();
    return {bytes.data(), static_cast<qsizetype>(bytes.size())};
}

// What remembering births costs, so that the limits hold in memory and not only in counts: one
// metric name can be megabytes long.
struct Budget
{
    qsizetype metrics = 0;
    qsizetype bytes = 0;

    Budget& operator+=(const Budget& other)
    {
        metrics += other.metrics;
        bytes += other.bytes;
        return *this;
    }
    Budget& operator-=(const Budget& other)
    {
        metrics -= other.metrics;
        bytes -= other.bytes;
        return *this;
    }
    friend Budget operator+(Budget a, const Budget& b) { return a += b; }
    friend Budget operator-(Budget a, const Budget& b) { return a -= b; }
};

// Rough costs, on the high side: a MetricInfo, two hash nodes and a name held three times in
// UTF-16 (name, tag, name index); a device's hash node, label and prefix.
constexpr qsizetype kMetricOverheadBytes = 160;
constexpr qsizetype kDeviceOverheadBytes = 256;

Budget metricCost(qsizetype nameChars, qsizetype prefixChars)
{
    return {1, kMetricOverheadBytes + 6 * nameChars + 2 * prefixChars};
}

/// An upper bound of what a birth will cost (a name's UTF-8 bytes are at least its UTF-16 units).
Budget birthCost(const pb::Payload& payload, qsizetype prefixChars)
{
    Budget cost;
    for (const auto& metric : payload.metrics())
        cost += metricCost(static_cast<qsizetype>(metric.name().size()), prefixChars);
    return cost;
}

struct MetricInfo
{
    QString name;
    QString tag;
    quint32 datatype = pb::Unknown;
    bool unsupportedReported = false; // report an unsupported type once per birth, not per message
};

/// The metrics of an edge node itself or of one of its devices, as its last birth declared them.
struct Endpoint
{
    QString label;     ///< "edge node G/E" or "device G/E/D", for problems
    QString tagPrefix; ///< "G/E/" or "G/E/D/" with qualified tag names, else empty
    std::vector<MetricInfo> metrics;
    QHash<QString, qsizetype> byName;
    QHash<quint64, qsizetype> byAlias;
    Budget base; ///< a device's own cost; nothing for the edge node itself
    Budget cost; ///< base plus the metrics
};

struct Node
{
    QString group;
    QString edgeNode;
    Endpoint own;
    QHash<QString, Endpoint> devices;
    std::optional<quint64> bdSeq;
    std::optional<quint32> nextSeq; ///< what the next seq must be; nullopt: the next one starts the count
    Budget cost;                    ///< of `own` and the devices; a device counts as one metric
};

/// One message being handled: the outcome under construction and what applies to all its samples.
struct Context
{
    Outcome out;
    qint64 receiveTimeMs = 0;
    qint64 payloadTimeMs = 0; ///< the payload's timestamp, else the receive time
    QString messageType;
    Quality floor = Quality::Good; ///< Uncertain after a seq gap: no sample of the message is better
    qsizetype unlistedProblems = 0;
    qsizetype historical = 0;

    void problem(Severity severity, QString message)
    {
        if (out.problems.size() < kMaxProblemsPerMessage)
            out.problems.append(Problem{severity, std::move(message)});
        else
            ++unlistedProblems;
    }

    Outcome finish() &&
    {
        if (unlistedProblems > 0) {
            out.problems.append(
                Problem{Severity::Info, QStringLiteral("%1 more problems in this %2 were not listed; the first %3 are.")
                                            .arg(unlistedProblems)
                                            .arg(messageType)
                                            .arg(kMaxProblemsPerMessage)});
        }
        return std::move(out);
    }
};

} // namespace

std::optional<Topic> parseTopic(QStringView topic)
{
    auto split = splitTopic(topic);
    if (!split)
        return std::nullopt;
    return std::move(split->first);
}

struct Session::State
{
    Options options;
    QHash<QString, Node> nodes; ///< by "group/edge node"; ids can't contain '/', so the key is unambiguous
    QHash<QString, qint64>
        rebirthRequestedAtMs; ///< same keys; kept apart so DATA from unknown nodes can't fill `nodes`
    Budget cost;              ///< of all nodes

    static QString nodeKey(const QString& group, const QString& edgeNode) { return group + u'/' + edgeNode; }

    void charge(Node& node, const Budget& amount)
    {
        node.cost += amount;
        cost += amount;
    }

    void refund(Node& node, const Budget& amount)
    {
        node.cost -= amount;
        cost -= amount;
    }

    Endpoint endpoint(const Topic& topic) const
    {
        Endpoint result;
        QString path = topic.group + u'/' + topic.edgeNode;
        if (!topic.device.isEmpty())
            path += u'/' + topic.device;
        result.label = (topic.device.isEmpty() ? QStringLiteral("edge node ") : QStringLiteral("device ")) + path;
        if (options.qualifiedTagNames)
            result.tagPrefix = path + u'/';
        if (!topic.device.isEmpty()) {
            result.base = {1, kDeviceOverheadBytes +
                                  2 * (topic.device.size() + result.label.size() + result.tagPrefix.size())};
        }
        result.cost = result.base;
        return result;
    }

    /// Asks for a rebirth unless one is already pending; returns the end of a sentence saying which.
    QString requestRebirth(const QString& group, const QString& edgeNode, Context& ctx)
    {
        if (ctx.out.rebirth)
            return QStringLiteral("a rebirth was requested");
        const QString key = nodeKey(group, edgeNode);
        const auto it = rebirthRequestedAtMs.constFind(key);
        // A clock that went backwards counts as "long enough ago".
        if (it != rebirthRequestedAtMs.cend() && ctx.receiveTimeMs >= *it &&
            ctx.receiveTimeMs - *it < options.rebirthIntervalMs)
            return QStringLiteral("a rebirth request is already pending");
        if (rebirthRequestedAtMs.size() >= options.maxNodes)
            rebirthRequestedAtMs.clear(); // costs at most one extra request per node
        rebirthRequestedAtMs.insert(key, ctx.receiveTimeMs);
        ctx.out.rebirth = RebirthRequest{u"spBv1.0/" + group + u"/NCMD/" + edgeNode, encodeRebirth(ctx.receiveTimeMs)};
        return QStringLiteral("a rebirth was requested");
    }

    void checkSeq(Node& node, const pb::Payload& payload, Context& ctx)
    {
        const QString where = u"Sparkplug " + node.own.label + u": ";
        if (!payload.has_seq()) {
            ctx.floor = std::max(ctx.floor, Quality::Uncertain);
            ctx.problem(Severity::Warning, where + ctx.messageType +
                                               u" has no seq, so lost messages can't be detected; its values are "
                                               u"marked uncertain.");
            return;
        }
        const quint64 seq = payload.seq();
        if (seq > 255) {
            ctx.floor = std::max(ctx.floor, Quality::Uncertain);
            node.nextSeq.reset();
            const QString rebirth = requestRebirth(node.group, node.edgeNode, ctx);
            ctx.problem(Severity::Warning, where + ctx.messageType + u" has seq " + QString::number(seq) +
                                               u", outside 0–255; its values are marked uncertain and " + rebirth +
                                               u'.');
            return;
        }
        if (node.nextSeq && seq != *node.nextSeq) {
            ctx.floor = std::max(ctx.floor, Quality::Uncertain);
            const QString rebirth = requestRebirth(node.group, node.edgeNode, ctx);
            ctx.problem(Severity::Warning,
                        where + u"seq gap: expected " + QString::number(*node.nextSeq) + u" got " +
                            QString::number(seq) + u" (" + ctx.messageType +
                            u"); messages were lost or reordered, so this message's values are marked uncertain and " +
                            rebirth + u'.');
        }
        // Resynchronise on what arrived so that one lost message is reported once, not forever.
        node.nextSeq = static_cast<quint32>((seq + 1) % 256);
    }

    static Sample makeSample(const MetricInfo& info, qint64 sourceTimeMs, const Context& ctx)
    {
        Sample sample;
        sample.tag = info.tag;
        sample.sourceTimeMs = sourceTimeMs;
        sample.receiveTimeMs = ctx.receiveTimeMs;
        sample.authenticity = Authenticity::Transport;
        return sample;
    }

    void emitMetric(const Endpoint& ep, MetricInfo& info, const pb::Payload_Metric& metric, Context& ctx)
    {
        if (metric.is_historical()) {
            ++ctx.historical;
            return;
        }
        quint32 datatype = info.datatype;
        if (metric.has_datatype() && metric.datatype() != info.datatype) {
            ctx.problem(Severity::Warning, u"Sparkplug " + ep.label + u": metric " + quoted(info.name) + u" is " +
                                               datatypeName(metric.datatype()) + u" in " + ctx.messageType +
                                               u" but was born as " + datatypeName(info.datatype) +
                                               u"; decoded as sent. The edge node should publish a new birth.");
            datatype = metric.datatype();
        }
        if (!isSupported(datatype)) {
            if (!info.unsupportedReported) {
                info.unsupportedReported = true;
                ctx.problem(Severity::Info, u"Sparkplug " + ep.label + u": metric " + quoted(info.name) +
                                                u" has type " + datatypeName(datatype) +
                                                u", which Twinspect does not show; its values are skipped.");
            }
            return;
        }
        const qint64 sourceTimeMs = validTime(metric.has_timestamp(), metric.timestamp()).value_or(ctx.payloadTimeMs);
        Sample sample = makeSample(info, sourceTimeMs, ctx);
        Quality quality = ctx.floor;
        if (metric.is_null()) {
            quality = std::max(quality, Quality::Bad); // no reading: never shown as good, whatever the property says
        } else {
            std::optional<Value> value = decodeValue(metric, datatype);
            if (!value) {
                ctx.problem(Severity::Warning, u"Sparkplug " + ep.label + u": metric " + quoted(info.name) + u" is " +
                                                   datatypeName(datatype) + u" but " + ctx.messageType + u" carries " +
                                                   valueFieldName(metric.value_case()) + u"; the value was skipped.");
                return;
            }
            sample.value = std::move(*value);
        }
        if (const std::optional<Quality> property = qualityProperty(metric))
            quality = std::max(quality, *property);
        sample.quality = quality;
        ctx.out.samples.push_back(std::move(sample));
    }

    static void emitStale(const Endpoint& ep, qint64 timeMs, Context& ctx)
    {
        for (const MetricInfo& info : ep.metrics) {
            if (!isSupported(info.datatype))
                continue; // never produced a sample, so there is no tag to mark
            Sample sample = makeSample(info, timeMs, ctx);
            sample.quality = Quality::Stale;
            ctx.out.samples.push_back(std::move(sample));
        }
    }

    /// Replaces `ep`'s metric table with the birth's, emits the birth values and moves the node's
    /// cost from the old table to the new. The caller has checked the limits with birthCost().
    void birth(Node& node, Endpoint& ep, const pb::Payload& payload, Context& ctx)
    {
        Endpoint fresh;
        fresh.label = ep.label;
        fresh.tagPrefix = ep.tagPrefix;
        fresh.base = ep.base;
        fresh.cost = ep.base;
        fresh.metrics.reserve(static_cast<size_t>(payload.metrics_size()));
        qsizetype unnamed = 0;
        for (const auto& metric : payload.metrics()) {
            if (!metric.has_name() || metric.name().empty()) {
                ++unnamed;
                continue;
            }
            QString name = fromStd(metric.name());
            if (fresh.byName.contains(name)) {
                ctx.problem(Severity::Warning, u"Sparkplug " + ep.label + u": " + ctx.messageType +
                                                   u" declares metric " + quoted(name) +
                                                   u" twice; the second one is ignored.");
                continue;
            }
            const auto index = static_cast<qsizetype>(fresh.metrics.size());
            MetricInfo info;
            info.tag = ep.tagPrefix.isEmpty() ? name : QString(ep.tagPrefix + name);
            info.name = std::move(name);
            if (metric.has_datatype()) {
                info.datatype = metric.datatype();
            } else {
                info.unsupportedReported = true; // this warning says it all
                ctx.problem(Severity::Warning, u"Sparkplug " + ep.label + u": metric " + quoted(info.name) + u" in " +
                                                   ctx.messageType +
                                                   u" has no datatype, so its values can't be decoded until the edge "
                                                   u"node publishes a birth with one.");
            }
            if (metric.has_alias()) {
                if (fresh.byAlias.contains(metric.alias())) {
                    ctx.problem(Severity::Warning, u"Sparkplug " + ep.label + u": " + ctx.messageType +
                                                       u" gives alias " + QString::number(metric.alias()) +
                                                       u" to more than one metric; " + quoted(info.name) +
                                                       u" can only be updated by name.");
                } else {
                    fresh.byAlias.insert(metric.alias(), index);
                }
            }
            fresh.byName.insert(info.name, index);
            fresh.cost += metricCost(info.name.size(), fresh.tagPrefix.size());
            fresh.metrics.push_back(std::move(info));
            emitMetric(fresh, fresh.metrics.back(), metric, ctx);
        }
        if (unnamed > 0) {
            ctx.problem(Severity::Warning, u"Sparkplug " + ep.label + u": " + ctx.messageType + u" has " +
                                               QString::number(unnamed) +
                                               u" metric(s) without a name; they were skipped and can't be updated.");
        }
        // A tag the new birth no longer declares will never be updated again: say so once.
        for (const MetricInfo& old : ep.metrics) {
            if (!fresh.byName.contains(old.name) && isSupported(old.datatype)) {
                Sample sample = makeSample(old, ctx.payloadTimeMs, ctx);
                sample.quality = Quality::Stale;
                ctx.out.samples.push_back(std::move(sample));
            }
        }
        charge(node, fresh.cost);
        refund(node, ep.cost);
        ep = std::move(fresh);
    }

    void data(const Node& node, Endpoint& ep, const pb::Payload& payload, Context& ctx)
    {
        qsizetype unknown = 0;
        QString firstUnknown;
        for (const auto& metric : payload.metrics()) {
            std::optional<qsizetype> index;
            if (metric.has_alias()) {
                if (const auto it = ep.byAlias.constFind(metric.alias()); it != ep.byAlias.cend())
                    index = *it;
            }
            if (!index && metric.has_name()) {
                if (const auto it = ep.byName.constFind(fromStd(metric.name())); it != ep.byName.cend())
                    index = *it;
            }
            if (!index) {
                if (unknown++ == 0) {
                    firstUnknown = metric.has_name()    ? quoted(fromStd(metric.name()))
                                   : metric.has_alias() ? u"alias " + QString::number(metric.alias())
                                                        : QStringLiteral("one with neither name nor alias");
                }
                continue;
            }
            emitMetric(ep, ep.metrics[static_cast<size_t>(*index)], metric, ctx);
        }
        if (unknown > 0) {
            const QString rebirth = requestRebirth(node.group, node.edgeNode, ctx);
            ctx.problem(Severity::Warning, u"Sparkplug " + ep.label + u": " + ctx.messageType + u" has " +
                                               QString::number(unknown) + u" metric(s) its birth did not declare " +
                                               u"(first: " + firstUnknown + u"); they were skipped and " + rebirth +
                                               u'.');
        }
    }

    /// Refuses a birth that would exceed a memory limit. `added` is what the birth adds to what the
    /// node holds once the endpoint's old table is gone (it may be negative).
    bool withinLimits(const Node& node, const Budget& added, const QString& label, Context& ctx) const
    {
        const Budget nodeAfter = node.cost + added;
        const Budget sessionAfter = cost + added;
        if (nodeAfter.metrics <= options.maxMetricsPerNode && sessionAfter.metrics <= options.maxMetricsPerSession &&
            sessionAfter.bytes <= options.maxRememberedBytes)
            return true;
        ctx.problem(Severity::Error, u"Sparkplug " + label + u": " + ctx.messageType +
                                         u" refused: the edge node would hold " + QString::number(nodeAfter.metrics) +
                                         u" metrics and devices (limit " + QString::number(options.maxMetricsPerNode) +
                                         u"), the connection " + QString::number(sessionAfter.metrics) + u" (limit " +
                                         QString::number(options.maxMetricsPerSession) + u") in about " +
                                         QString::number(sessionAfter.bytes / kMiB) + u" MiB (limit " +
                                         QString::number(options.maxRememberedBytes / kMiB) +
                                         u" MiB); its tags stay stale. Split the edge node or raise the limit.");
        return false;
    }

    void dropDevices(Node& node, Context& ctx)
    {
        for (const Endpoint& device : std::as_const(node.devices)) {
            emitStale(device, ctx.payloadTimeMs, ctx);
            refund(node, device.cost);
        }
        node.devices.clear();
    }

    void forgetNode(const QString& key)
    {
        if (const auto it = nodes.find(key); it != nodes.end()) {
            cost -= it->cost;
            nodes.erase(it);
        }
    }

    void nodeBirth(const Topic& topic, const pb::Payload& payload, Context& ctx)
    {
        const QString key = nodeKey(topic.group, topic.edgeNode);
        auto it = nodes.find(key);
        if (it == nodes.end()) {
            if (nodes.size() >= options.maxNodes) {
                ctx.problem(Severity::Error, u"Sparkplug " + endpoint(topic).label +
                                                 u": NBIRTH refused: this connection already follows " +
                                                 QString::number(nodes.size()) +
                                                 u" edge nodes, the limit. Narrow the subscription.");
                return;
            }
            Node fresh;
            fresh.group = topic.group;
            fresh.edgeNode = topic.edgeNode;
            fresh.own = endpoint(topic);
            it = nodes.insert(key, fresh);
        }
        Node& node = *it;
        // A new birth starts a new session: devices publish their births again after it.
        dropDevices(node, ctx);
        if (!withinLimits(node, birthCost(payload, node.own.tagPrefix.size()) - node.own.cost, node.own.label, ctx)) {
            emitStale(node.own, ctx.payloadTimeMs, ctx);
            forgetNode(key);
            return;
        }
        rebirthRequestedAtMs.remove(key);
        node.bdSeq = bdSeqOf(payload);
        if (!node.bdSeq) {
            ctx.problem(Severity::Warning, u"Sparkplug " + node.own.label +
                                               u": NBIRTH has no bdSeq metric, so a late NDEATH of an earlier "
                                               u"connection can't be told from a current one.");
        }
        node.nextSeq.reset();
        if (!payload.has_seq()) {
            ctx.problem(Severity::Warning,
                        u"Sparkplug " + node.own.label + u": NBIRTH has no seq; the next message starts the count.");
        } else if (payload.seq() <= 255) {
            node.nextSeq = static_cast<quint32>((payload.seq() + 1) % 256);
        } else {
            ctx.problem(Severity::Warning, u"Sparkplug " + node.own.label + u": NBIRTH has seq " +
                                               QString::number(payload.seq()) +
                                               u", outside 0–255; the next message starts the count.");
        }
        birth(node, node.own, payload, ctx);
    }

    Node* bornNode(const Topic& topic, Context& ctx)
    {
        const auto it = nodes.find(nodeKey(topic.group, topic.edgeNode));
        if (it != nodes.end())
            return &*it;
        const QString rebirth = requestRebirth(topic.group, topic.edgeNode, ctx);
        ctx.problem(Severity::Warning, u"Sparkplug " + endpoint(Topic{topic.group, {}, topic.edgeNode, {}}).label +
                                           u": " + ctx.messageType +
                                           u" arrived before any NBIRTH from it; it was skipped and " + rebirth + u'.');
        return nullptr;
    }

    void deviceBirth(const Topic& topic, const pb::Payload& payload, Context& ctx)
    {
        Node* node = bornNode(topic, ctx);
        if (!node)
            return;
        checkSeq(*node, payload, ctx);
        auto it = node->devices.find(topic.device);
        const Endpoint fresh = endpoint(topic);
        const Budget added =
            birthCost(payload, fresh.tagPrefix.size()) + fresh.base - (it != node->devices.end() ? it->cost : Budget{});
        if (!withinLimits(*node, added, fresh.label, ctx)) {
            if (it != node->devices.end()) {
                emitStale(*it, ctx.payloadTimeMs, ctx);
                refund(*node, it->cost);
                node->devices.erase(it);
            }
            return;
        }
        if (it == node->devices.end()) {
            it = node->devices.insert(topic.device, fresh);
            charge(*node, fresh.base);
        }
        birth(*node, *it, payload, ctx);
    }

    void nodeData(const Topic& topic, const pb::Payload& payload, Context& ctx)
    {
        Node* node = bornNode(topic, ctx);
        if (!node)
            return;
        checkSeq(*node, payload, ctx);
        data(*node, node->own, payload, ctx);
    }

    void deviceData(const Topic& topic, const pb::Payload& payload, Context& ctx)
    {
        Node* node = bornNode(topic, ctx);
        if (!node)
            return;
        checkSeq(*node, payload, ctx);
        const auto it = node->devices.find(topic.device);
        if (it == node->devices.end()) {
            const QString rebirth = requestRebirth(node->group, node->edgeNode, ctx);
            ctx.problem(Severity::Warning, u"Sparkplug " + endpoint(topic).label +
                                               u": DDATA arrived before any DBIRTH from it; it was skipped and " +
                                               rebirth + u'.');
            return;
        }
        data(*node, *it, payload, ctx);
    }

    void nodeDeath(const Topic& topic, const pb::Payload& payload, Context& ctx)
    {
        const QString key = nodeKey(topic.group, topic.edgeNode);
        const auto it = nodes.find(key);
        const QString label = endpoint(topic).label;
        if (it == nodes.end()) {
            ctx.problem(Severity::Info,
                        u"Sparkplug " + label + u": NDEATH ignored: no NBIRTH from this edge node is being followed.");
            return;
        }
        Node& node = *it;
        const std::optional<quint64> bdSeq = bdSeqOf(payload);
        if (node.bdSeq && bdSeq && *bdSeq != *node.bdSeq) {
            // The broker publishes a will long after the connection that registered it may have
            // been replaced: an old death must not end the newer session.
            ctx.problem(Severity::Info, u"Sparkplug " + label + u": NDEATH with bdSeq " + QString::number(*bdSeq) +
                                            u" ignored: the current session was born with bdSeq " +
                                            QString::number(*node.bdSeq) +
                                            u", so this is the death certificate of an earlier connection.");
            return;
        }
        if (node.bdSeq && !bdSeq) {
            // Marking live tags stale by mistake is the safe error; showing dead ones as good is not.
            ctx.problem(Severity::Warning, u"Sparkplug " + label +
                                               u": NDEATH has no bdSeq metric, so it can't be matched to the current "
                                               u"session; accepted, and the edge node's tags are marked stale.");
        }
        emitStale(node.own, ctx.payloadTimeMs, ctx);
        for (const Endpoint& device : std::as_const(node.devices))
            emitStale(device, ctx.payloadTimeMs, ctx);
        forgetNode(key);
        rebirthRequestedAtMs.remove(key);
    }

    void deviceDeath(const Topic& topic, const pb::Payload& payload, Context& ctx)
    {
        Node* node = bornNode(topic, ctx);
        if (!node)
            return;
        checkSeq(*node, payload, ctx);
        const auto it = node->devices.find(topic.device);
        if (it == node->devices.end()) {
            ctx.problem(Severity::Info, u"Sparkplug " + endpoint(topic).label +
                                            u": DDEATH ignored: no DBIRTH from this device is being followed.");
            return;
        }
        emitStale(*it, ctx.payloadTimeMs, ctx);
        refund(*node, it->cost);
        node->devices.erase(it);
    }
};

Session::Session()
    : Session(Options{})
{}

Session::Session(Options options)
    : d(std::make_unique<State>())
{
    d->options = options;
}

Session::~Session() = default;
Session::Session(Session&& other) noexcept = default;
Session& Session::operator=(Session&& other) noexcept = default;

void Session::reset()
{
    d->nodes.clear();
    d->rebirthRequestedAtMs.clear();
    d->cost = {};
}

Outcome Session::handle(QStringView topic, const QByteArray& payload, qint64 receiveTimeMs)
{
    Context ctx;
    ctx.receiveTimeMs = receiveTimeMs;
    ctx.payloadTimeMs = receiveTimeMs;

    const auto split = splitTopic(topic);
    if (!split) {
        ctx.messageType = QStringLiteral("message");
        ctx.problem(Severity::Warning, u"Ignored a message on " + quoted(topic) +
                                           u": not a Sparkplug B topic (spBv1.0/<group>/<type>/<edge node>"
                                           u"[/<device>]). Check the subscription filter.");
        return std::move(ctx).finish();
    }
    const auto& [parsed, type] = *split;
    // Commands go to edge nodes (our own rebirth requests come back here too) and STATE is
    // another host's presence: neither is telemetry.
    if (type == MessageType::NCmd || type == MessageType::DCmd || type == MessageType::State)
        return std::move(ctx).finish();
    ctx.messageType = parsed.type;

    const QString where = u"Sparkplug " + d->endpoint(parsed).label + u": " + parsed.type;
    if (payload.size() > d->options.maxPayloadBytes || payload.size() > INT_MAX) {
        ctx.problem(Severity::Error, where + u" refused: " + QString::number(payload.size()) +
                                         u" bytes, more than the limit of " +
                                         QString::number(d->options.maxPayloadBytes) + u'.');
        return std::move(ctx).finish();
    }
    const std::optional<WireCounts> counts = countWire(payload);
    if (counts && counts->metrics > d->options.maxMetricsPerMessage) {
        ctx.problem(Severity::Error, where + u" refused: " + QString::number(counts->metrics) +
                                         u" metrics, more than the limit of " +
                                         QString::number(d->options.maxMetricsPerMessage) + u'.');
        return std::move(ctx).finish();
    }
    if (counts && counts->fields > d->options.maxFieldsPerMessage) {
        ctx.problem(Severity::Error, where + u" refused: " + QString::number(counts->fields) +
                                         u" protobuf fields, more than the limit of " +
                                         QString::number(d->options.maxFieldsPerMessage) + u'.');
        return std::move(ctx).finish();
    }
    google::protobuf::Arena arena; // one allocation region for the whole message, freed at once
    auto* decoded = google::protobuf::Arena::CreateMessage<pb::Payload>(&arena);
    if (!counts || !decoded->ParseFromArray(payload.constData(), static_cast<int>(payload.size()))) {
        ctx.problem(Severity::Error, where + u" is not a valid Sparkplug B payload (" +
                                         QString::number(payload.size()) +
                                         u" bytes of malformed protobuf); it was skipped.");
        return std::move(ctx).finish();
    }
    if (const auto payloadTime = validTime(decoded->has_timestamp(), decoded->timestamp()))
        ctx.payloadTimeMs = *payloadTime;

    switch (type) {
    case MessageType::NBirth:
        d->nodeBirth(parsed, *decoded, ctx);
        break;
    case MessageType::NData:
        d->nodeData(parsed, *decoded, ctx);
        break;
    case MessageType::NDeath:
        d->nodeDeath(parsed, *decoded, ctx);
        break;
    case MessageType::DBirth:
        d->deviceBirth(parsed, *decoded, ctx);
        break;
    case MessageType::DData:
        d->deviceData(parsed, *decoded, ctx);
        break;
    case MessageType::DDeath:
        d->deviceDeath(parsed, *decoded, ctx);
        break;
    case MessageType::NCmd:
    case MessageType::DCmd:
    case MessageType::State:
        break;
    }
    if (ctx.historical > 0) {
        ctx.problem(Severity::Info, where + u" carried " + QString::number(ctx.historical) +
                                        u" historical value(s); they were skipped because Twinspect shows only "
                                        u"live values.");
    }
    return std::move(ctx).finish();
}

} // namespace twinspect::telemetry::sparkplug
