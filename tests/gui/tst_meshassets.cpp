// SPDX-License-Identifier: Apache-2.0
// Real meshes from Debian's assimp-testmodels through the plant loader and Qt 3D: good ones are
// drawn, broken ones become placeholders with their problem listed, and the plant still loads.
#include "docks/problemspanel.h"
#include "guitest.h"
#include "mainwindow.h"
#include "plant/plant.h"
#include "twinview.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QWindow>

using twinspect::ui::MainWindow;
using namespace twinspect::test;

namespace {

const QString kModels = QStringLiteral("/usr/share/assimp/models/");

struct MeshCase
{
    const char* id;
    const char* source; ///< folder under kModels, copied whole so .bin files come along
    const char* file;
    double scale;
};

// Placed on a row 6 m apart; scales bring each model to about 2 m.
const MeshCase kGood[] = {
    {"ENGINE", "glTF2/2CylinderEngine-glTF-Binary", "2CylinderEngine.glb", 0.004},
    {"BOX_GLTF", "glTF2/BoxTextured-glTF", "BoxTextured.gltf", 2.0},
    {"BOX_OBJ", "OBJ", "box.obj", 2.0},
    {"SPIDER_STL", "STL", "Spider_binary.stl", 0.3},
};
const MeshCase kBroken[] = {
    {"MISSING_BIN", "glTF2/MissingBin", "BoxTextured.gltf", 2.0},
    {"BAD_INDEX", "glTF2/IndexOutOfRange", "IndexOutOfRange.gltf", 2.0},
    {"CYCLE", "glTF2/RecursiveNodes", "RecursiveNodes.gltf", 2.0},
    {"NO_FILE", "glTF2/none", "not-there.glb", 1.0},
};

bool copyFolder(const QString& from, const QString& to)
{
    QDir().mkpath(to);
    const QDir source(from);
    for (const QString& name : source.entryList(QDir::Files)) {
        if (!QFile::copy(source.filePath(name), QDir(to).filePath(name)))
            return false;
    }
    return true;
}

} // namespace

class TestMeshAssets : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    QByteArray assetJson(const MeshCase& c, int slot)
    {
        const QByteArray x = QByteArray::number(slot * 6);
        return "{\"id\": \"" + QByteArray(c.id) + "\", \"type\": \"other\", \"transform\": {\"position\": [" + x +
               ", 1, 0], \"scale\": " + QByteArray::number(c.scale) + "}, \"geometry\": {\"mesh\": \"meshes/" +
               QByteArray(c.id) + "/" + QByteArray(c.file) + "\", \"size\": [2, 2, 2]}}";
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        if (!QFileInfo::exists(kModels))
            QFAIL("assimp-testmodels is not installed; run the README's test command (it installs it)");
        QByteArray assets;
        int slot = 0;
        for (const auto* group : {&kGood, &kBroken}) {
            for (const MeshCase& c : *group) {
                if (QFileInfo::exists(kModels + QLatin1String(c.source)))
                    QVERIFY(copyFolder(kModels + QLatin1String(c.source),
                                       m_dir.filePath(QStringLiteral("meshes/") + QLatin1String(c.id))));
                assets += (slot ? ",\n" : "") + assetJson(c, slot);
                ++slot;
            }
        }
        assets += ",\n{\"id\": \"PLAIN\", \"type\": \"tank\", \"transform\": {\"position\": [-6, 1, 0]}, "
                  "\"geometry\": {\"primitive\": \"box\", \"size\": [2, 2, 2]}}";
        QFile plant(m_dir.filePath(QStringLiteral("meshes.plant.json")));
        QVERIFY(plant.open(QIODevice::WriteOnly));
        plant.write("{\"format\": \"twinspect-plant\", \"version\": 1, \"site\": {\"id\": \"m\", \"name\": \"Meshes\", "
                    "\"areas\": [{\"id\": \"a\", \"units\": [{\"id\": \"u\", \"assets\": [\n" +
                    assets + "]}]}]}}\n");
    }

    void goodMeshesDrawAndBrokenOnesBecomePlaceholders()
    {
        QSettings settings(m_dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        MainWindow window(&settings);
        window.resize(1400, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy loaded(&window, &MainWindow::plantLoaded);
        QSignalSpy meshFailed(window.twinView(), &twinspect::scenes::TwinView::meshFailed);
        window.openPlant(m_dir.filePath(QStringLiteral("meshes.plant.json")));
        QVERIFY(loaded.wait(20000));

        // The plant loads with every asset; the broken ones are listed as asset errors.
        QCOMPARE(window.plant()->assets.size(), int(std::size(kGood) + std::size(kBroken) + 1));
        for (const MeshCase& c : kBroken) {
            const twinspect::Asset* asset = window.plant()->asset(QLatin1String(c.id));
            QVERIFY2(!asset->problem.isEmpty(), c.id);
        }
        QVERIFY(window.problemsPanel()->problemCount() >= int(std::size(kBroken)));
        const QStringList placeholders = window.twinView()->placeholderItems();
        for (const MeshCase& c : kBroken)
            QVERIFY2(placeholders.contains(QLatin1String(c.id)), c.id);

        // Every good mesh ends up on screen: pixels that are not background at its centre.
        window.twinView()->fitAll(false);
        const auto allDrawn = [&] {
            const QImage frame = window.twinView()->grabFrame();
            for (const MeshCase& c : kGood) {
                const auto centre = window.twinView()->projectedCenter(QLatin1String(c.id));
                if (!centre || countAround(frame, *centre, 6, [](QRgb p) { return !isBackground(p); }) < 10)
                    return false;
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(allDrawn(), 30000);
        // Placeholders are drawn too, in the placeholder colour, where the broken meshes stand.
        const QImage frame = window.twinView()->grabFrame();
        for (const MeshCase& c : kBroken) {
            const QPointF centre = *window.twinView()->projectedCenter(QLatin1String(c.id));
            QVERIFY2(countAround(frame, centre, 4, [](QRgb p) { return qRed(p) > qGreen(p) + 20 && qBlue(p) > qGreen(p) + 20; }) > 20,
                     c.id);
        }
        for (const QList<QVariant>& failure : meshFailed) {
            for (const MeshCase& c : kGood)
                QVERIFY2(failure.at(0).toString() != QLatin1String(c.id), qPrintable(failure.at(1).toString()));
        }
        // Selecting a mesh asset highlights it like any other asset, glTF scenes included (their
        // own materials are replaced, so appearance changes reach every part).
        window.selectItem(QStringLiteral("ENGINE"));
        const QPointF engine = *window.twinView()->projectedCenter(QStringLiteral("ENGINE"));
        QTRY_VERIFY_WITH_TIMEOUT(countAround(window.twinView()->grabFrame(), engine, 8, looksHighlighted) > 10, 10000);
        window.selectItem(QStringLiteral("BOX_OBJ"));
        QCOMPARE(window.twinView()->drawnColor(QStringLiteral("BOX_OBJ")), twinspect::scenes::TwinView::highlightColor());
        QCOMPARE(window.twinView()->itemAt(*window.twinView()->projectedCenter(QStringLiteral("BOX_OBJ"))),
                 QStringLiteral("BOX_OBJ"));
    }
};

QTEST_MAIN(TestMeshAssets)
#include "tst_meshassets.moc"
