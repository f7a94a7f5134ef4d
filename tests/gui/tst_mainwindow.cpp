// SPDX-License-Identifier: Apache-2.0
// The workstation as an engineer uses it: load the demo plant, click assets in the 3D view,
// search, fly to, and check what is drawn, pixel by pixel, under Xvfb with real Qt 3D.
#include "docks/propertiespanel.h"
#include "guitest.h"
#include "mainwindow.h"
#include "models/planttreemodel.h"
#include "plant/plant.h"
#include "twinview.h"

#include <QDockWidget>
#include <QFile>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QWindow>

using twinspect::scenes::TwinView;
using twinspect::ui::MainWindow;
using namespace twinspect::test;

namespace {
const QString kDemoPlant = QStringLiteral(TWINSPECT_SOURCE_DIR "/resources/plants/demo-boiler.plant.json");
constexpr int kRenderTimeoutMs = 20000;
} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;

    TwinView* view() const { return m_window->twinView(); }

    /// The frame once the camera has stopped and two grabs agree (the renderer has caught up);
    /// a null image if that does not happen in time.
    QImage settledFrame()
    {
        if (!QTest::qWaitFor([this] { return !view()->isCameraAnimating(); }, kRenderTimeoutMs))
            return {};
        QImage previous;
        QImage frame;
        const bool settled = QTest::qWaitFor(
            [&] {
                previous = frame;
                frame = view()->grabFrame();
                return hasContent(frame) && frame == previous;
            },
            kRenderTimeoutMs);
        return settled ? frame : QImage();
    }

    /// An asset whose projected centre picks back to itself (not hidden behind another).
    QPointF visibleCentre(const QString& id)
    {
        const std::optional<QPointF> centre = view()->projectedCenter(id);
        if (!centre)
            return {-1, -1};
        return view()->itemAt(*centre) == id ? *centre : QPointF(-1, -1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_settings = std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        m_window = std::make_unique<MainWindow>(m_settings.get());
        m_window->resize(1500, 900);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QSignalSpy loaded(m_window.get(), &MainWindow::plantLoaded);
        m_window->openPlant(kDemoPlant);
        QVERIFY(loaded.wait(10000));
        QVERIFY(m_window->plant());
        QCOMPARE(m_window->plant()->assets.size(), 41);
    }

    void cleanupTestCase() { m_window.reset(); }

    void rendersThePlantAndSaysWhatIsLoaded()
    {
        const QImage frame = settledFrame();
        QVERIFY2(hasContent(frame), "the 3D view never settled on a drawn frame");
        QVERIFY2(m_window->statusText().contains(QStringLiteral("41 asset(s)")), qPrintable(m_window->statusText()));
        QVERIFY(m_window->windowTitle().contains(QStringLiteral("HAI boiler")));
    }

    void clickingAnAssetSelectsItInTreeAndProperties()
    {
        QVERIFY(!settledFrame().isNull());
        int clicked = 0;
        for (const QString& id : {QStringLiteral("TK01"), QStringLiteral("TK02"), QStringLiteral("TK03"),
                                  QStringLiteral("HEX01S"), QStringLiteral("COND01"), QStringLiteral("HT01")}) {
            const QPointF at = visibleCentre(id);
            if (at.x() < 0)
                continue;
            QTest::mouseClick(view()->window(), Qt::LeftButton, Qt::NoModifier, at.toPoint());
            QTRY_COMPARE(m_window->selectedItem(), id);
            const QModelIndex current = m_window->assetTree()->currentIndex();
            QCOMPARE(current.data(twinspect::ui::PlantTreeModel::ItemIdRole).toString(), id);
            QCOMPARE(m_window->propertiesPanel()->valueOf(QStringLiteral("Asset"), QStringLiteral("Id")), id);
            QVERIFY(m_window->statusText().contains(id));
            ++clicked;
        }
        QVERIFY2(clicked >= 4, "most of the large equipment must be clickable at its projected centre");

        // A click on empty space clears the selection everywhere.
        QTest::mouseClick(view()->window(), Qt::LeftButton, Qt::NoModifier, QPoint(3, 3));
        QTRY_COMPARE(m_window->selectedItem(), QString());
        QVERIFY(!m_window->assetTree()->selectionModel()->hasSelection());
        QCOMPARE(m_window->propertiesPanel()->valueOf(QStringLiteral("Asset"), QStringLiteral("Id")), QString());
    }

    void treeSelectionHighlightsInTheView()
    {
        m_window->selectItem(QStringLiteral("PP02"));
        QCOMPARE(view()->selectedItem(), QStringLiteral("PP02"));
        QCOMPARE(view()->drawnColor(QStringLiteral("PP02")), TwinView::highlightColor());
        m_window->selectItem(QStringLiteral("PP04"));
        QCOMPARE(view()->drawnColor(QStringLiteral("PP04")), TwinView::highlightColor());
        QCOMPARE(view()->drawnColor(QStringLiteral("PP02")), view()->assetAppearance(QStringLiteral("PP02")).color);
        QCOMPARE(m_window->propertiesPanel()->valueOf(QStringLiteral("Asset"), QStringLiteral("Type")),
                 QStringLiteral("pump"));
    }

    void searchFiltersTheTreeAndEnterFliesToTheMatch()
    {
        auto* search = m_window->findChild<QLineEdit*>(QStringLiteral("assetSearch"));
        QVERIFY(search);
        // Shortcuts need the main window active (a click in the 3D view activates its native window).
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(search->hasFocus());
        QTest::keyClicks(search, QStringLiteral("dm-lit01"));
        QCOMPARE(m_window->visibleAssetRows(), 1);
        QTest::keyClick(search, Qt::Key_Return);
        QCOMPARE(m_window->selectedItem(), QStringLiteral("LIT01"));
        QTRY_VERIFY_WITH_TIMEOUT(!view()->isCameraAnimating(), 5000);
        // The camera now looks at the match: it projects near the middle of the view.
        const QPointF centre = *view()->projectedCenter(QStringLiteral("LIT01"));
        const QSize size = view()->window()->size();
        QVERIFY2(std::abs(centre.x() - size.width() / 2.0) < size.width() * 0.05 &&
                     std::abs(centre.y() - size.height() / 2.0) < size.height() * 0.05,
                 qPrintable(QStringLiteral("LIT01 at %1,%2").arg(centre.x()).arg(centre.y())));
        search->clear();
        QVERIFY(m_window->visibleAssetRows() >= 41);
        view()->fitAll(false);
    }

    void screenshotShowsTheHighlightWhereTheSelectedAssetIs()
    {
        view()->fitAll(false);
        m_window->selectItem(QStringLiteral("TK01"));
        const QPointF tank = *view()->projectedCenter(QStringLiteral("TK01"));
        // Wait for the frame that shows the change, not just any settled frame.
        QTRY_VERIFY_WITH_TIMEOUT(countAround(view()->grabFrame(), tank, 3, looksHighlighted) >= 30, kRenderTimeoutMs);
        const QImage frame = settledFrame();
        QVERIFY(!frame.isNull());
        // Another tank keeps its neutral look.
        const QPointF other = *view()->projectedCenter(QStringLiteral("TK02"));
        QCOMPARE(countAround(frame, other, 3, looksHighlighted), 0);
        QVERIFY(countAround(frame, other, 3, looksNeutral) >= 30);
        // Nowhere else is blue: the highlight is only on the selection.
        const QRectF tankBox(tank - QPointF(60, 60), QSizeF(120, 120));
        int stray = 0;
        for (int y = 0; y < frame.height(); y += 4) {
            for (int x = 0; x < frame.width(); x += 4) {
                if (!tankBox.contains(x, y) && looksHighlighted(frame.pixel(x, y)))
                    ++stray;
            }
        }
        QCOMPARE(stray, 0);
    }

    void recolouringNeverCreatesOrDestroysEntities()
    {
        const int entities = view()->entityCount();
        const int created = view()->entitiesCreated();
        const int draws = view()->drawEntityCount();
        QVERIFY(draws > 0);
        // One draw per shape per tile: the demo plant's 41 assets and 26 pipes are a few draws.
        QVERIFY2(draws <= 6, qPrintable(QString::number(draws)));
        const QColor alarm(0xd0, 0x20, 0x20);
        for (const twinspect::Asset& asset : m_window->plant()->assets)
            view()->setAssetAppearance(asset.id, {alarm, true, {}});
        QCOMPARE(view()->drawnColor(QStringLiteral("TK03")), alarm);
        const QPointF tank = *view()->projectedCenter(QStringLiteral("TK03"));
        const auto red = [](QRgb p) { return qRed(p) > 100 && qGreen(p) < qRed(p) / 3; };
        QTRY_VERIFY_WITH_TIMEOUT(countAround(view()->grabFrame(), tank, 3, red) >= 30, kRenderTimeoutMs);
        for (const twinspect::Asset& asset : m_window->plant()->assets)
            view()->resetAssetAppearance(asset.id);
        QCOMPARE(view()->entityCount(), entities);
        QCOMPARE(view()->entitiesCreated(), created);
    }

    void aBrokenPlantFileLeavesTheCurrentPlantInPlace()
    {
        const QString bad = m_dir.filePath(QStringLiteral("bad.plant.json"));
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            "{\n  \"format\": \"twinspect-plant\",\n  \"version\": 1,\n  \"site\": {\"id\": \"x\", \"areas\": 3}\n}\n");
        file.close();
        const auto before = m_window->plant();
        QSignalSpy failed(m_window.get(), &MainWindow::plantLoadFailed);
        m_window->openPlant(bad);
        QVERIFY(failed.wait(10000));
        const QString report = failed.first().at(1).toString();
        QVERIFY2(report.contains(QStringLiteral("bad.plant.json:4:")) &&
                     report.contains(QStringLiteral("$.site.areas")),
                 qPrintable(report));
        QCOMPARE(m_window->plant(), before);
        QCOMPARE(view()->plant(), before);
    }

    void layoutAndLastPlantPersist()
    {
        m_window->resize(1400, 850);
        QVERIFY(m_window->close());
        m_settings->sync();
        QCOMPARE(QFileInfo(m_settings->value(QStringLiteral("plant/last")).toString()), QFileInfo(kDemoPlant));
        QVERIFY(!m_settings->value(QStringLiteral("window/state")).toByteArray().isEmpty());
        MainWindow again(m_settings.get());
        QCOMPARE(again.size(), QSize(1400, 850));
        m_window->show();
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
