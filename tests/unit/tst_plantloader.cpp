// SPDX-License-Identifier: Apache-2.0
#include "plant/plantgenerator.h"
#include "plant/plantloader.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using twinspect::PlantDiagnostic;
using twinspect::PlantLoader;
using twinspect::PlantLoadResult;
using Severity = twinspect::PlantDiagnostic::Severity;

namespace {

/// A small valid plant; tests replace one piece of it to provoke one finding.
QByteArray validPlant()
{
    return R"({
  "format": "twinspect-plant",
  "version": 1,
  "site": {
    "id": "site1",
    "name": "Test site",
    "areas": [
      {
        "id": "area1",
        "name": "Area 1",
        "units": [
          {
            "id": "unit1",
            "name": "Unit 1",
            "assets": [
              {
                "id": "TK01",
                "name": "Main tank",
                "type": "tank",
                "transform": {"position": [0, 1.5, 0], "rotation": [0, 90, 0], "scale": 1},
                "geometry": {"primitive": "cylinder", "radius": 1.2, "height": 3},
                "tags": [{"id": "LIT01", "role": "level", "unit": "%", "range": [0, 100]}],
                "metadata": {"manufacturer": "ACME", "documents": [{"title": "P&ID", "url": "https:\/\/example.invalid/p"}]}
              },
              {
                "id": "PP01",
                "name": "Pump",
                "type": "pump",
                "transform": {"position": [4, 0.5, 0]},
                "geometry": {"primitive": "box", "size": [1.2, 0.9, 0.8]}
              }
            ]
          }
        ]
      }
    ]
  },
  "pipes": [
    {"id": "P1", "from": "TK01", "to": "PP01", "diameter": 0.1, "path": [[2, 0.5, 0]]}
  ]
}
)";
}

PlantLoadResult load(const QByteArray& text, const QString& baseDir = QDir::tempPath())
{
    return PlantLoader::loadBytes(text, QStringLiteral("test.plant.json"), baseDir);
}

