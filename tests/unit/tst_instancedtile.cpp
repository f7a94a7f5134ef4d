// SPDX-License-Identifier: Apache-2.0
// Level-of-detail choice and the single instance buffer behind every level (no GPU needed:
// Qt 3D nodes are plain objects until an engine renders them).
#include "instancedtile.h"

#include <QTest>
#include <Qt3DCore/QEntity>

using twinspect::scenes::InstancedTile;
using twinspect::scenes::Shape;

class TestInstancedTile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void levelFollowsProjectedSize_data()
    {
        QTest::addColumn<float>("distance");
        QTest::addColumn<bool>("allowPoints");
        QTest::addColumn<int>("level");
        QTest::addColumn<int>("draws");
        // A 1 m instance, 870 px per metre at 1 m (a 720 px high view at 45°).
        QTest::newRow("close: shapes, one draw per shape") << 10.0f << true << int(InstancedTile::Level::Detailed) << 2;
        QTest::newRow("middle: one box draw") << 100.0f << true << int(InstancedTile::Level::Coarse) << 1;
        QTest::newRow("far: one point draw") << 1000.0f << true << int(InstancedTile::Level::Points) << 1;
        QTest::newRow("far pipes stay boxes") << 1000.0f << false << int(InstancedTile::Level::Coarse) << 1;
    }

    void levelFollowsProjectedSize()
    {
        QFETCH(float, distance);
        QFETCH(bool, allowPoints);
        QFETCH(int, level);
        QFETCH(int, draws);
        Qt3DCore::QEntity root;
        const auto materials = twinspect::scenes::createTileMaterials(&root);
        InstancedTile tile({Shape::Box, Shape::Box, Shape::Cylinder}, allowPoints, &root, materials);
        tile.setBounds(QVector3D(0, 0, 0), QVector3D(1, 1, 1));
        tile.setTypicalSize(1.0f);
        const int entities = static_cast<int>(root.findChildren<Qt3DCore::QEntity*>().size());
        QCOMPARE(entities, tile.entityCount());
        QCOMPARE(tile.entityCount(), allowPoints ? 4 : 3);

        tile.chooseLevel(QVector3D(1 + distance, 0.5f, 0.5f), 870.0f);
        QCOMPARE(int(tile.level()), level);
        QCOMPARE(tile.enabledEntityCount(), draws);
        int enabled = 0;
        for (const Qt3DCore::QEntity* e : root.findChildren<Qt3DCore::QEntity*>())
            enabled += e->isEnabled() ? 1 : 0;
        QCOMPARE(enabled, draws);
        // Switching back and forth creates nothing.
        tile.chooseLevel(QVector3D(1.5f, 0.5f, 0.5f), 870.0f);
        QCOMPARE(int(tile.level()), int(InstancedTile::Level::Detailed));
        QCOMPARE(int(root.findChildren<Qt3DCore::QEntity*>().size()), entities);
    }

    void coloursAreStoredOncePerInstance()
    {
        Qt3DCore::QEntity root;
        InstancedTile tile({Shape::Sphere, Shape::Sphere}, true, &root, twinspect::scenes::createTileMaterials(&root));
        tile.setColor(1, QColor(10, 200, 30));
        QCOMPARE(tile.color(1).rgb(), QColor(10, 200, 30).rgb());
        QCOMPARE(tile.color(0).rgb(), QColor(0, 0, 0).rgb());
        tile.setLevel(InstancedTile::Level::Points);
        QCOMPARE(tile.color(1).rgb(), QColor(10, 200, 30).rgb()); // the same buffer at every level
    }
};

QTEST_GUILESS_MAIN(TestInstancedTile)
#include "tst_instancedtile.moc"
