// SPDX-License-Identifier: Apache-2.0
// The `alarms` object of a tag binding (docs/plant-format.md, "Alarms"): the three forms, and an
// error with FILE:LINE and JSON path for each way to get it wrong.
#include "plant/plantloader.h"

#include <QTest>

using twinspect::PlantDiagnostic;
using twinspect::PlantLoader;
using twinspect::PlantLoadResult;
using twinspect::alarms::AlarmConfig;
using twinspect::alarms::Priority;
using Severity = twinspect::PlantDiagnostic::Severity;
using namespace Qt::StringLiterals;

namespace {

const QString kTags = u"$.site.areas[0].units[0].assets[0].tags"_s;

/// One asset with an analog, a boolean and a discrete alarm; tests replace one piece of it.
QByteArray validPlant()
{
    return R"({
  "format": "twinspect-plant",
  "version": 2,
  "site": {
    "id": "site1",
    "areas": [{
      "id": "area1",
      "units": [{
        "id": "unit1",
        "assets": [
          {
            "id": "TK01",
            "type": "tank",
            "geometry": {"primitive": "cylinder", "radius": 1.2, "height": 3},
            "tags": [
              {"id": "TIT01", "role": "temperature", "unit": "degC", "range": [0, 100],
               "alarms": {
                 "hihi": {"limit": 98, "priority": "urgent"},
                 "hi": {"limit": 95, "priority": "high"},
                 "lo": {"limit": 20, "priority": "medium"},
                 "lolo": {"limit": 10, "priority": "low"},
                 "deadband": 1.5, "onDelayMs": 2000, "offDelayMs": 5000}},
              {"id": "LSH01", "role": "state", "alarms": {"state": true, "priority": "Medium"}},
              {"id": "PP01-MODE", "role": "state",
               "alarms": {"states": ["TRIP", "FAULT", 3], "priority": "high", "onDelayMs": 500}}
            ]
          },
          {
            "id": "PP01",
            "type": "pump",
            "geometry": {"primitive": "box", "size": [1, 1, 1]},
            "tags": [{"id": "FT01", "role": "flow"}]
          }
        ]
      }]
    }]
  }
}
)";
}

PlantLoadResult load(const QByteArray& text)
{
    twinspect::PlantLoadOptions options;
    options.probeMeshes = false;
    return PlantLoader::loadBytes(text, u"test.plant.json"_s, {}, options);
}

QByteArray replaced(const QByteArray& before, const QByteArray& after)
{
    QByteArray text = validPlant();
    const qsizetype at = text.indexOf(before);
    Q_ASSERT(at >= 0);
    text.replace(at, before.size(), after);
    return text;
}

/// The 1-based line of the first occurrence of needle.
int lineOf(const QByteArray& text, const QByteArray& needle)
{
    const qsizetype at = text.indexOf(needle);
    Q_ASSERT(at >= 0);
    return static_cast<int>(text.left(at).count('\n')) + 1;
}

const PlantDiagnostic* first(const PlantLoadResult& result, Severity severity)
{
    for (const PlantDiagnostic& d : result.diagnostics) {
        if (d.severity == severity)
            return &d;
    }
    return nullptr;
}

} // namespace

