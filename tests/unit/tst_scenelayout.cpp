// SPDX-License-Identifier: Apache-2.0
#include "assetpicker.h"
#include "plant/plantgenerator.h"
#include "plant/plantloader.h"
#include "scenelayout.h"

#include <QTest>

using namespace twinspect;
using namespace twinspect::scenes;

namespace {

Plant twoTanksAndAPipe()
{
    const QByteArray text = R"({"format": "twinspect-plant", "version": 1,
      "site": {"id": "s", "areas": [{"id": "a", "units": [{"id": "u", "assets": [
        {"id": "T1", "type": "tank", "transform": {"position": [0, 1, 0]},
         "geometry": {"primitive": "cylinder", "radius": 1, "height": 2}},
        {"id": "T2", "type": "tank", "transform": {"position": [10, 1, 0], "rotation": [0, 0, 90]},
         "geometry": {"primitive": "box", "size": [4, 1, 1]}}]}]}]},
      "pipes": [{"id": "P", "from": "T1", "to": "T2", "diameter": 0.2, "path": [[0, 1, 5], [10, 1, 5]]}]})";
    auto result = PlantLoader::loadBytes(text, QStringLiteral("t"), QString());
    Q_ASSERT(result.ok());
    return std::move(*result.plant);
}

bool near(const QVector3D& a, const QVector3D& b)
{
    return (a - b).length() < 1e-4f;
}

Ray downAt(float x, float z)
{
    return Ray{QVector3D(x, 100, z), QVector3D(0, -1, 0)};
}

} // namespace

class TestSceneLayout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void assetMatrixAppliesScaleRotationTranslation()
    {
        const Plant plant = twoTanksAndAPipe();
        const QMatrix4x4 m = assetMatrix(plant, 1);
        // Rotated 90° about Z: local +X points to world +Y.
        const QVector3D tip = m.map(QVector3D(1, 0, 0));
        QVERIFY(near(tip, QVector3D(10, 2, 0)));
    }

    void pipesBecomeOrientedSegmentsWithJoints()
    {
        const Plant plant = twoTanksAndAPipe();
        const SceneLayout layout = buildSceneLayout(plant);
        QCOMPARE(layout.items.size(), 3);
        const SceneItem& pipe = layout.items.at(2);
        QVERIFY(pipe.isPipe);
        QList<InstanceSpec> pieces;
        for (const InstanceSpec& spec : layout.instances) {
            if (spec.item == 2)
                pieces.append(spec);
        }
        // Three straight runs and two bends.
        QCOMPARE(std::count_if(pieces.cbegin(), pieces.cend(), [](const auto& p) { return p.shape == Shape::Cylinder; }),
                 3);
        QCOMPARE(std::count_if(pieces.cbegin(), pieces.cend(), [](const auto& p) { return p.shape == Shape::Sphere; }), 2);
        // The middle run goes from (0,1,5) to (10,1,5): its unit Y axis maps onto that segment.
        QList<InstanceSpec> runs;
        std::copy_if(pieces.cbegin(), pieces.cend(), std::back_inserter(runs),
                     [](const auto& p) { return p.shape == Shape::Cylinder; });
        const InstanceSpec& middle = runs.at(1);
        QVERIFY(near(middle.model.map(QVector3D(0, -0.5f, 0)), QVector3D(0, 1, 5)));
        QVERIFY(near(middle.model.map(QVector3D(0, 0.5f, 0)), QVector3D(10, 1, 5)));
        QVERIFY(qFuzzyCompare(pipe.boundsMax.z(), 5.1f));
    }

    void pickerFindsTheAssetUnderTheRay()
    {
        const SceneLayout layout = buildSceneLayout(twoTanksAndAPipe());
        AssetPicker picker;
        picker.setLayout(layout);
        QCOMPARE(picker.pick(downAt(0, 0))->item, 0);
        QCOMPARE(picker.pick(downAt(10, 0))->item, 1);
        QCOMPARE(picker.pick(downAt(5, 5))->item, 2);
        QVERIFY(!picker.pick(downAt(5, 0)));
    }

    void pickerUsesTheRealShapeNotItsBox()
    {
        const SceneLayout layout = buildSceneLayout(twoTanksAndAPipe());
        AssetPicker picker;
        picker.setLayout(layout);
        // Inside the cylinder's bounding square but outside its circle.
        QVERIFY(!picker.pick(downAt(0.9f, 0.9f)));
        QCOMPARE(picker.pick(downAt(0.6f, 0.6f))->item, 0);
    }

    void pickerReturnsTheNearestAndSkipsHiddenItems()
    {
        const SceneLayout layout = buildSceneLayout(twoTanksAndAPipe());
        AssetPicker picker;
        picker.setLayout(layout);
        // Along +X at tank height: T1 first, then T2.
        const Ray ray{QVector3D(-20, 1, 0), QVector3D(1, 0, 0)};
        const auto hit = picker.pick(ray);
        QCOMPARE(hit->item, 0);
        QVERIFY(qFuzzyCompare(hit->distance, 19.0f));
        QCOMPARE(picker.pick(ray, {true, false, false})->item, 1);
    }

    void pickerIsExactOnTenThousandAssets()
    {
        PlantGeneratorOptions options;
        options.assetCount = 10000;
        options.pipeFraction = 0;
        auto result = PlantLoader::loadBytes(generatePlantJson(options), QStringLiteral("g"), QString());
        QVERIFY(result.ok());
        const SceneLayout layout = buildSceneLayout(*result.plant);
        AssetPicker picker;
        picker.setLayout(layout);
        QCOMPARE(picker.candidateCount(), 10000);
        for (const int index : {0, 1, 99, 5000, 9999}) {
            const Vec3& p = result.plant->assets.at(index).transform.position;
            const auto hit = picker.pick(downAt(float(p.x), float(p.z)));
            QVERIFY(hit);
            QCOMPARE(layout.items.at(hit->item).id, result.plant->assets.at(index).id);
        }
    }

    void rayFromWindowCentreLooksDownTheViewAxis()
    {
        QMatrix4x4 view;
        view.lookAt(QVector3D(0, 10, 10), QVector3D(0, 0, 0), QVector3D(0, 1, 0));
        QMatrix4x4 projection;
        projection.perspective(45, 16.0f / 9, 0.1f, 100);
        const Ray ray = rayFromWindow(QPointF(640, 360), QSize(1280, 720), view, projection);
        QVERIFY(near(ray.direction, QVector3D(0, -1, -1).normalized()));
    }
};

QTEST_GUILESS_MAIN(TestSceneLayout)
#include "tst_scenelayout.moc"
