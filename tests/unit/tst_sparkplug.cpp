// SPDX-License-Identifier: Apache-2.0
// Sparkplug B host session: births, data by alias and name, deaths and bdSeq, seq gaps and
// rebirth requests, qualities, unsupported types, limits, and malformed payloads. Every payload
// comes from an independent encoder (python3-protobuf, tests/unit/sparkplug_encode.py) so that a
// mistake shared by our encoder and decoder can't hide; our rebirth NCMD is decoded by it too.
#include "telemetry/sparkplug/sparkplug.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <algorithm>
#include <optional>

using namespace Qt::StringLiterals;
using twinspect::telemetry::Quality;
using twinspect::telemetry::Sample;
using twinspect::telemetry::Value;
namespace sp = twinspect::telemetry::sparkplug;
using Severity = sp::Problem::Severity;

namespace {

constexpr qint64 kPayloadTime = 1'700'000'000'000;

QVariant variant(const Value& value)
{
    if (const auto* d = std::get_if<double>(&value))
        return *d;
    if (const auto* b = std::get_if<bool>(&value))
        return *b;
    if (const auto* s = std::get_if<QString>(&value))
        return *s;
    return {};
}

/// The last sample of `tag`, or nullptr.
const Sample* find(const sp::Outcome& outcome, QStringView tag)
{
    const auto it =
        std::find_if(outcome.samples.rbegin(), outcome.samples.rend(), [&](const Sample& s) { return s.tag == tag; });
    return it == outcome.samples.rend() ? nullptr : &*it;
}

QString describe(const sp::Outcome& outcome)
{
    QString text = QString::number(outcome.samples.size()) + u" samples; problems:"_s;
    for (const auto& p : outcome.problems)
        text += u"\n  ["_s + QString::number(int(p.severity)) + u"] "_s + p.message;
    return text;
}

bool hasProblem(const sp::Outcome& outcome, Severity severity, QStringView fragment)
{
    return std::any_of(outcome.problems.cbegin(), outcome.problems.cend(),
                       [&](const sp::Problem& p) { return p.severity == severity && p.message.contains(fragment); });
}

bool hasError(const sp::Outcome& outcome)
{
    return std::any_of(outcome.problems.cbegin(), outcome.problems.cend(),
                       [](const sp::Problem& p) { return p.severity == Severity::Error; });
}

/// Runs the python encoder or decoder; nullopt (with a warning saying why) when it failed.
std::optional<QJsonArray> runPython(const QString& mode, const QByteArray& input)
{
    QProcess python;
    python.start(QStringLiteral(SPARKPLUG_PYTHON),
                 {QStringLiteral(SPARKPLUG_ENCODER), u"--module-dir"_s, QStringLiteral(SPARKPLUG_PY_MODULE_DIR), mode});
    if (!python.waitForStarted(10000)) {
        qWarning("cannot start %s: %s", SPARKPLUG_PYTHON, qPrintable(python.errorString()));
        return std::nullopt;
    }
    python.write(input);
    python.closeWriteChannel();
    if (!python.waitForFinished(30000) || python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0) {
        qWarning("sparkplug_encode.py %s failed:\n%s", qPrintable(mode), python.readAllStandardError().constData());
        return std::nullopt;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(python.readAllStandardOutput(), &error);
    if (!doc.isArray()) {
        qWarning("sparkplug_encode.py printed no JSON array: %s", qPrintable(error.errorString()));
        return std::nullopt;
    }
    return doc.array();
}

/// Encodes a JSON payload description (an object or a list of them) into Sparkplug B payloads.
/// Cached: data-driven rows encode the same births again and again, and python takes ~0.1 s to start.
std::optional<QList<QByteArray>> encode(const QByteArray& json)
{
    static QHash<QByteArray, QList<QByteArray>> cache;
    if (const auto it = cache.constFind(json); it != cache.cend())
        return *it;
    const auto result = runPython(u"encode"_s, json);
    if (!result)
        return std::nullopt;
    QList<QByteArray> payloads;
    for (const auto& item : *result)
        payloads.append(QByteArray::fromBase64(item.toString().toLatin1()));
    cache.insert(json, payloads);
    return payloads;
}

std::optional<QJsonObject> decode(const QByteArray& payload)
{
    const auto result =
        runPython(u"decode"_s, QJsonDocument(QJsonArray{QString::fromLatin1(payload.toBase64())}).toJson());
    if (!result || result->size() != 1)
        return std::nullopt;
    return result->at(0).toObject();
}

// A birth with bdSeq 7, seq 0 and two aliased metrics, then its devices' and data's shapes.
const QByteArray kNodeBirth = R"({"timestamp": 1700000000000, "seq": 0, "metrics": [
    {"name": "bdSeq", "datatype": "Int64", "value": 7},
    {"name": "Temperature", "alias": 1, "datatype": "Double", "value": 21.5},
    {"name": "Running", "alias": 2, "datatype": "Boolean", "value": true}]})";
const QByteArray kDeviceBirth = R"({"timestamp": 1700000000100, "seq": 1, "metrics": [
    {"name": "Inputs/A", "alias": 10, "datatype": "Boolean", "value": false},
    {"name": "Pressure", "alias": 11, "datatype": "Float", "value": 1.25}]})";

} // namespace

class TestSparkplug : public QObject
{
    Q_OBJECT
private:
    qint64 m_now = kPayloadTime + 5'000;

    sp::Outcome feed(sp::Session& session, const QString& topic, const QByteArray& payload)
    {
        m_now += 10;
        return session.handle(topic, payload, m_now);
    }

