// SPDX-License-Identifier: Apache-2.0
// The alarm overrides file (docs/alarm-overrides.md): round trip, every way to get it wrong with
// FILE:LINE:COLUMN and JSON path, overrides applied over a plant's alarms, and storing one
// override without losing the rest of the file (or a broken file).
#include "alarms/alarmengine.h"
#include "alarms/alarmjson.h"
#include "alarms/alarmoverrides.h"
#include "plant/plantloader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace twinspect;
using alarms::AlarmConfig;
using alarms::AnalogLimit;
using alarms::Priority;

namespace {

/// JSON written with single quotes, so that test rows read without escapes.
QByteArray j(const char* text)
{
    return QByteArray(text).replace('\'', '"');
}

const char* const kHead = "{'format': 'twinspect-alarm-overrides', 'version': 1, ";

/// Two assets: TIT01 with analog alarms, FT01 without, LSH01 with a boolean alarm.
QByteArray plantText()
{
    return j("{'format': 'twinspect-plant', 'version': 2, 'site': {'id': 'site1', 'areas': [{'id': 'a1', "
             "'units': [{'id': 'u1', 'assets': ["
             "{'id': 'TK01', 'type': 'tank', 'geometry': {'primitive': 'box', 'size': [1, 1, 1]}, 'tags': ["
             "{'id': 'TIT01', 'role': 'temperature', 'unit': 'degC', "
             "'alarms': {'hi': {'limit': 95, 'priority': 'high'}, 'deadband': 1}},"
             "{'id': 'FT01', 'role': 'flow', 'unit': 'm3/h'}]},"
             "{'id': 'PP01', 'type': 'pump', 'geometry': {'primitive': 'box', 'size': [1, 1, 1]}, 'tags': ["
             "{'id': 'LSH01', 'role': 'state', 'alarms': {'state': true, 'priority': 'medium'}},"
             "{'id': 'TIT01', 'role': 'temperature', 'unit': 'degC'}]}"
             "]}]}]}}");
}

Plant plant()
{
    PlantLoadOptions options;
    options.probeMeshes = false;
    PlantLoadResult loaded = PlantLoader::loadBytes(plantText(), QStringLiteral("t.plant.json"), {}, options);
    Q_ASSERT(loaded.ok());
    return *loaded.plant;
}

AlarmConfig analog()
{
    AlarmConfig c;
    c.tag = QStringLiteral("TIT01");
    c.hi = AnalogLimit{90.5, Priority::High};
    c.hiHi = AnalogLimit{99, Priority::Urgent};
    c.lo = AnalogLimit{-3.25, Priority::Low};
    c.deadband = 0.5;
    c.onDelayMs = 1500;
    c.offDelayMs = 3000;
    return c;
}

} // namespace

