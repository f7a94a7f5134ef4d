// SPDX-License-Identifier: Apache-2.0
#include "models/planttreemodel.h"
#include "plant/plantloader.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTest>

using twinspect::ui::PlantTreeModel;

namespace {
std::shared_ptr<const twinspect::Plant> demoPlant()
{
    auto result = twinspect::PlantLoader::loadFile(
        QStringLiteral(TWINSPECT_SOURCE_DIR "/resources/plants/demo-boiler.plant.json"));
    Q_ASSERT(result.ok());
    return std::make_shared<const twinspect::Plant>(std::move(*result.plant));
}
} // namespace

class TestPlantTreeModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void passesTheModelTester()
    {
        PlantTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPlant(demoPlant());
        QCOMPARE(model.rowCount(), 1); // the site
        model.setPlant(nullptr);
        QCOMPARE(model.rowCount(), 0);
        model.setPlant(demoPlant());
    }

    void findsEveryAssetAndPipe()
    {
        PlantTreeModel model;
        const auto plant = demoPlant();
        model.setPlant(plant);
        for (const twinspect::Asset& asset : plant->assets) {
            const QModelIndex index = model.indexForItem(asset.id);
            QVERIFY(index.isValid());
            QCOMPARE(index.data(PlantTreeModel::ItemIdRole).toString(), asset.id);
            QCOMPARE(index.data().toString(), asset.name);
            QCOMPARE(index.data(PlantTreeModel::KindRole).toString(), QStringLiteral("asset"));
            // Asset → unit → area → site.
            QCOMPARE(index.parent().parent().parent().data(PlantTreeModel::KindRole).toString(), QStringLiteral("site"));
        }
        for (const twinspect::Pipe& pipe : plant->pipes)
            QCOMPARE(model.indexForItem(pipe.id).data(PlantTreeModel::KindRole).toString(), QStringLiteral("pipe"));
    }

    void searchMatchesNameIdTypeAndTag_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("expectedId");
        QTest::newRow("by id") << QStringLiteral("hex01t") << QStringLiteral("HEX01T");
        QTest::newRow("by tag") << QStringLiteral("dm-lit01") << QStringLiteral("LIT01");
        QTest::newRow("by name") << QStringLiteral("main water tank") << QStringLiteral("TK01");
        QTest::newRow("by type") << QStringLiteral("heater") << QStringLiteral("HT01");
    }

    void searchMatchesNameIdTypeAndTag()
    {
        QFETCH(QString, query);
        QFETCH(QString, expectedId);
        PlantTreeModel model;
        model.setPlant(demoPlant());
        QSortFilterProxyModel filter;
        filter.setSourceModel(&model);
        filter.setFilterRole(PlantTreeModel::SearchTextRole);
        filter.setRecursiveFilteringEnabled(true);
        filter.setFilterFixedString(query);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(filter.mapFromSource(model.indexForItem(expectedId)).isValid());
        QVERIFY(!filter.mapFromSource(model.indexForItem(QStringLiteral("PP02"))).isValid() ||
                query == QStringLiteral("pump"));
    }
};

QTEST_MAIN(TestPlantTreeModel)
#include "tst_planttreemodel.moc"
