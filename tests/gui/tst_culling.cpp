// SPDX-License-Identifier: Apache-2.0
// Culling a large plant: every tile that is in view is drawn, and only those. Qt 3D's own frustum
// culling bounds an instanced draw by its unit mesh at the origin, so it dropped tiles in plain
// view (a close-up of an asset far from the origin showed nothing); TwinView culls tiles itself.
#include "guitest.h"
#include "plant/plant.h"
#include "plant/plantgenerator.h"
#include "plant/plantloader.h"
#include "twinview.h"

#include <QStandardPaths>
#include <QTest>
#include <QWindow>

using namespace twinspect;
using namespace twinspect::scenes;
using namespace twinspect::test;

namespace {
constexpr int kRenderTimeoutMs = 20000;
}

class TestCulling : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void flyingToAFarCornerDrawsItAndCullsTheRest()
    {
        // A plant of several tiles: Qt 3D would cull an instanced tile by its unit mesh at the
        // origin, so a close-up of a corner far from the origin showed nothing at all.
        PlantGeneratorOptions options;
        options.assetCount = 3000;
        options.pipeFraction = 0;
        PlantLoadResult loaded = PlantLoader::loadBytes(generatePlantJson(options), QStringLiteral("grid"), QString());
        QVERIFY(loaded.ok());
        auto grid = std::make_shared<const Plant>(std::move(*loaded.plant));
        TwinView view;
        view.window()->resize(800, 500);
        view.window()->show();
        QVERIFY(QTest::qWaitForWindowExposed(view.window()));
        view.setPlant(grid);
        const QString corner = grid->assets.last().id;
        const auto drawn = [&] {
            const std::optional<QPointF> at = view.projectedCenter(corner);
            return at && !countAround(view.grabFrame(), *at, 2, isBackground);
        };
        QTRY_VERIFY_WITH_TIMEOUT(hasContent(view.grabFrame()), kRenderTimeoutMs);
        QCOMPARE(view.culledTiles(), 0); // the whole plant is in view
        view.flyTo(corner, false);
        QTRY_VERIFY_WITH_TIMEOUT(drawn(), kRenderTimeoutMs);
        // Close up, the tiles out of view draw nothing.
        QVERIFY(view.culledTiles() > 0);
        view.fitAll(false);
        QCOMPARE(view.culledTiles(), 0);
    }
};

QTEST_MAIN(TestCulling)
#include "tst_culling.moc"
