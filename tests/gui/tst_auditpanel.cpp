// SPDX-License-Identifier: Apache-2.0
// The auditor's dock and the window's fail-closed behaviour, on real logs.
#include "../unit/auditfixture.h"
#include "audit/auditdatabase.h"
#include "audit/auditlog.h"
#include "audit/auditverifier.h"
#include "docks/auditpanel.h"
#include "mainwindow.h"
#include "models/audittablemodel.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace twinspect;

class TestAuditPanel : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_log;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_log = m_dir.filePath(QStringLiteral("panel.db"));
        QVERIFY(test::buildLog(m_log, 300, 3));
    }

    void showsFiltersAndSortsTheLog()
    {
        ui::AuditPanel panel;
        QAbstractItemModelTester tester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester filterTester(panel.filterModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&panel, &ui::AuditPanel::loaded);
        panel.setLogFile(m_log);
        QTRY_COMPARE(panel.model()->rowCount(), 301);
        // Newest first.
        QCOMPARE(panel.filterModel()->index(0, ui::AuditTableModel::Seq).data().toULongLong(), 300ULL);
        QTest::keyClicks(panel.operatorFilter(), QStringLiteral("operator3"));
        int expected = 0;
        for (int i = 0; i < 300; ++i)
            expected += (i % 7 == 3) ? 1 : 0;
        QCOMPARE(panel.filterModel()->rowCount(), expected);
        panel.operatorFilter()->clear();
        QTest::keyClicks(panel.textFilter(), QStringLiteral("routine check 123"));
        QCOMPARE(panel.filterModel()->rowCount(), 1);
        panel.textFilter()->clear();
        panel.actionFilter()->setCurrentIndex(panel.actionFilter()->findData(QStringLiteral("audit.enrol")));
        QCOMPARE(panel.filterModel()->rowCount(), 1);
    }

    void verifyGivesAGreenVerdictForAnIntactLog()
    {
        ui::AuditPanel panel;
        panel.setLogFile(m_log);
        QSignalSpy verified(&panel, &ui::AuditPanel::verified);
        QSignalSpy audited(&panel, &ui::AuditPanel::auditedAction);
        panel.verify();
        QVERIFY(verified.wait(20000));
        QVERIFY(verified.first().at(0).toBool());
        QVERIFY2(panel.verdict().contains(QStringLiteral("Intact")), qPrintable(panel.verdict()));
        QCOMPARE(audited.first().at(0).toString(), QStringLiteral("audit.verify"));
    }

    void verifyFlagsTheFirstBadEntry()
    {
        const QString copy = m_dir.filePath(QStringLiteral("tampered.db"));
        QVERIFY(test::copyLog(m_log, copy));
        {
            test::Attacker attacker(copy);
            QVERIFY(attacker.exec(QStringLiteral("UPDATE entries SET body=replace(body, 'routine', 'ROUTINE') WHERE seq=150")));
        }
        ui::AuditPanel panel;
        panel.resize(1000, 600);
        panel.show();
        panel.setLogFile(copy);
        QTRY_COMPARE(panel.model()->rowCount(), 301);
        QSignalSpy verified(&panel, &ui::AuditPanel::verified);
        panel.verify();
        QVERIFY(verified.wait(20000));
        QVERIFY(!verified.first().at(0).toBool());
        QVERIFY2(panel.verdict().contains(QStringLiteral("modified")) && panel.verdict().contains(QStringLiteral("150")),
                 qPrintable(panel.verdict()));
        // The bad entry is selected, scrolled to and drawn red.
        const QModelIndexList selected = panel.table()->selectionModel()->selectedRows();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.first().data(ui::AuditTableModel::SeqRole).toULongLong(), 150ULL);
        QCOMPARE(selected.first().data(Qt::BackgroundRole).value<QBrush>().color(), QColor(0xc6, 0x28, 0x28));
    }

    void exportsAVerifiableFile()
    {
        ui::AuditPanel panel;
        panel.setLogFile(m_log);
        QSignalSpy exported(&panel, &ui::AuditPanel::exported);
        const QString out = m_dir.filePath(QStringLiteral("export.jsonl"));
        panel.exportTo(out, false);
        QVERIFY(exported.wait(20000));
        QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
        const audit::VerifyReport report = audit::verifyExport(out, {});
        QVERIFY2(report.intact(), qPrintable(report.summary()));
        QCOMPARE(report.entries, 301ULL);
    }

    void theWindowRecordsActionsAndFailsClosed()
    {
        const QString db = m_dir.filePath(QStringLiteral("window.db"));
        audit::AuditLog::Options options;
        options.databasePath = db;
        audit::AuditLog log(options);
        QVERIFY(log.waitOpened(10000));
        ui::MainWindow window(nullptr);
        window.setAuditLog(&log, QStringLiteral("alice"), QStringLiteral("engineer"));
        QCOMPARE(window.auditStatusText(), QStringLiteral("Audit: recording"));
        QSignalSpy loaded(&window, &ui::MainWindow::plantLoaded);
        const QString plant = QStringLiteral(TWINSPECT_SOURCE_DIR "/resources/plants/demo-boiler.plant.json");
        window.openPlant(plant);
        QVERIFY(loaded.wait(10000));
        QVERIFY(log.waitSealed(5000));
        {
            audit::AuditDatabase reader;
            QVERIFY(reader.open(db, audit::AuditDatabase::Mode::ReadOnly).ok());
            audit::AuditDatabase::Filter opens;
            opens.action = QStringLiteral("plant.open");
            int count = 0;
            reader.forEachMatching(opens, [&](const audit::EntryRow& row) {
                ++count;
                return row.operatorName == QStringLiteral("alice") && row.target.endsWith(QStringLiteral("demo-boiler.plant.json"));
            });
            QCOMPARE(count, 1);
        }
        // The key disappears: the window says so within a second and refuses to open plants.
        QVERIFY(QFile::remove(db + QStringLiteral(".key")));
        QTRY_VERIFY_WITH_TIMEOUT(window.auditStatusText().contains(QStringLiteral("unavailable")), 1500);
        QSignalSpy refused(&window, &ui::MainWindow::plantLoadFailed);
        window.openPlant(plant);
        QCOMPARE(refused.size(), 1);
        QVERIFY(refused.first().at(1).toString().contains(QStringLiteral("refused")));
        QVERIFY(window.plant()); // the plant on screen stays
    }
};

QTEST_MAIN(TestAuditPanel)
#include "tst_auditpanel.moc"