QByteArray replaced(const QByteArray& before, const QByteArray& after)
{
    QByteArray text = validPlant();
    const qsizetype at = text.indexOf(before);
    Q_ASSERT(at >= 0);
    text.replace(at, before.size(), after);
    return text;
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

class TestPlantLoader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void loadsAValidPlant()
    {
        const PlantLoadResult result = load(validPlant());
        QVERIFY2(result.ok(), qPrintable(result.report()));
        QVERIFY(result.diagnostics.isEmpty());
        const twinspect::Plant& plant = *result.plant;
        QCOMPARE(plant.siteName, QStringLiteral("Test site"));
        QCOMPARE(plant.areas.size(), 1);
        QCOMPARE(plant.areas[0].units[0].assetIndexes.size(), 2);
        const twinspect::Asset* tank = plant.asset(QStringLiteral("TK01"));
        QVERIFY(tank);
        QCOMPARE(tank->type, QStringLiteral("tank"));
        QCOMPARE(tank->transform.position, (twinspect::Vec3{0, 1.5, 0}));
        QCOMPARE(tank->transform.rotationDegrees.y, 90.0);
        QCOMPARE(tank->geometry.primitive, twinspect::PrimitiveKind::Cylinder);
        QCOMPARE(tank->geometry.extent, (twinspect::Vec3{2.4, 3, 2.4}));
        QCOMPARE(tank->tags.size(), 1);
        QCOMPARE(tank->tags[0].role, QStringLiteral("level"));
        QCOMPARE(*tank->tags[0].rangeMax, 100.0);
        QCOMPARE(tank->metadata[0].key, QStringLiteral("manufacturer"));
        QVERIFY(tank->metadata[1].value.contains(QStringLiteral("https://example.invalid/p")));
        QCOMPARE(plant.pipes.size(), 1);
        const QList<twinspect::Vec3> route = plant.pipeRoute(plant.pipes[0]);
        QCOMPARE(route.size(), 3);
        QCOMPARE(route.last(), (twinspect::Vec3{4, 0.5, 0}));
    }

    void reportsErrorsWithFileLineAndPath_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");

        QTest::newRow("not JSON") << replaced("\"version\": 1,", "\"version\": 1,,") << 3 << QString()
                                  << QStringLiteral("not valid JSON");
        QTest::newRow("wrong format") << replaced("\"twinspect-plant\"", "\"something-else\"") << 2
                                      << QStringLiteral("$.format") << QStringLiteral("is this a plant file?");
        QTest::newRow("newer version") << replaced("\"version\": 1", "\"version\": 7") << 3
                                       << QStringLiteral("$.version") << QStringLiteral("newer than this Twinspect");
        QTest::newRow("bad number")
            << replaced("\"position\": [0, 1.5, 0]", "\"position\": [0, \"high\", 0]") << 20
            << QStringLiteral("$.site.areas[0].units[0].assets[0].transform.position[1]")
            << QStringLiteral("expected a number, got a string");
        QTest::newRow("negative size") << replaced("[1.2, 0.9, 0.8]", "[1.2, -0.9, 0.8]") << 30
                                       << QStringLiteral("$.site.areas[0].units[0].assets[1].geometry.size[1]")
                                       << QStringLiteral("must be greater than 0");
        QTest::newRow("zero radius") << replaced("\"radius\": 1.2", "\"radius\": 0") << 21
                                     << QStringLiteral("$.site.areas[0].units[0].assets[0].geometry.radius")
                                     << QStringLiteral("must be greater than 0");
        QTest::newRow("duplicate id") << replaced("\"id\": \"PP01\"", "\"id\": \"TK01\"") << 26
                                      << QStringLiteral("$.site.areas[0].units[0].assets[1].id")
                                      << QStringLiteral("duplicate asset id \"TK01\"");
        QTest::newRow("pipe id clashes with asset") << replaced("\"id\": \"P1\"", "\"id\": \"PP01\"") << 39
                                                    << QStringLiteral("$.pipes[0].id")
                                                    << QStringLiteral("duplicate asset or pipe id \"PP01\"");
        QTest::newRow("dangling pipe end") << replaced("\"to\": \"PP01\"", "\"to\": \"PP99\"") << 39
                                           << QStringLiteral("$.pipes[0].to")
                                           << QStringLiteral("refers to asset \"PP99\", which is not in the plant");
        QTest::newRow("missing geometry")
            << replaced("\"geometry\": {\"primitive\": \"box\", \"size\": [1.2, 0.9, 0.8]}", "\"extra\": 1") << 25
            << QStringLiteral("$.site.areas[0].units[0].assets[1].geometry")
            << QStringLiteral("required field \"geometry\" is missing");
        QTest::newRow("unknown primitive") << replaced("\"primitive\": \"box\"", "\"primitive\": \"torus\"") << 30
                                           << QStringLiteral("$.site.areas[0].units[0].assets[1].geometry.primitive")
                                           << QStringLiteral("unknown primitive \"torus\"");
        QTest::newRow("bad id characters") << replaced("\"id\": \"PP01\"", "\"id\": \"PP 01\"") << 26
                                           << QStringLiteral("$.site.areas[0].units[0].assets[1].id")
                                           << QStringLiteral("is not valid");
        QTest::newRow("inverted range") << replaced("\"range\": [0, 100]", "\"range\": [100, 0]") << 22
                                        << QStringLiteral("$.site.areas[0].units[0].assets[0].tags[0].range")
                                        << QStringLiteral("min (100) must be less than max (0)");
        QTest::newRow("unsupported mesh") << replaced("\"primitive\": \"box\", \"size\": [1.2, 0.9, 0.8]",
                                                      "\"mesh\": \"pump.fbx\"")
                                          << 30 << QStringLiteral("$.site.areas[0].units[0].assets[1].geometry.mesh")
                                          << QStringLiteral("unsupported mesh file \"pump.fbx\"");
        QTest::newRow("site is not an object")
            << QByteArray("{\n  \"format\": \"twinspect-plant\",\n  \"version\": 1,\n  \"site\": []\n}") << 4
                                               << QStringLiteral("$.site")
                                               << QStringLiteral("expected an object, got an array");
    }

    void reportsErrorsWithFileLineAndPath()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, line);
        QFETCH(QString, path);
        QFETCH(QString, message);
        const PlantLoadResult result = load(text);
        QVERIFY2(!result.ok(), "a broken plant must not load");
        const PlantDiagnostic* error = first(result, Severity::Error);
        QVERIFY(error);
        QVERIFY2(error->message.contains(message), qPrintable(error->toString()));
        QCOMPARE(error->file, QStringLiteral("test.plant.json"));
        QCOMPARE(error->line, line);
        QCOMPARE(error->jsonPath, path);
        QVERIFY(error->toString().startsWith(QStringLiteral("test.plant.json:%1:").arg(line)));
    }

    void unknownFieldsAreWarnings()
    {
        const PlantLoadResult result = load(replaced("\"name\": \"Pump\",", "\"name\": \"Pump\", \"colour\": \"red\","));
        QVERIFY2(result.ok(), qPrintable(result.report()));
        const PlantDiagnostic* warning = first(result, Severity::Warning);
        QVERIFY(warning);
        QCOMPARE(warning->jsonPath, QStringLiteral("$.site.areas[0].units[0].assets[1].colour"));
        QVERIFY(warning->message.contains(QStringLiteral("unknown field \"colour\"")));
        QCOMPARE(warning->line, 27);
    }

    void unknownAssetTypeIsAWarning()
    {
        const PlantLoadResult result = load(replaced("\"type\": \"pump\"", "\"type\": \"Centrifuge\""));
        QVERIFY(result.ok());
        QCOMPARE(result.count(Severity::Warning), 1);
        QCOMPARE(result.plant->asset(QStringLiteral("PP01"))->type, QStringLiteral("centrifuge"));
    }

    void missingMeshIsAnAssetErrorAndThePlantStillLoads()
    {
        QTemporaryDir dir;
        const PlantLoadResult result =
            load(replaced("\"primitive\": \"box\", \"size\": [1.2, 0.9, 0.8]", "\"mesh\": \"meshes/pump.glb\""),
                 dir.path());
        QVERIFY2(result.ok(), qPrintable(result.report()));
        const PlantDiagnostic* problem = first(result, Severity::AssetError);
        QVERIFY(problem);
        QCOMPARE(problem->assetId, QStringLiteral("PP01"));
        QCOMPARE(problem->line, 30);
        QVERIFY2(problem->message.contains(QStringLiteral("does not exist")), qPrintable(problem->message));
        const twinspect::Asset* pump = result.plant->asset(QStringLiteral("PP01"));
        QVERIFY(!pump->problem.isEmpty());
        QCOMPARE(pump->geometry.mesh.absolutePath, QDir(dir.path()).filePath(QStringLiteral("meshes/pump.glb")));
        QVERIFY(result.plant->asset(QStringLiteral("TK01"))->problem.isEmpty());
    }

    void missingFileNamesTheFile()
    {
        const PlantLoadResult result = PlantLoader::loadFile(QStringLiteral("/nonexistent/plant.json"));
        QVERIFY(!result.ok());
        QVERIFY(result.report().startsWith(QStringLiteral("/nonexistent/plant.json: error: cannot open")));
    }

    void errorListIsCapped()
    {
        QByteArray text = validPlant();
        QByteArray many;
        for (int i = 0; i < 80; ++i)
            many += "{\"id\": \"X" + QByteArray::number(i) + "\", \"type\": \"pump\", \"geometry\": {\"primitive\": \"cube\"}},";
        text.replace(QByteArray("\"assets\": ["), QByteArray(QByteArray("\"assets\": [") + many));
        const PlantLoadResult result = load(text);
        QVERIFY(!result.ok());
        QCOMPARE(result.count(Severity::Error), 51);
        QVERIFY(result.diagnostics.last().message.contains(QStringLiteral("30 more errors not listed")));
    }

    void bundledDemoPlantLoadsCleanly()
    {
        const QString path = QStringLiteral(TWINSPECT_SOURCE_DIR "/resources/plants/demo-boiler.plant.json");
        const PlantLoadResult result = PlantLoader::loadFile(path);
        QVERIFY2(result.ok(), qPrintable(result.report()));
        QVERIFY2(result.diagnostics.isEmpty(), qPrintable(result.report()));
        QCOMPARE(result.plant->assets.size(), 41); // the HAI boiler's 41 nodes
        QVERIFY(result.plant->pipes.size() >= 25);
        QVERIFY(result.plant->areas.size() >= 3);
        // Real HAI tag names are bound.
        const twinspect::Asset* level = result.plant->asset(QStringLiteral("LIT01"));
        QVERIFY(level);
        QCOMPARE(level->tags.first().tagId, QStringLiteral("DM-LIT01"));
    }

    void tenThousandAssetsLoadInWellUnderASecond()
    {
        // Not a timing assertion (machines are noisy): the figure is in docs/PERFORMANCE.md.
        // This checks the generated plant is what the benchmark will load.
        twinspect::PlantGeneratorOptions options;
        options.assetCount = 10000;
        const QByteArray text = twinspect::generatePlantJson(options);
        const PlantLoadResult result = load(text);
        QVERIFY2(result.ok(), qPrintable(result.report().left(2000)));
        QCOMPARE(result.plant->assets.size(), 10000);
    }
};

QTEST_GUILESS_MAIN(TestPlantLoader)
#include "tst_plantloader.moc"