class TestPlantLoaderAlarms : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsTheThreeForms()
    {
        const PlantLoadResult result = load(validPlant());
        QVERIFY2(result.ok(), qPrintable(result.report()));
        QVERIFY2(result.diagnostics.isEmpty(), qPrintable(result.report()));
        const QList<twinspect::TagBinding>& tags = result.plant->asset(u"TK01"_s)->tags;

        QVERIFY(tags[0].alarms);
        const AlarmConfig& analog = *tags[0].alarms;
        QCOMPARE(analog.type, AlarmConfig::Type::Analog);
        QCOMPARE(analog.tag, u"TIT01"_s);
        QCOMPARE(analog.unit, u"degC"_s);
        QCOMPARE(analog.hiHi->limit, 98.0);
        QCOMPARE(analog.hiHi->priority, Priority::Urgent);
        QCOMPARE(analog.hi->limit, 95.0);
        QCOMPARE(analog.hi->priority, Priority::High);
        QCOMPARE(analog.lo->priority, Priority::Medium);
        QCOMPARE(analog.loLo->limit, 10.0);
        QCOMPARE(analog.loLo->priority, Priority::Low);
        QCOMPARE(analog.deadband, 1.5);
        QCOMPARE(analog.onDelayMs, 2000);
        QCOMPARE(analog.offDelayMs, 5000);
        QCOMPARE(twinspect::alarms::configProblem(analog), QString());

        QVERIFY(tags[1].alarms);
        QCOMPARE(tags[1].alarms->type, AlarmConfig::Type::Boolean);
        QCOMPARE(tags[1].alarms->alarmState, true);
        QCOMPARE(tags[1].alarms->priority, Priority::Medium); // priorities in any case

        QVERIFY(tags[2].alarms);
        QCOMPARE(tags[2].alarms->type, AlarmConfig::Type::Discrete);
        QCOMPARE(tags[2].alarms->alarmStates, (QList<twinspect::telemetry::Value>{u"TRIP"_s, u"FAULT"_s, 3.0}));
        QCOMPARE(tags[2].alarms->priority, Priority::High);
        QCOMPARE(tags[2].alarms->onDelayMs, 500);

        QVERIFY(!result.plant->asset(u"PP01"_s)->tags[0].alarms); // optional
    }

    void onlySomeLimits()
    {
        const PlantLoadResult result = load(replaced(R"("hihi": {"limit": 98, "priority": "urgent"},)", ""));
        QVERIFY2(result.ok(), qPrintable(result.report()));
        const AlarmConfig& analog = *result.plant->asset(u"TK01"_s)->tags[0].alarms;
        QVERIFY(!analog.hiHi);
        QVERIFY(analog.hi);
    }

    void reportsErrors_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("at"); ///< the text the error points at (its line)
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");

        const QString analog = kTags + u"[0].alarms"_s;
        const auto row = [](const char* name, const QByteArray& before, const QByteArray& after, const QByteArray& at,
                            const QString& path, const QString& message) {
            QTest::newRow(name) << replaced(before, after) << at << path << message;
        };
        row("limit not a number", R"("limit": 95,)", R"("limit": "95",)", R"("limit": "95")", analog + u".hi.limit"_s,
            u"expected a number, got a string"_s);
        row("limit missing", R"({"limit": 95, "priority": "high"})", R"({"priority": "high"})", R"("hi": {)",
            analog + u".hi.limit"_s, u"required field \"limit\" is missing"_s);
        row("limit not an object", R"("hi": {"limit": 95, "priority": "high"})", R"("hi": 95)", R"("hi": 95)",
            analog + u".hi"_s, u"expected an object, got a number"_s);
        row("hi not above lo", R"("limit": 95,)", R"("limit": 20,)", R"("limit": 20, "priority": "high")",
            analog + u".hi.limit"_s, u"must be above the lo limit (20), got 20: limits go lolo < lo < hi < hihi"_s);
        row("hihi not above hi", R"("limit": 98,)", R"("limit": 90,)", R"("limit": 90)", analog + u".hihi.limit"_s,
            u"must be above the hi limit (95), got 90"_s);
        row("lo not above lolo", R"("limit": 10,)", R"("limit": 30,)", R"("limit": 20, "priority": "medium")",
            analog + u".lo.limit"_s, u"must be above the lolo limit (30), got 20"_s);
        row("negative deadband", R"("deadband": 1.5)", R"("deadband": -1)", R"("deadband": -1)",
            analog + u".deadband"_s, u"must be 0 or more"_s);
        row("unknown priority", R"("priority": "urgent")", R"("priority": "critical")", R"("critical")",
            analog + u".hihi.priority"_s, u"unknown priority \"critical\"; use low, medium, high or urgent"_s);
        row("missing priority", R"({"limit": 20, "priority": "medium"})", R"({"limit": 20})", R"("lo": {)",
            analog + u".lo.priority"_s, u"required field \"priority\" is missing"_s);
        row("negative delay", R"("onDelayMs": 2000)", R"("onDelayMs": -1)", R"("onDelayMs": -1)",
            analog + u".onDelayMs"_s, u"must be a whole number of milliseconds"_s);
        row("fractional delay", R"("offDelayMs": 5000)", R"("offDelayMs": 2.5)", R"("offDelayMs": 2.5)",
            analog + u".offDelayMs"_s, u"must be a whole number of milliseconds"_s);
        row("delay over a day", R"("offDelayMs": 5000)", R"("offDelayMs": 86400001)", R"("offDelayMs")",
            analog + u".offDelayMs"_s, u"from 0 to 86400000"_s);
        row("alarms not an object", R"("alarms": {"state": true, "priority": "Medium"})", R"("alarms": [])",
            R"("alarms": [])", kTags + u"[1].alarms"_s, u"expected an object, got an array"_s);
        row("two forms", R"({"state": true, "priority": "Medium"})",
            R"({"state": true, "hi": {"limit": 1, "priority": "low"}, "priority": "Medium"})",
            R"({"state": true, "hi")", kTags + u"[1].alarms"_s, u"give only one of limits"_s);
        row("no form", R"({"state": true, "priority": "Medium"})", R"({"priority": "Medium"})",
            R"({"priority": "Medium"})", kTags + u"[1].alarms"_s, u"give limits"_s);
        row("state not a boolean", R"("state": true)", R"("state": "true")", R"("state": "true")",
            kTags + u"[1].alarms.state"_s, u"expected a boolean, got a string"_s);
        row("boolean without priority", R"({"state": true, "priority": "Medium"})", R"({"state": true})",
            R"({"state": true})", kTags + u"[1].alarms.priority"_s, u"required field \"priority\" is missing"_s);
        row("no states", R"(["TRIP", "FAULT", 3])", "[]", R"("states": [])", kTags + u"[2].alarms.states"_s,
            u"give at least one alarm state"_s);
        row("state of a wrong type", R"(["TRIP", "FAULT", 3])", R"(["TRIP", {"x": 1}])", R"({"x": 1})",
            kTags + u"[2].alarms.states[1]"_s, u"expected a string or a number, got an object"_s);
        row("alarms in a version 1 file", R"("version": 2)", R"("version": 1)", R"("alarms": {)", analog,
            u"alarms need format version 2; set \"version\": 2"_s);
    }

    void reportsErrors()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, at);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const PlantLoadResult result = load(text);
        QVERIFY2(!result.ok(), "a plant with a broken alarm must not load");
        const PlantDiagnostic* error = first(result, Severity::Error);
        QVERIFY(error);
        QCOMPARE(error->jsonPath, path);
        QVERIFY2(error->message.contains(message), qPrintable(error->toString()));
        QCOMPARE(error->line, lineOf(text, at));
        QVERIFY(error->toString().startsWith(u"test.plant.json:%1:"_s.arg(error->line)));
    }

    void sameTagWithAlarmsOnTwoAssetsIsAnError()
    {
        const QByteArray text =
            replaced(R"({"id": "FT01", "role": "flow"})",
                     R"({"id": "LSH01", "role": "state", "alarms": {"state": false, "priority": "low"}})");
        const PlantLoadResult result = load(text);
        QVERIFY(!result.ok());
        const PlantDiagnostic* error = first(result, Severity::Error);
        QVERIFY(error);
        QCOMPARE(error->jsonPath, u"$.site.areas[0].units[0].assets[1].tags[0].alarms"_s);
        QVERIFY2(error->message.contains(u"tag \"LSH01\" already has alarms on asset \"TK01\""_s),
                 qPrintable(error->message));
    }

    void warnings_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown field in a limit")
            << replaced(R"("limit": 95,)", R"("limit": 95, "colour": "red",)") << kTags + u"[0].alarms.hi.colour"_s
            << u"unknown field \"colour\" is ignored"_s;
        QTest::newRow("deadband on a boolean alarm")
            << replaced(R"({"state": true, "priority": "Medium"})",
                        R"({"state": true, "priority": "Medium", "deadband": 1})")
            << kTags + u"[1].alarms.deadband"_s << u"unknown field \"deadband\" is ignored"_s;
        QTest::newRow("limit outside the range")
            << replaced(R"("limit": 98,)", R"("limit": 120,)") << kTags + u"[0].alarms.hihi.limit"_s
            << u"120 is outside the tag's range [0, 100]"_s;
    }

    void warnings()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const PlantLoadResult result = load(text);
        QVERIFY2(result.ok(), qPrintable(result.report()));
        const PlantDiagnostic* warning = first(result, Severity::Warning);
        QVERIFY(warning);
        QCOMPARE(warning->jsonPath, path);
        QVERIFY2(warning->message.contains(message), qPrintable(warning->toString()));
    }

    void bundledDemoPlantHasAlarmsThatMatchTheSimulator()
    {
        const PlantLoadResult result =
            PlantLoader::loadFile(QStringLiteral(TWINSPECT_SOURCE_DIR "/resources/plants/demo-boiler.plant.json"));
        QVERIFY2(result.ok() && result.diagnostics.isEmpty(), qPrintable(result.report()));
        QCOMPARE(result.plant->formatVersion, 2);
        const auto alarmsOf = [&](const QString& tag) {
            for (const twinspect::Asset& asset : result.plant->assets) {
                for (const twinspect::TagBinding& binding : asset.tags) {
                    if (binding.tagId == tag)
                        return binding.alarms;
                }
            }
            return std::optional<AlarmConfig>();
        };
        // twinspect-sim overshoots DM-TWIT-03 above 95 % of 0..100 degC (docs/cli.md).
        const auto temperature = alarmsOf(u"DM-TWIT-03"_s);
        QVERIFY(temperature);
        QCOMPARE(temperature->tag, u"DM-TWIT-03"_s);
        QCOMPARE(temperature->hi->limit, 95.0);
        QCOMPARE(temperature->hi->priority, Priority::High);
        QCOMPARE(temperature->hiHi->limit, 98.0);
        QCOMPARE(temperature->hiHi->priority, Priority::Urgent);
        QVERIFY(93.0 < temperature->hi->limit - temperature->deadband); // the value after the fault clears it
        const auto level = alarmsOf(u"DM-LIT01"_s);
        QVERIFY(level && level->lo && level->hi);
        const auto flow = alarmsOf(u"DM-FT01"_s); // the pump trip drops it to about 0
        QVERIFY(flow && flow->lo && flow->lo->limit > 0);
        const auto levelSwitch = alarmsOf(u"DM-LSH01"_s);
        QVERIFY(levelSwitch && levelSwitch->type == AlarmConfig::Type::Boolean && levelSwitch->alarmState);
        const auto pump = alarmsOf(u"DM-PP01A-R"_s); // false: the pump stopped
        QVERIFY(pump && pump->type == AlarmConfig::Type::Boolean && !pump->alarmState);
    }
};

QTEST_GUILESS_MAIN(TestPlantLoaderAlarms)
#include "tst_plantloaderalarms.moc"