    /// A session that has seen kNodeBirth for G/E (and kDeviceBirth for G/E/D when asked).
    bool bornSession(sp::Session& session, bool withDevice)
    {
        const auto births = encode("[" + kNodeBirth + "," + kDeviceBirth + "]");
        if (!births)
            return false;
        if (!feed(session, u"spBv1.0/G/NBIRTH/E"_s, births->at(0)).problems.isEmpty())
            return false;
        return !withDevice || feed(session, u"spBv1.0/G/DBIRTH/E/D"_s, births->at(1)).problems.isEmpty();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!QByteArray(SPARKPLUG_PYTHON).isEmpty(),
                 "no python3 with google.protobuf was found at configure time: install python3-protobuf");
        const auto probe = encode(R"({"seq": 0})");
        QVERIFY2(probe && probe->size() == 1, "the python Sparkplug encoder does not run");
    }

    void parseTopic_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("group");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("edgeNode");
        QTest::addColumn<QString>("device");
        QTest::newRow("NBIRTH") << u"spBv1.0/Plant 1/NBIRTH/Edge-7"_s << true << u"Plant 1"_s << u"NBIRTH"_s
                                << u"Edge-7"_s << QString();
        QTest::newRow("DDATA") << u"spBv1.0/G/DDATA/E/Pump 3"_s << true << u"G"_s << u"DDATA"_s << u"E"_s
                               << u"Pump 3"_s;
        QTest::newRow("NCMD") << u"spBv1.0/G/NCMD/E"_s << true << u"G"_s << u"NCMD"_s << u"E"_s << QString();
        QTest::newRow("DCMD") << u"spBv1.0/G/DCMD/E/D"_s << true << u"G"_s << u"DCMD"_s << u"E"_s << u"D"_s;
        QTest::newRow("STATE 3.0") << u"spBv1.0/STATE/scada-1"_s << true << QString() << u"STATE"_s << u"scada-1"_s
                                   << QString();
        QTest::newRow("node type with device")
            << u"spBv1.0/G/NDATA/E/D"_s << false << QString() << QString() << QString() << QString();
        QTest::newRow("device type without device")
            << u"spBv1.0/G/DDATA/E"_s << false << QString() << QString() << QString() << QString();
        QTest::newRow("other namespace") << u"spAv1.0/G/NDATA/E"_s << false << QString() << QString() << QString()
                                         << QString();
        QTest::newRow("unknown type") << u"spBv1.0/G/NFOO/E"_s << false << QString() << QString() << QString()
                                      << QString();
        QTest::newRow("empty edge node") << u"spBv1.0/G/NDATA/"_s << false << QString() << QString() << QString()
                                         << QString();
        QTest::newRow("wildcard") << u"spBv1.0/+/NDATA/E"_s << false << QString() << QString() << QString()
                                  << QString();
        QTest::newRow("extra level") << u"spBv1.0/G/DDATA/E/D/x"_s << false << QString() << QString() << QString()
                                     << QString();
        QTest::newRow("STATE in node position")
            << u"spBv1.0/G/STATE/E"_s << false << QString() << QString() << QString() << QString();
        QTest::newRow("empty") << QString() << false << QString() << QString() << QString() << QString();
    }

    void parseTopic()
    {
        QFETCH(QString, topic);
        QFETCH(bool, valid);
        const auto parsed = sp::parseTopic(topic);
        QCOMPARE(parsed.has_value(), valid);
        if (!valid)
            return;
        QFETCH(QString, group);
        QFETCH(QString, type);
        QFETCH(QString, edgeNode);
        QFETCH(QString, device);
        QCOMPARE(parsed->group, group);
        QCOMPARE(parsed->type, type);
        QCOMPARE(parsed->edgeNode, edgeNode);
        QCOMPARE(parsed->device, device);
    }

    void nodeBirthThenDataByAlias()
    {
        // GIVEN a birth and three NDATA: by alias, by name, and one with no time stamps at all
        const auto payloads = encode("[" + kNodeBirth + R"(,
            {"timestamp": 1700000001000, "seq": 1, "metrics": [
                {"alias": 1, "timestamp": 1700000000900, "value": 22.25, "datatype": "Double"},
                {"alias": 2, "boolean_value": false}]},
            {"timestamp": 1700000002000, "seq": 2, "metrics": [{"name": "Temperature", "double_value": 23.0}]},
            {"seq": 3, "metrics": [{"alias": 1, "double_value": 24.0}]}])");
        QVERIFY(payloads);
        sp::Session session;

        // WHEN the birth arrives THEN every metric, bdSeq included, becomes a sample
        const auto birth = feed(session, u"spBv1.0/G/NBIRTH/E"_s, payloads->at(0));
        QVERIFY2(birth.problems.isEmpty(), qPrintable(describe(birth)));
        QCOMPARE(birth.samples.size(), size_t(3));
        QCOMPARE(variant(find(birth, u"bdSeq")->value), QVariant(7.0));
        const Sample* temperature = find(birth, u"Temperature");
        QVERIFY(temperature);
        QCOMPARE(variant(temperature->value), QVariant(21.5));
        QCOMPARE(temperature->quality, Quality::Good);
        QCOMPARE(temperature->sourceTimeMs, kPayloadTime);
        QCOMPARE(temperature->receiveTimeMs, m_now);
        QCOMPARE(temperature->authenticity, twinspect::telemetry::Authenticity::Transport);
        QVERIFY(!birth.rebirth);

        // WHEN data arrives by alias THEN names are resolved, per-metric time wins over the payload's
        const auto data = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(1));
        QVERIFY2(data.problems.isEmpty(), qPrintable(describe(data)));
        QCOMPARE(data.samples.size(), size_t(2));
        QCOMPARE(variant(find(data, u"Temperature")->value), QVariant(22.25));
        QCOMPARE(find(data, u"Temperature")->sourceTimeMs, kPayloadTime + 900);
        QCOMPARE(variant(find(data, u"Running")->value), QVariant(false));
        QCOMPARE(find(data, u"Running")->sourceTimeMs, kPayloadTime + 1000);

        const auto byName = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(2));
        QVERIFY2(byName.problems.isEmpty(), qPrintable(describe(byName)));
        QCOMPARE(variant(find(byName, u"Temperature")->value), QVariant(23.0));

        // WHEN neither the metric nor the payload has a time THEN the receive time stands in
        const auto untimed = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(3));
        QVERIFY2(untimed.problems.isEmpty(), qPrintable(describe(untimed)));
        QCOMPARE(find(untimed, u"Temperature")->sourceTimeMs, m_now);
    }

    void valuesOfEveryScalarType()
    {
        // Int8/Int16 are also sent without sign extension by some encoders (0xFF for -1).
        const auto payloads = encode(R"({"timestamp": 1700000000000, "seq": 0, "metrics": [
            {"name": "bdSeq", "datatype": "UInt64", "value": 0},
            {"name": "i8", "datatype": "Int8", "value": -5},
            {"name": "i8 narrow", "datatype": "Int8", "int_value": 255},
            {"name": "i16", "datatype": "Int16", "value": -300},
            {"name": "i32", "datatype": "Int32", "value": -70000},
            {"name": "i64", "datatype": "Int64", "value": -5000000000},
            {"name": "u8", "datatype": "UInt8", "value": 250},
            {"name": "u16", "datatype": "UInt16", "value": 65000},
            {"name": "u32", "datatype": "UInt32", "value": 4000000000},
            {"name": "u32 as long", "datatype": "UInt32", "long_value": 4000000001},
            {"name": "u64", "datatype": "UInt64", "value": 9007199254740992},
            {"name": "float", "datatype": "Float", "value": 12.1},
            {"name": "double", "datatype": "Double", "value": -0.125},
            {"name": "bool", "datatype": "Boolean", "value": true},
            {"name": "string", "datatype": "String", "value": "OPEN é"},
            {"name": "text", "datatype": "Text", "value": "line 1\nline 2"},
            {"name": "uuid", "datatype": "UUID", "value": "123e4567-e89b-12d3-a456-426614174000"},
            {"name": "when", "datatype": "DateTime", "value": 1486144502122}]})");
        QVERIFY(payloads);
        sp::Session session;
        const auto birth = feed(session, u"spBv1.0/G/NBIRTH/E"_s, payloads->at(0));
        QVERIFY2(birth.problems.isEmpty(), qPrintable(describe(birth)));
        const auto value = [&](QStringView tag) {
            const Sample* s = find(birth, tag);
            return s ? variant(s->value) : QVariant(u"missing"_s);
        };
        QCOMPARE(value(u"i8"), QVariant(-5.0));
        QCOMPARE(value(u"i8 narrow"), QVariant(-1.0));
        QCOMPARE(value(u"i16"), QVariant(-300.0));
        QCOMPARE(value(u"i32"), QVariant(-70000.0));
        QCOMPARE(value(u"i64"), QVariant(-5000000000.0));
        QCOMPARE(value(u"u8"), QVariant(250.0));
        QCOMPARE(value(u"u16"), QVariant(65000.0));
        QCOMPARE(value(u"u32"), QVariant(4000000000.0));
        QCOMPARE(value(u"u32 as long"), QVariant(4000000001.0));
        QCOMPARE(value(u"u64"), QVariant(9007199254740992.0));
        QCOMPARE(value(u"float"), QVariant(12.1)); // the float's shortest decimal, not 12.100000381…
        QCOMPARE(value(u"double"), QVariant(-0.125));
        QCOMPARE(value(u"bool"), QVariant(true));
        QCOMPARE(value(u"string"), QVariant(u"OPEN é"_s));
        QCOMPARE(value(u"text"), QVariant(u"line 1\nline 2"_s));
        QCOMPARE(value(u"uuid"), QVariant(u"123e4567-e89b-12d3-a456-426614174000"_s));
        QCOMPARE(value(u"when"), QVariant(u"2017-02-03T17:55:02.122Z"_s));
    }

    void deviceBirthThenData()
    {
        const auto payloads = encode(R"([{"timestamp": 1700000000200, "seq": 2, "metrics": [
            {"alias": 11, "float_value": 2.5}, {"name": "Inputs/A", "boolean_value": true}]}])");
        QVERIFY(payloads);
        sp::Session::Options options;
        options.qualifiedTagNames = true;
        sp::Session session(options);
        const auto births = encode("[" + kNodeBirth + "," + kDeviceBirth + "]");
        QVERIFY(births);
        QVERIFY(feed(session, u"spBv1.0/G/NBIRTH/E"_s, births->at(0)).problems.isEmpty());
        const auto birth = feed(session, u"spBv1.0/G/DBIRTH/E/D"_s, births->at(1));
        QVERIFY2(birth.problems.isEmpty(), qPrintable(describe(birth)));
        QCOMPARE(birth.samples.size(), size_t(2));
        QCOMPARE(variant(find(birth, u"G/E/D/Pressure")->value), QVariant(1.25));
        QCOMPARE(variant(find(birth, u"G/E/D/Inputs/A")->value), QVariant(false));

        const auto data = feed(session, u"spBv1.0/G/DDATA/E/D"_s, payloads->at(0));
        QVERIFY2(data.problems.isEmpty(), qPrintable(describe(data)));
        QCOMPARE(data.samples.size(), size_t(2));
        QCOMPARE(variant(find(data, u"G/E/D/Pressure")->value), QVariant(2.5));
        QCOMPARE(variant(find(data, u"G/E/D/Inputs/A")->value), QVariant(true));
        QCOMPARE(find(data, u"G/E/D/Pressure")->quality, Quality::Good);
    }

    void nodeDeathWithMatchingBdSeqMarksEverythingStale()
    {
        sp::Session session;
        QVERIFY(bornSession(session, true));
        const auto payloads = encode(R"([
            {"timestamp": 1700000009000, "metrics": [{"name": "bdSeq", "datatype": "Int64", "value": 7}]},
            {"timestamp": 1700000010000, "seq": 2, "metrics": [{"alias": 1, "double_value": 1.0}]}])");
        QVERIFY(payloads);

        const auto death = feed(session, u"spBv1.0/G/NDEATH/E"_s, payloads->at(0));
        QVERIFY2(death.problems.isEmpty(), qPrintable(describe(death)));
        QCOMPARE(death.samples.size(), size_t(5)); // bdSeq, Temperature, Running, Inputs/A, Pressure
        for (const Sample& s : death.samples) {
            QCOMPARE(s.quality, Quality::Stale);
            QVERIFY(std::holds_alternative<std::monostate>(s.value));
            QCOMPARE(s.sourceTimeMs, kPayloadTime + 9000);
        }
        QVERIFY(find(death, u"Pressure"));

        // The session is forgotten: data now needs a new birth.
        const auto after = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(1));
        QVERIFY(after.samples.empty());
        QVERIFY2(hasProblem(after, Severity::Warning, u"before any NBIRTH"), qPrintable(describe(after)));
        QVERIFY(after.rebirth);
    }

    void anOldNodeDeathDoesNotEndANewerSession()
    {
        sp::Session session;
        QVERIFY(bornSession(session, false)); // bdSeq 7
        const auto payloads = encode(R"([
            {"timestamp": 1700000009000, "metrics": [{"name": "bdSeq", "datatype": "Int64", "value": 6}]},
            {"timestamp": 1700000010000, "seq": 1, "metrics": [{"alias": 1, "double_value": 30.0}]}])");
        QVERIFY(payloads);
        const auto death = feed(session, u"spBv1.0/G/NDEATH/E"_s, payloads->at(0));
        QVERIFY(death.samples.empty());
        QVERIFY2(hasProblem(death, Severity::Info, u"bdSeq 6 ignored"), qPrintable(describe(death)));
        QVERIFY(death.problems.first().message.contains(u"G/E"));

        const auto data = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(1));
        QVERIFY2(data.problems.isEmpty(), qPrintable(describe(data)));
        QCOMPARE(variant(find(data, u"Temperature")->value), QVariant(30.0));
    }

    void bdSeqMatchesAcrossInt64AndUInt64_data()
    {
        QTest::addColumn<QString>("birthType");
        QTest::addColumn<QString>("deathType");
        QTest::newRow("Int64 birth, UInt64 death (the spec's examples)") << u"Int64"_s << u"UInt64"_s;
        QTest::newRow("UInt64 birth, Int64 death") << u"UInt64"_s << u"Int64"_s;
        QTest::newRow("UInt64 both") << u"UInt64"_s << u"UInt64"_s;
    }

    void bdSeqMatchesAcrossInt64AndUInt64()
    {
        QFETCH(QString, birthType);
        QFETCH(QString, deathType);
        const QByteArray json = QStringLiteral(R"([
            {"timestamp": 1, "seq": 0, "metrics": [{"name": "bdSeq", "datatype": "%1", "value": 200},
                                                   {"name": "x", "datatype": "Int32", "value": 1}]},
            {"timestamp": 2, "metrics": [{"name": "bdSeq", "datatype": "%2", "value": 200}]}])")
                                    .arg(birthType, deathType)
                                    .toUtf8();
        const auto payloads = encode(json);
        QVERIFY(payloads);
        sp::Session session;
        QVERIFY(feed(session, u"spBv1.0/G/NBIRTH/E"_s, payloads->at(0)).problems.isEmpty());
        const auto death = feed(session, u"spBv1.0/G/NDEATH/E"_s, payloads->at(1));
        QVERIFY2(death.problems.isEmpty(), qPrintable(describe(death)));
        QCOMPARE(find(death, u"x")->quality, Quality::Stale);
    }

    void deviceDeathMarksOnlyThatDeviceStale()
    {
        sp::Session session;
        QVERIFY(bornSession(session, true));
        const auto payloads = encode(R"([{"timestamp": 1700000003000, "seq": 2},
            {"timestamp": 1700000004000, "seq": 3, "metrics": [{"alias": 11, "float_value": 3.0}]}])");
        QVERIFY(payloads);
        const auto death = feed(session, u"spBv1.0/G/DDEATH/E/D"_s, payloads->at(0));
        QVERIFY2(death.problems.isEmpty(), qPrintable(describe(death)));
        QCOMPARE(death.samples.size(), size_t(2));
        QCOMPARE(find(death, u"Pressure")->quality, Quality::Stale);
        QCOMPARE(find(death, u"Inputs/A")->quality, Quality::Stale);
        QCOMPARE(find(death, u"Inputs/A")->sourceTimeMs, kPayloadTime + 3000);
        QVERIFY(!find(death, u"Temperature"));

        const auto after = feed(session, u"spBv1.0/G/DDATA/E/D"_s, payloads->at(1));
        QVERIFY(after.samples.empty());
        QVERIFY2(hasProblem(after, Severity::Warning, u"device G/E/D: DDATA arrived before any DBIRTH"),
                 qPrintable(describe(after)));
        QVERIFY(after.rebirth);
    }

    void seqGapMarksUncertainAndRequestsRebirth()
    {
        sp::Session session;
        QVERIFY(bornSession(session, false)); // seq 0
        const auto payloads = encode(R"([
            {"timestamp": 1700000001000, "seq": 1, "metrics": [{"alias": 1, "double_value": 1.0}]},
            {"timestamp": 1700000003000, "seq": 3, "metrics": [{"alias": 1, "double_value": 3.0}]},
            {"timestamp": 1700000004000, "seq": 4, "metrics": [{"alias": 1, "double_value": 4.0}]}])");
        QVERIFY(payloads);
        QVERIFY(feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(0)).problems.isEmpty());

        const auto gap = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(1));
        QCOMPARE(find(gap, u"Temperature")->quality, Quality::Uncertain);
        QCOMPARE(variant(find(gap, u"Temperature")->value), QVariant(3.0));
        QVERIFY2(hasProblem(gap, Severity::Warning, u"seq gap: expected 2 got 3"), qPrintable(describe(gap)));
        QVERIFY(gap.problems.first().message.contains(u"edge node G/E"));
        QVERIFY(gap.rebirth);
        QCOMPARE(gap.rebirth->topic, u"spBv1.0/G/NCMD/E"_s);

        // The request, decoded by the independent decoder: one boolean metric, true.
        const auto ncmd = decode(gap.rebirth->payload);
        QVERIFY(ncmd);
        const QJsonArray metrics = ncmd->value(u"metrics"_s).toArray();
        QCOMPARE(metrics.size(), 1);
        const QJsonObject rebirth = metrics.at(0).toObject();
        QCOMPARE(rebirth.value(u"name"_s).toString(), u"Node Control/Rebirth"_s);
        QCOMPARE(rebirth.value(u"datatype_name"_s).toString(), u"Boolean"_s);
        QCOMPARE(rebirth.value(u"value_field"_s).toString(), u"boolean_value"_s);
        QCOMPARE(rebirth.value(u"value"_s), QJsonValue(true));
        QCOMPARE(ncmd->value(u"timestamp"_s).toDouble(), double(m_now));

        // The count resynchronises on what arrived: one gap is reported once.
        const auto next = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(2));
        QVERIFY2(next.problems.isEmpty(), qPrintable(describe(next)));
        QCOMPARE(find(next, u"Temperature")->quality, Quality::Good);
        QVERIFY(!next.rebirth);
    }

    void seqWrapsFrom255To0WithoutAGap()
    {
        const auto payloads = encode(R"([
            {"timestamp": 1, "seq": 254, "metrics": [{"name": "bdSeq", "datatype": "Int64", "value": 1},
                                                     {"name": "x", "alias": 5, "datatype": "Int32", "value": 1}]},
            {"timestamp": 2, "seq": 255, "metrics": [{"alias": 5, "int_value": 2}]},
            {"timestamp": 3, "seq": 0, "metrics": [{"alias": 5, "int_value": 3}]},
            {"timestamp": 4, "seq": 1, "metrics": [{"alias": 5, "int_value": 4}]}])");
        QVERIFY(payloads);
        sp::Session session;
        for (qsizetype i = 0; i < payloads->size(); ++i) {
            const auto outcome =
                feed(session, i == 0 ? u"spBv1.0/G/NBIRTH/E"_s : u"spBv1.0/G/NDATA/E"_s, payloads->at(i));
            QVERIFY2(outcome.problems.isEmpty(), qPrintable(describe(outcome)));
            QCOMPARE(find(outcome, u"x")->quality, Quality::Good);
            QCOMPARE(variant(find(outcome, u"x")->value), QVariant(double(i + 1)));
        }
    }

    void dataBeforeBirthRequestsRebirth_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::newRow("NDATA") << u"spBv1.0/G/NDATA/E"_s;
        QTest::newRow("DDATA") << u"spBv1.0/G/DDATA/E/D"_s;
        QTest::newRow("DBIRTH") << u"spBv1.0/G/DBIRTH/E/D"_s;
    }

    void dataBeforeBirthRequestsRebirth()
    {
        QFETCH(QString, topic);
        const auto payloads = encode(R"({"timestamp": 1, "seq": 4, "metrics": [
            {"name": "x", "alias": 1, "datatype": "Int32", "value": 1}]})");
        QVERIFY(payloads);
        sp::Session session;
        const auto outcome = feed(session, topic, payloads->at(0));
        QVERIFY(outcome.samples.empty());
        QVERIFY2(hasProblem(outcome, Severity::Warning, u"edge node G/E"), qPrintable(describe(outcome)));
        QVERIFY(outcome.rebirth);
        QCOMPARE(outcome.rebirth->topic, u"spBv1.0/G/NCMD/E"_s);
    }

    void unknownAliasIsSkippedAndRequestsRebirth()
    {
        sp::Session session;
        QVERIFY(bornSession(session, false));
        const auto payloads = encode(R"({"timestamp": 1, "seq": 1, "metrics": [
            {"alias": 99, "double_value": 1.0}, {"alias": 1, "double_value": 2.0}]})");
        QVERIFY(payloads);
        const auto outcome = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(0));
        QCOMPARE(outcome.samples.size(), size_t(1)); // the known metric still arrives
        QCOMPARE(variant(find(outcome, u"Temperature")->value), QVariant(2.0));
        QVERIFY2(hasProblem(outcome, Severity::Warning, u"alias 99"), qPrintable(describe(outcome)));
        QVERIFY(outcome.rebirth);
    }

    void rebirthRequestsAreNotRepeatedWhilePending()
    {
        sp::Session::Options options;
        options.rebirthIntervalMs = 1000;
        sp::Session session(options);
        const auto payloads = encode(R"({"timestamp": 1, "seq": 1, "metrics": [{"alias": 1, "int_value": 1}]})");
        QVERIFY(payloads);
        const QString topic = u"spBv1.0/G/NDATA/E"_s;
        QVERIFY(session.handle(topic, payloads->at(0), 10'000).rebirth);
        const auto again = session.handle(topic, payloads->at(0), 10'500);
        QVERIFY(!again.rebirth);
        QVERIFY2(hasProblem(again, Severity::Warning, u"already pending"), qPrintable(describe(again)));
        QVERIFY(session.handle(topic, payloads->at(0), 11'000).rebirth); // the interval passed
        QVERIFY(!session.handle(topic, payloads->at(0), 11'001).rebirth);
        QVERIFY(session.handle(u"spBv1.0/G/NDATA/Other"_s, payloads->at(0), 11'002).rebirth); // per node
    }

    void isNullIsBadWithoutValue()
    {
        sp::Session session;
        QVERIFY(bornSession(session, false));
        const auto payloads = encode(R"({"timestamp": 1, "seq": 1, "metrics": [
            {"alias": 1, "is_null": true, "properties": {"Quality": 192}}]})");
        QVERIFY(payloads);
        const auto outcome = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(0));
        QVERIFY2(outcome.problems.isEmpty(), qPrintable(describe(outcome)));
        const Sample* s = find(outcome, u"Temperature");
        QVERIFY(s);
        QVERIFY(std::holds_alternative<std::monostate>(s->value));
        QCOMPARE(s->quality, Quality::Bad);
    }

    void qualityProperty_data()
    {
        QTest::addColumn<QByteArray>("property");
        QTest::addColumn<Quality>("quality");
        QTest::newRow("192 good") << QByteArray("192") << Quality::Good;
        QTest::newRow("0 bad") << QByteArray("0") << Quality::Bad;
        QTest::newRow("500 stale") << QByteArray("500") << Quality::Stale;
        QTest::newRow("other uncertain") << QByteArray("64") << Quality::Uncertain;
        QTest::newRow("Int64 500 stale") << QByteArray(R"({"type": "Int64", "value": 500})") << Quality::Stale;
        QTest::newRow("null ignored") << QByteArray(R"({"type": "Int32", "is_null": true})") << Quality::Good;
        QTest::newRow("string ignored") << QByteArray(R"({"type": "String", "value": "Bad"})") << Quality::Good;
    }

    void qualityProperty()
    {
        QFETCH(QByteArray, property);
        QFETCH(Quality, quality);
        sp::Session session;
        QVERIFY(bornSession(session, false));
        const auto payloads = encode(R"({"timestamp": 1, "seq": 1, "metrics": [
            {"alias": 1, "double_value": 5.0, "properties": {"Quality": )" +
                                     property + "}}]}");
        QVERIFY(payloads);
        const auto outcome = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(0));
        QVERIFY2(outcome.problems.isEmpty(), qPrintable(describe(outcome)));
        QCOMPARE(find(outcome, u"Temperature")->quality, quality);
        QCOMPARE(variant(find(outcome, u"Temperature")->value), QVariant(5.0));
    }

    void unsupportedTypesAreSkippedWithOneInfo()
    {
        const auto payloads = encode(R"([{"timestamp": 1, "seq": 0, "metrics": [
            {"name": "bdSeq", "datatype": "Int64", "value": 0},
            {"name": "Table", "alias": 1, "datatype": "DataSet", "value": 4},
            {"name": "Motor", "alias": 2, "datatype": "Template", "value": "v1"},
            {"name": "Blob", "alias": 3, "datatype": "Bytes", "value": "00ff"},
            {"name": "Recipe", "alias": 4, "datatype": "File", "value": "0102"},
            {"name": "Levels", "alias": 5, "datatype": "FloatArray", "value": "0000803f"},
            {"name": "ok", "alias": 6, "datatype": "Int16", "value": 3}]},
            {"timestamp": 2, "seq": 1, "metrics": [
            {"alias": 1, "datatype": "DataSet", "value": 5}, {"alias": 3, "bytes_value": "01"},
            {"alias": 6, "int_value": 4}]}])");
        QVERIFY(payloads);
        sp::Session session;
        const auto birth = feed(session, u"spBv1.0/G/NBIRTH/E"_s, payloads->at(0));
        QCOMPARE(birth.samples.size(), size_t(2)); // bdSeq and ok
        QCOMPARE(birth.problems.size(), 5);
        for (const auto& name :
             {u"\"Table\" has type DataSet"_s, u"\"Motor\" has type Template"_s, u"\"Blob\" has type Bytes"_s,
              u"\"Recipe\" has type File"_s, u"\"Levels\" has type FloatArray"_s})
            QVERIFY2(hasProblem(birth, Severity::Info, name), qPrintable(describe(birth)));
        const auto data = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(1));
        QVERIFY2(data.problems.isEmpty(), qPrintable(describe(data)));
        QCOMPARE(data.samples.size(), size_t(1));
        QCOMPARE(variant(find(data, u"ok")->value), QVariant(4.0));
    }

    void wrongValueFieldAndHistoricalValuesAreSkipped()
    {
        sp::Session session;
        QVERIFY(bornSession(session, false));
        const auto payloads = encode(R"({"timestamp": 1, "seq": 1, "metrics": [
            {"alias": 1, "string_value": "hot"}, {"alias": 2},
            {"alias": 1, "double_value": 9.0, "is_historical": true}]})");
        QVERIFY(payloads);
        const auto outcome = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(0));
        QVERIFY(outcome.samples.empty());
        QVERIFY2(hasProblem(outcome, Severity::Warning, u"\"Temperature\" is Double but NDATA carries string_value"),
                 qPrintable(describe(outcome)));
        QVERIFY2(hasProblem(outcome, Severity::Warning, u"\"Running\" is Boolean but NDATA carries no value"),
                 qPrintable(describe(outcome)));
        QVERIFY2(hasProblem(outcome, Severity::Info, u"1 historical value"), qPrintable(describe(outcome)));
    }

    void aNewNodeBirthRetiresOldDevicesAndMetrics()
    {
        sp::Session session;
        QVERIFY(bornSession(session, true));
        const auto payloads = encode(R"({"timestamp": 1700000050000, "seq": 0, "metrics": [
            {"name": "bdSeq", "datatype": "Int64", "value": 8},
            {"name": "Temperature", "alias": 1, "datatype": "Double", "value": 19.0}]})");
        QVERIFY(payloads);
        const auto rebirth = feed(session, u"spBv1.0/G/NBIRTH/E"_s, payloads->at(0));
        QVERIFY2(rebirth.problems.isEmpty(), qPrintable(describe(rebirth)));
        QCOMPARE(find(rebirth, u"Temperature")->quality, Quality::Good);
        QCOMPARE(find(rebirth, u"Running")->quality, Quality::Stale);  // no longer declared
        QCOMPARE(find(rebirth, u"Pressure")->quality, Quality::Stale); // device must be born again
        QCOMPARE(find(rebirth, u"Inputs/A")->quality, Quality::Stale);
    }

    void malformedPayloadsAreErrorsNotCrashes_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::addColumn<QByteArray>("payload");
        const auto valid = encode(kNodeBirth);
        QVERIFY(valid);
        const QByteArray birth = valid->at(0);
        for (const QString& topic : {u"spBv1.0/G/NBIRTH/E"_s, u"spBv1.0/G/NDATA/E"_s, u"spBv1.0/G/NDEATH/E"_s,
                                     u"spBv1.0/G/DBIRTH/E/D"_s, u"spBv1.0/G/DDEATH/E/D"_s}) {
            const QByteArray type = topic.section(u'/', 2, 2).toLatin1();
            QTest::addRow("%s truncated", type.constData()) << topic << birth.left(birth.size() - 3);
            QTest::addRow("%s cut in a varint", type.constData()) << topic << birth.left(2);
            QTest::addRow("%s length past the end", type.constData()) << topic << QByteArray("\x12\xff\xff\xff\x0f", 5);
            QTest::addRow("%s JSON", type.constData()) << topic << QByteArray(R"({"seq": 1})");
            QTest::addRow("%s field 0", type.constData()) << topic << QByteArray("\x00\x01", 2);
            QTest::addRow("%s end group", type.constData()) << topic << QByteArray("\x0c", 1);
            QTest::addRow("%s nested garbage", type.constData()) << topic << QByteArray("\x12\x03\x0a\x05x", 5);
        }
    }

    void malformedPayloadsAreErrorsNotCrashes()
    {
        QFETCH(QString, topic);
        QFETCH(QByteArray, payload);
        sp::Session session;
        QVERIFY(bornSession(session, true));
        const auto outcome = feed(session, topic, payload);
        QVERIFY(outcome.samples.empty());
        QVERIFY(!outcome.rebirth);
        QVERIFY2(hasProblem(outcome, Severity::Error, u"not a valid Sparkplug B payload"),
                 qPrintable(describe(outcome)));
        // The session is unharmed: the next good message decodes.
        const auto next = encode(R"({"timestamp": 1, "seq": 2, "metrics": [{"alias": 1, "double_value": 4.0}]})");
        QVERIFY(next);
        const auto after = feed(session, u"spBv1.0/G/NDATA/E"_s, next->at(0));
        QVERIFY2(after.problems.isEmpty(), qPrintable(describe(after)));
        QCOMPARE(variant(find(after, u"Temperature")->value), QVariant(4.0));
    }

    void limitsRefuseOversizedInput()
    {
        sp::Session::Options options;
        options.maxMetricsPerMessage = 3;
        options.maxMetricsPerNode = 5;
        options.maxPayloadBytes = 400;
        sp::Session session(options);
        const auto payloads = encode(R"([
            {"seq": 0, "metrics": [{"name": "a", "datatype": "Int32", "value": 1},
                {"name": "b", "datatype": "Int32", "value": 1}, {"name": "c", "datatype": "Int32", "value": 1},
                {"name": "d", "datatype": "Int32", "value": 1}]},
            {"seq": 0, "metrics": [{"name": "bdSeq", "datatype": "Int64", "value": 0},
                {"name": "a", "datatype": "Int32", "value": 1}, {"name": "b", "datatype": "Int32", "value": 1}]},
            {"seq": 1, "metrics": [{"name": "x", "datatype": "Int32", "value": 1},
                {"name": "y", "datatype": "Int32", "value": 1}, {"name": "z", "datatype": "Int32", "value": 1}]},
            {"seq": 2, "metrics": [{"name": "x", "datatype": "Int32", "value": 1}]},
            {"seq": 3, "uuid": ")" + QByteArray(500, 'u') +
                                     R"("}])");
        QVERIFY(payloads);
        const auto tooMany = feed(session, u"spBv1.0/G/NBIRTH/E"_s, payloads->at(0));
        QVERIFY(tooMany.samples.empty());
        QVERIFY2(hasProblem(tooMany, Severity::Error, u"4 metrics, more than the limit of 3"),
                 qPrintable(describe(tooMany)));

        QCOMPARE(feed(session, u"spBv1.0/G/NBIRTH/E"_s, payloads->at(1)).samples.size(), size_t(3));
        // 3 node metrics + 1 device + 3 device metrics > 5
        const auto tooBig = feed(session, u"spBv1.0/G/DBIRTH/E/D"_s, payloads->at(2));
        QVERIFY(tooBig.samples.empty());
        QVERIFY2(hasProblem(tooBig, Severity::Error, u"DBIRTH refused"), qPrintable(describe(tooBig)));
        // 3 + 1 + 1 fits
        QCOMPARE(feed(session, u"spBv1.0/G/DBIRTH/E/D2"_s, payloads->at(3)).samples.size(), size_t(1));

        const auto huge = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(4));
        QVERIFY2(hasProblem(huge, Severity::Error, u"more than the limit of 400"), qPrintable(describe(huge)));
    }

    void nestedEntriesAreCountedBeforeDecoding()
    {
        // 40 property values in one metric: few bytes, many objects once decoded.
        QByteArray properties;
        for (int i = 0; i < 40; ++i)
            properties += (i ? ", " : "") + QByteArray("\"p") + QByteArray::number(i) + "\": 1";
        const auto payloads = encode(R"({"seq": 0, "metrics": [{"name": "a", "datatype": "Int32", "value": 1,
                                         "properties": {)" +
                                     properties + "}}]}");
        QVERIFY(payloads);
        sp::Session::Options options;
        options.maxFieldsPerMessage = 50;
        sp::Session session(options);
        const auto outcome = feed(session, u"spBv1.0/G/NBIRTH/E"_s, payloads->at(0));
        QVERIFY(outcome.samples.empty());
        QVERIFY2(hasProblem(outcome, Severity::Error, u"protobuf fields, more than the limit of 50"),
                 qPrintable(describe(outcome)));
        options.maxFieldsPerMessage = 200;
        sp::Session roomier(options);
        QCOMPARE(feed(roomier, u"spBv1.0/G/NBIRTH/E"_s, payloads->at(0)).samples.size(), size_t(1));
    }

    void memoryLimitCountsNameLengths()
    {
        sp::Session::Options options;
        options.maxRememberedBytes = 10'000;
        sp::Session session(options);
        const auto payloads = encode(R"({"seq": 0, "metrics": [{"name": ")" + QByteArray(5000, 'n') +
                                     R"(", "datatype": "Int32", "value": 1}]})");
        QVERIFY(payloads);
        const auto outcome = feed(session, u"spBv1.0/G/NBIRTH/E"_s, payloads->at(0));
        QVERIFY(outcome.samples.empty());
        QVERIFY2(hasProblem(outcome, Severity::Error, u"NBIRTH refused"), qPrintable(describe(outcome)));
        QVERIFY(outcome.problems.first().message.size() < 1000); // the name is not repeated in full
    }

    void limitsAreReleasedWhenNodesAndDevicesDie()
    {
        sp::Session::Options options;
        options.maxMetricsPerSession = 6;
        sp::Session session(options);
        const auto payloads = encode(R"([
            {"seq": 0, "metrics": [{"name": "bdSeq", "datatype": "Int64", "value": 1},
                                   {"name": "a", "datatype": "Int32", "value": 1}]},
            {"seq": 1, "metrics": [{"name": "x", "datatype": "Int32", "value": 1},
                                   {"name": "y", "datatype": "Int32", "value": 1}]},
            {"seq": 2},
            {"metrics": [{"name": "bdSeq", "datatype": "Int64", "value": 1}]}])");
        QVERIFY(payloads);
        QVERIFY(feed(session, u"spBv1.0/G/NBIRTH/E1"_s, payloads->at(0)).problems.isEmpty());   // 2
        QVERIFY(feed(session, u"spBv1.0/G/DBIRTH/E1/D"_s, payloads->at(1)).problems.isEmpty()); // 2 + 3
        QVERIFY(hasError(feed(session, u"spBv1.0/G/NBIRTH/E2"_s, payloads->at(0))));            // 5 + 2 > 6
        QVERIFY(feed(session, u"spBv1.0/G/DDEATH/E1/D"_s, payloads->at(2)).problems.isEmpty()); // 2
        QVERIFY(feed(session, u"spBv1.0/G/NBIRTH/E2"_s, payloads->at(0)).problems.isEmpty());   // 4
        QVERIFY(hasError(feed(session, u"spBv1.0/G/DBIRTH/E1/D"_s, payloads->at(1))));          // 4 + 3 > 6
        QVERIFY(feed(session, u"spBv1.0/G/NDEATH/E2"_s, payloads->at(3)).problems.isEmpty());   // 2
        const auto again = feed(session, u"spBv1.0/G/DBIRTH/E1/D"_s, payloads->at(1));          // 5
        QVERIFY2(!hasError(again), qPrintable(describe(again)));
        QCOMPARE(again.samples.size(), size_t(2));
    }

    void problemsPerMessageAreCapped()
    {
        sp::Session session;
        QVERIFY(bornSession(session, false));
        QByteArray metrics;
        for (int i = 0; i < 100; ++i)
            metrics += (i ? "," : "") + QByteArray(R"({"alias": 1, "string_value": "x"})");
        const auto payloads = encode(R"({"seq": 1, "metrics": [)" + metrics + "]}");
        QVERIFY(payloads);
        const auto outcome = feed(session, u"spBv1.0/G/NDATA/E"_s, payloads->at(0));
        QCOMPARE(outcome.problems.size(), 33);
        QVERIFY2(hasProblem(outcome, Severity::Info, u"68 more problems in this NDATA"), qPrintable(describe(outcome)));
    }

    void commandsStateAndForeignTopicsProduceNoSamples()
    {
        sp::Session session;
        QVERIFY(bornSession(session, false));
        const auto payloads = encode(R"({"timestamp": 1, "metrics": [
            {"name": "Node Control/Rebirth", "datatype": "Boolean", "value": true}]})");
        QVERIFY(payloads);
        for (const QString& topic : {u"spBv1.0/G/NCMD/E"_s, u"spBv1.0/G/DCMD/E/D"_s, u"spBv1.0/STATE/host"_s}) {
            const auto outcome = feed(session, topic, payloads->at(0));
            QVERIFY2(outcome.samples.empty() && outcome.problems.isEmpty() && !outcome.rebirth,
                     qPrintable(topic + describe(outcome)));
        }
        const auto foreign = feed(session, u"plant/line1/temperature"_s, payloads->at(0));
        QVERIFY(foreign.samples.empty());
        QVERIFY2(hasProblem(foreign, Severity::Warning, u"not a Sparkplug B topic"), qPrintable(describe(foreign)));
    }

    void decodesTheSpecificationsExamples()
    {
        QFile file(QStringLiteral(TWINSPECT_TEST_DATA "/sparkplug/spec-payload-examples.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray examples = QJsonDocument::fromJson(file.readAll()).object().value(u"examples"_s).toArray();
        QVERIFY(examples.size() >= 8);
        QJsonArray specs;
        for (const auto& example : examples)
            specs.append(example.toObject().value(u"payload"_s));
        const auto payloads = encode(QJsonDocument(specs).toJson());
        QVERIFY(payloads);

        sp::Session session;
        QStringList seen;
        size_t born = 0;
        for (qsizetype i = 0; i < examples.size(); ++i) {
            const QJsonObject example = examples.at(i).toObject();
            const QString topic = example.value(u"topic"_s).toString();
            if (topic.isEmpty())
                continue; // a lone metric example without a topic
            const QString type = topic.section(u'/', 2, 2);
            seen.append(type);
            const auto outcome = feed(session, topic, payloads->at(i));
            QVERIFY2(!hasError(outcome), qPrintable(topic + describe(outcome)));
            if (type == u"NBIRTH" || type == u"DBIRTH" || type == u"NDATA" || type == u"DDATA") {
                const QJsonArray metrics = example.value(u"payload"_s).toObject().value(u"metrics"_s).toArray();
                QCOMPARE(outcome.samples.size(), size_t(metrics.size()));
                for (const auto& m : metrics) {
                    const QJsonObject metric = m.toObject();
                    const Sample* s = find(outcome, metric.value(u"name"_s).toString());
                    QVERIFY2(s, qPrintable(metric.value(u"name"_s).toString()));
                    const QJsonValue value = metric.value(u"value"_s);
                    QCOMPARE(variant(s->value), value.isDouble() ? QVariant(value.toDouble()) : value.toVariant());
                    QCOMPARE(s->sourceTimeMs, qint64(metric.value(u"timestamp"_s).toDouble()));
                }
                if (type.endsWith(u"BIRTH"))
                    born += outcome.samples.size();
            } else if (type == u"NDEATH") {
                // bdSeq Int64 0 in the NBIRTH example, UInt64 0 here: the same session.
                QCOMPARE(outcome.samples.size(), born);
                QVERIFY(std::all_of(outcome.samples.cbegin(), outcome.samples.cend(),
                                    [](const Sample& s) { return s.quality == Quality::Stale; }));
            } else {
                QVERIFY(outcome.samples.empty()); // commands, and a DDEATH after its node died
            }
        }
        QCOMPARE(seen, QStringList({u"NBIRTH"_s, u"DBIRTH"_s, u"NDATA"_s, u"DDATA"_s, u"NCMD"_s, u"DCMD"_s, u"NDEATH"_s,
                                    u"DDEATH"_s}));
    }
};

QTEST_GUILESS_MAIN(TestSparkplug)
#include "tst_sparkplug.moc"
