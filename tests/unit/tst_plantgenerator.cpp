// SPDX-License-Identifier: Apache-2.0
#include "plant/plantgenerator.h"
#include "plant/plantloader.h"

#include <QSet>
#include <QTest>

class TestPlantGenerator : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void generatesLoadablePlantsOfTheRequestedSize_data()
    {
        QTest::addColumn<int>("count");
        QTest::newRow("empty") << 0;
        QTest::newRow("one") << 1;
        QTest::newRow("one unit and a bit") << 51;
        QTest::newRow("thousand") << 1000;
    }

    void generatesLoadablePlantsOfTheRequestedSize()
    {
        QFETCH(int, count);
        twinspect::PlantGeneratorOptions options;
        options.assetCount = count;
        const auto result = twinspect::PlantLoader::loadBytes(twinspect::generatePlantJson(options),
                                                              QStringLiteral("generated"), QString());
        QVERIFY2(result.ok(), qPrintable(result.report().left(3000)));
        QVERIFY2(result.diagnostics.isEmpty(), qPrintable(result.report().left(3000)));
        QCOMPARE(result.plant->assets.size(), count);
        QSet<QString> types;
        for (const twinspect::Asset& asset : result.plant->assets) {
            QCOMPARE(asset.tags.size(), 1);
            types.insert(asset.type);
        }
        if (count >= 1000) {
            QVERIFY(types.size() >= 5);
            QVERIFY(result.plant->pipes.size() > count / 10);
            QCOMPARE(result.plant->areas.size(), 2); // 20 units of 50, 10 units per area
        }
    }

    void isDeterministicPerSeed()
    {
        twinspect::PlantGeneratorOptions a;
        a.assetCount = 200;
        twinspect::PlantGeneratorOptions b = a;
        b.seed = 2;
        QCOMPARE(twinspect::generatePlantJson(a), twinspect::generatePlantJson(a));
        QVERIFY(twinspect::generatePlantJson(a) != twinspect::generatePlantJson(b));
    }

    void noPipesWhenDisabled()
    {
        twinspect::PlantGeneratorOptions options;
        options.assetCount = 300;
        options.pipeFraction = 0;
        const auto result = twinspect::PlantLoader::loadBytes(twinspect::generatePlantJson(options),
                                                              QStringLiteral("generated"), QString());
        QVERIFY(result.ok());
        QVERIFY(result.plant->pipes.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPlantGenerator)
#include "tst_plantgenerator.moc"