class TestAlarmOverrides : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        alarms::AlarmOverrides overrides;
        overrides.sites[QStringLiteral("site1")].insert(QStringLiteral("TIT01"), {analog(), 0, 0});
        AlarmConfig boolean;
        boolean.tag = QStringLiteral("LSH01");
        boolean.type = AlarmConfig::Type::Boolean;
        boolean.alarmState = false;
        boolean.priority = Priority::Urgent;
        overrides.sites[QStringLiteral("site1")].insert(QStringLiteral("LSH01"), {boolean, 0, 0});
        AlarmConfig discrete;
        discrete.tag = QStringLiteral("P101.MODE");
        discrete.type = AlarmConfig::Type::Discrete;
        discrete.alarmStates = {QStringLiteral("TRIP"), 3.0};
        discrete.priority = Priority::High;
        overrides.sites[QStringLiteral("other/site")].insert(QStringLiteral("P101.MODE"), {discrete, 0, 0});

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("alarms.json"));
        QVERIFY(alarms::saveAlarmOverrides(path, overrides).ok());
        const auto loaded = alarms::loadAlarmOverrides(path);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().message));
        QVERIFY(loaded.value().warnings.isEmpty());
        QCOMPARE(loaded.value().sites.size(), 2);
        for (const auto& [site, tag, config] :
             {std::tuple{"site1", "TIT01", analog()}, std::tuple{"site1", "LSH01", boolean},
              std::tuple{"other/site", "P101.MODE", discrete}}) {
            const alarms::AlarmOverride* found =
                loaded.value().find(QString::fromLatin1(site), QString::fromLatin1(tag));
            QVERIFY2(found, tag);
            QVERIFY2(alarms::sameAlarms(found->config, config), tag);
            QCOMPARE(found->config.tag, QString::fromLatin1(tag));
            QVERIFY(found->line > 0);
        }
        // Written as it is read: the same bytes again.
        QCOMPARE(alarms::serializeAlarmOverrides(loaded.value()), alarms::serializeAlarmOverrides(overrides));
    }

    void theDocumentedExampleLoads()
    {
        // docs/alarm-overrides.md shows this file; the fuzz corpus starts from it.
        const auto loaded =
            alarms::loadAlarmOverrides(QStringLiteral(TWINSPECT_SOURCE_DIR "/tests/fuzz/corpus/alarms/valid.json"));
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().message));
        QVERIFY(loaded.value().warnings.isEmpty());
        QCOMPARE(loaded.value().sites.value(QStringLiteral("hai-boiler")).size(), 3);
        QCOMPARE(loaded.value().find(QStringLiteral("hai-boiler"), QStringLiteral("DM-TWIT-03"))->config.hi->limit,
                 90.0);
    }

    void aMissingFileIsNoOverrides()
    {
        QTemporaryDir dir;
        const auto loaded = alarms::loadAlarmOverrides(dir.filePath(QStringLiteral("alarms.json")));
        QVERIFY(loaded.ok());
        QVERIFY(loaded.value().sites.isEmpty());
    }

    void errorsNameFileLineColumnAndPath_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        // '@' marks where the error is reported (it is removed; line 2 starts after the newline).
        const auto row = [](const char* name, const char* text, const char* path, const char* message) {
            QTest::newRow(name) << j(text) << QString::fromUtf8(j(path)) << QString::fromUtf8(j(message));
        };
        row("not an object", "@[1]", "$", "expected an object, got an array");
        row("wrong format", "{'format': @'twinspect-backends', 'version': 1}", "$.format",
            "expected 'twinspect-alarm-overrides'");
        row("no format", "@{'version': 1}", "$.format", "expected 'twinspect-alarm-overrides'");
        row("newer version", "{'format': 'twinspect-alarm-overrides', 'version': @2}", "$.version",
            "only version 1 is known");
        row("unknown field", "{'format': 'twinspect-alarm-overrides', 'version': 1,\n 'site': @{}}", "$.site",
            "unknown field");
        row("sites not an object", "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': @[]}", "$.sites",
            "expected an object of plant site ids, got an array");
        row("site not an object", "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': @3}}",
            "$.sites['s1']", "expected an object of tag ids, got a number");
        row("tag not an object",
            "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': {'P.RUN': @true}}}",
            "$.sites['s1']['P.RUN']", "expected an alarm object, got a boolean");
        row("no form", "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': {'T': @{}}}}",
            "$.sites['s1']['T']", "give limits");
        row("two forms",
            "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': {'T': "
            "@{'state': true, 'priority': 'low', 'hi': {'limit': 1, 'priority': 'low'}}}}}",
            "$.sites['s1']['T']", "give only one of");
        row("limit not a number",
            "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': {'T':\n"
            " {'hi': {'limit': @'95', 'priority': 'high'}}}}}",
            "$.sites['s1']['T'].hi.limit", "expected a number, got a string");
        row("limit missing",
            "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': {'T': "
            "{'hi': @{'priority': 'high'}}}}}",
            "$.sites['s1']['T'].hi.limit", "required field 'limit' is missing");
        row("limits out of order",
            "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': {'T': "
            "{'hi': {'limit': 95, 'priority': 'high'}, 'hihi': {'limit': @90, 'priority': 'urgent'}}}}}",
            "$.sites['s1']['T'].hihi.limit", "must be above the hi limit (95), got 90");
        row("unknown priority",
            "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': {'T': "
            "{'state': true, 'priority': @'critical'}}}}",
            "$.sites['s1']['T'].priority", "unknown priority 'critical'");
        row("negative deadband",
            "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': {'T': "
            "{'lo': {'limit': 1, 'priority': 'low'}, 'deadband': @-1}}}}",
            "$.sites['s1']['T'].deadband", "must be 0 or more");
        row("fractional delay",
            "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': {'T': "
            "{'state': false, 'priority': 'low', 'offDelayMs': @1.5}}}}",
            "$.sites['s1']['T'].offDelayMs", "must be a whole number of milliseconds");
        row("no states",
            "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': {'T': "
            "{'states': @[], 'priority': 'low'}}}}",
            "$.sites['s1']['T'].states", "give at least one alarm state");
        row("a state that is an object",
            "{'format': 'twinspect-alarm-overrides', 'version': 1, 'sites': {'s1': {'T': "
            "{'states': ['TRIP', @{}], 'priority': 'low'}}}}",
            "$.sites['s1']['T'].states[1]", "expected a string or a number, got an object");
    }

    void errorsNameFileLineColumnAndPath()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const qsizetype at = text.indexOf('@');
        QVERIFY(at >= 0);
        text.remove(at, 1);
        const qsizetype lineStart = text.lastIndexOf('\n', at - 1) + 1;
        const int line = static_cast<int>(text.left(at).count('\n')) + 1;
        const int column = static_cast<int>(at - lineStart) + 1;
        const auto parsed = alarms::parseAlarmOverrides(text, QStringLiteral("alarms.json"));
        QVERIFY(!parsed.ok());
        const QString expected = QStringLiteral("alarms.json:%1:%2: error: %3: ").arg(line).arg(column).arg(path);
        QVERIFY2(parsed.error().message.startsWith(expected),
                 qPrintable(parsed.error().message + QStringLiteral("\nexpected: ") + expected));
        QVERIFY2(parsed.error().message.contains(message), qPrintable(parsed.error().message));
        QCOMPARE(parsed.error().code, QStringLiteral("alarm-overrides.invalid"));
    }

    void invalidJsonNamesWhereParsingStopped()
    {
        const auto parsed = alarms::parseAlarmOverrides(j("{'format': 'twinspect-alarm-overrides',\n 'version' 1}"),
                                                        QStringLiteral("alarms.json"));
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().message.startsWith(QStringLiteral("alarms.json:2:")) &&
                     parsed.error().message.contains(QStringLiteral("error: not valid JSON")),
                 qPrintable(parsed.error().message));
    }

    void unknownAlarmFieldsAreWarnings()
    {
        const QByteArray text = QByteArray(j(kHead)) +
                                j("'sites': {'s1': {'T': {'hi': {'limit': 1, 'priority': 'low', 'colour': 'red'}}}}}");
        const auto parsed = alarms::parseAlarmOverrides(text, QStringLiteral("alarms.json"));
        QVERIFY(parsed.ok());
        QCOMPARE(parsed.value().warnings.size(), 1);
        const int column = static_cast<int>(text.indexOf("\"red\"")) + 1;
        QCOMPARE(parsed.value().warnings.first(),
                 QStringLiteral("alarms.json:1:%1: warning: $.sites[\"s1\"][\"T\"].hi.colour: unknown field "
                                "\"colour\" is ignored")
                     .arg(column));
    }

    void overridesReplaceThePlantsAlarms()
    {
        // GIVEN a plant with alarms on TIT01 and LSH01, and overrides for TIT01, FT01, an unknown
        // tag, and another site
        const QByteArray text =
            QByteArray(j(kHead)) +
            j("'sites': {'site1': {"
              "'TIT01': {'hi': {'limit': 90, 'priority': 'urgent'}, 'hihi': {'limit': 97, 'priority': 'urgent'}},\n"
              "'FT01': {'lo': {'limit': 5, 'priority': 'medium'}},\n"
              "'NOPE': {'state': true, 'priority': 'low'}},\n"
              "'site2': {'LSH01': {'state': false, 'priority': 'low'}}}}");
        const auto parsed = alarms::parseAlarmOverrides(text, QStringLiteral("alarms.json"));
        QVERIFY(parsed.ok());
        // WHEN they are applied
        const alarms::AppliedAlarms applied = alarms::applyAlarmOverrides(plant(), parsed.value());
        // THEN the overrides replace the plant's, in plant order, with the plant's units
        QCOMPARE(applied.configs.size(), 3);
        QCOMPARE(applied.configs[0].tag, QStringLiteral("TIT01"));
        QCOMPARE(applied.configs[0].unit, QStringLiteral("degC"));
        QCOMPARE(applied.configs[0].hi->limit, 90.0);
        QCOMPARE(applied.configs[0].hi->priority, Priority::Urgent);
        QCOMPARE(applied.configs[0].hiHi->limit, 97.0);
        QCOMPARE(applied.configs[0].deadband, 0.0);               // the whole object replaces the plant's, deadband too
        QCOMPARE(applied.configs[1].tag, QStringLiteral("FT01")); // alarms for a tag the plant gave none
        QCOMPARE(applied.configs[1].unit, QStringLiteral("m3/h"));
        QCOMPARE(applied.configs[1].lo->limit, 5.0);
        QCOMPARE(applied.configs[2].tag, QStringLiteral("LSH01")); // site2's override is not this plant's
        QVERIFY(applied.configs[2].alarmState);
        QCOMPARE(applied.overriddenTags, (QStringList{QStringLiteral("TIT01"), QStringLiteral("FT01")}));
        // AND the unknown tag is reported where it stands
        QCOMPARE(applied.problems.size(), 1);
        QVERIFY2(applied.problems.first().startsWith(QStringLiteral(
                     "alarms.json:3:9: warning: $.sites[\"site1\"][\"NOPE\"]: tag \"NOPE\" is not bound")),
                 qPrintable(applied.problems.first()));
        // AND the engine takes them
        alarms::AlarmEngine engine;
        QVERIFY(engine.configure(applied.configs).ok());
        QCOMPARE(engine.alarmIds(QStringLiteral("TIT01")),
                 (QStringList{QStringLiteral("TIT01:HIHI"), QStringLiteral("TIT01:HI")}));
    }

    void noOverridesIsThePlant()
    {
        const alarms::AppliedAlarms applied = alarms::applyAlarmOverrides(plant(), alarms::AlarmOverrides{});
        const QList<AlarmConfig> fromPlant = alarms::alarmConfigs(plant());
        QCOMPARE(applied.configs.size(), fromPlant.size());
        for (qsizetype i = 0; i < fromPlant.size(); ++i)
            QVERIFY(alarms::sameAlarms(applied.configs[i], fromPlant[i]));
        QVERIFY(applied.overriddenTags.isEmpty());
        QVERIFY(applied.problems.isEmpty());
    }

    void storingKeepsTheRestOfTheFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("alarms.json"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray(j(kHead)) + j("'sites': {'site2': {'LSH01': {'state': false, 'priority': 'low'}}}}"));
        }
        QVERIFY(alarms::storeAlarmOverride(path, QStringLiteral("site1"), QStringLiteral("TIT01"), analog()).ok());
        auto loaded = alarms::loadAlarmOverrides(path);
        QVERIFY(loaded.ok());
        QVERIFY(loaded.value().find(QStringLiteral("site2"), QStringLiteral("LSH01")));
        QVERIFY(alarms::sameAlarms(loaded.value().find(QStringLiteral("site1"), QStringLiteral("TIT01"))->config,
                                   analog()));

        // Removing the last override of a site removes the site.
        QVERIFY(alarms::storeAlarmOverride(path, QStringLiteral("site1"), QStringLiteral("TIT01"), std::nullopt).ok());
        loaded = alarms::loadAlarmOverrides(path);
        QVERIFY(loaded.ok());
        QVERIFY(!loaded.value().sites.contains(QStringLiteral("site1")));
        QVERIFY(loaded.value().find(QStringLiteral("site2"), QStringLiteral("LSH01")));

        // An unusable config is refused before anything is written.
        AlarmConfig bad = analog();
        bad.hi = AnalogLimit{200, Priority::High}; // above HIHI
        const auto refused = alarms::storeAlarmOverride(path, QStringLiteral("site1"), QStringLiteral("TIT01"), bad);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(QStringLiteral("must be above")),
                 qPrintable(refused.error().message));
    }

    void aBrokenFileIsNeverOverwritten()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("alarms.json"));
        const QByteArray broken = QByteArray(j(kHead)) + "'sites': {";
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(broken);
        }
        const auto stored =
            alarms::storeAlarmOverride(path, QStringLiteral("site1"), QStringLiteral("TIT01"), analog());
        QVERIFY(!stored.ok());
        QVERIFY2(stored.error().message.startsWith(path + QStringLiteral(":1:")) &&
                     stored.error().message.contains(QStringLiteral("fix or remove the file")),
                 qPrintable(stored.error().message));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), broken);
    }
};

QTEST_GUILESS_MAIN(TestAlarmOverrides)
#include "tst_alarmoverrides.moc"
