// SPDX-License-Identifier: Apache-2.0
#include "auditpanel.h"

#include "audit/auditdatabase.h"
#include "audit/auditentry.h"
#include "audit/auditexport.h"
#include "audit/auditlog.h"
#include "audit/auditverifier.h"
#include "models/audittablemodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QThreadPool>
#include <QApplication>
#include <QVBoxLayout>

namespace twinspect::ui {

namespace {

constexpr int kMaxRows = 200000; // the panel shows the newest entries; export has them all

AuditRow rowFrom(const audit::EntryRow& entry)
{
    AuditRow row;
    row.seq = entry.seq;
    row.timeMs = entry.timeMs;
    row.time = audit::isoTime(entry.timeMs);
    row.operatorName = entry.operatorName;
    row.role = entry.role;
    row.action = entry.action;
    row.target = entry.target;
    row.outcome = entry.outcome;
    if (const Result<audit::AuditRecord> record = audit::parseEntry(entry.body); record) {
        row.reason = record.value().event.reason;
        row.details = QString::fromUtf8(QJsonDocument(record.value().event.details).toJson(QJsonDocument::Compact));
        if (const auto& esig = record.value().event.esignature)
            row.esignature = QStringLiteral("%1, %2, %3").arg(esig->printedName, esig->meaning, esig->signedAt);
    }
    return row;
}

} // namespace

AuditPanel::AuditPanel(QWidget* parent)
    : QWidget(parent)
    , m_model(new AuditTableModel(this))
    , m_filter(new AuditFilterModel(this))
    , m_table(new QTableView)
    , m_sinceEnabled(new QCheckBox(tr("From")))
    , m_since(new QDateTimeEdit)
    , m_untilEnabled(new QCheckBox(tr("to")))
    , m_until(new QDateTimeEdit)
    , m_operator(new QLineEdit)
    , m_action(new QComboBox)
    , m_target(new QLineEdit)
    , m_text(new QLineEdit)
    , m_verifyButton(new QPushButton(tr("&Verify log")))
    , m_exportButton(new QPushButton(tr("E&xport…")))
    , m_progress(new QProgressBar)
    , m_verdict(new QLabel)
{
    m_filter->setSourceModel(m_model);
    m_table->setObjectName(QStringLiteral("auditTable"));
    m_table->setModel(m_filter);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(AuditTableModel::Seq, Qt::DescendingOrder); // newest first
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);

    for (QDateTimeEdit* edit : {m_since, m_until}) {
        edit->setTimeSpec(Qt::UTC);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setCalendarPopup(true);
        edit->setDateTime(QDateTime::currentDateTimeUtc());
        edit->setEnabled(false);
    }
    m_since->setDateTime(QDateTime::currentDateTimeUtc().addDays(-7));
    connect(m_sinceEnabled, &QCheckBox::toggled, m_since, &QWidget::setEnabled);
    connect(m_untilEnabled, &QCheckBox::toggled, m_until, &QWidget::setEnabled);
    m_action->addItem(tr("any action"), QString());
    for (const audit::ActionInfo& info : audit::actionCatalogue())
        m_action->addItem(info.name, info.name);
    m_operator->setPlaceholderText(tr("operator"));
    m_target->setPlaceholderText(tr("asset or target"));
    m_text->setPlaceholderText(tr("text anywhere"));
    m_operator->setObjectName(QStringLiteral("auditOperatorFilter"));
    m_text->setObjectName(QStringLiteral("auditTextFilter"));
    for (QLineEdit* edit : {m_operator, m_target, m_text}) {
        edit->setClearButtonEnabled(true);
        connect(edit, &QLineEdit::textChanged, this, &AuditPanel::applyFilters);
    }
    connect(m_action, &QComboBox::currentIndexChanged, this, &AuditPanel::applyFilters);
    for (QCheckBox* box : {m_sinceEnabled, m_untilEnabled})
        connect(box, &QCheckBox::toggled, this, &AuditPanel::applyFilters);
    for (QDateTimeEdit* edit : {m_since, m_until})
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, &AuditPanel::applyFilters);

    m_progress->setVisible(false);
    m_verdict->setObjectName(QStringLiteral("auditVerdict"));
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_verifyButton->setToolTip(tr("Check the whole log: chain, Merkle tree and every signed checkpoint"));
    connect(m_verifyButton, &QPushButton::clicked, this, [this] {
        if (m_gate)
            m_gate(QStringLiteral("audit.verify"), m_path, [this] { verify(); });
        else
            verify();
    });
    connect(m_exportButton, &QPushButton::clicked, this, [this] {
        auto* dialog = new QFileDialog(this, tr("Export the audit log"), QString(),
                                       tr("Verifiable export (*.jsonl);;Spreadsheet (*.csv)"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setAcceptMode(QFileDialog::AcceptSave);
        dialog->setDefaultSuffix(QStringLiteral("jsonl"));
        connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
            if (m_gate)
                m_gate(QStringLiteral("audit.export"), path, [this, path] { exportTo(path, true); });
            else
                exportTo(path, true);
        });
        dialog->open();
    });

    auto* filters = new QHBoxLayout;
    filters->addWidget(m_sinceEnabled);
    filters->addWidget(m_since);
    filters->addWidget(m_untilEnabled);
    filters->addWidget(m_until);
    filters->addWidget(m_operator);
    filters->addWidget(m_action);
    filters->addWidget(m_target);
    filters->addWidget(m_text, 1);
    auto* actions = new QHBoxLayout;
    actions->addWidget(m_verifyButton);
    actions->addWidget(m_exportButton);
    actions->addWidget(m_progress, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);
    layout->addLayout(actions);
    layout->addWidget(m_verdict);
    setBusy(false);
}

AuditPanel::~AuditPanel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void AuditPanel::setAuditLog(audit::AuditLog* log)
{
    m_log = log;
    if (!log)
        return;
    connect(log, &audit::AuditLog::committed, this, [this] { loadFrom(m_model->nextSeq()); });
    setLogFile(log->options().databasePath);
}

void AuditPanel::setLogFile(const QString& path)
{
    m_path = path;
    reload();
}

void AuditPanel::reload()
{
    m_model->clear();
    loadFrom(0);
}

void AuditPanel::loadFrom(quint64 seq)
{
    if (m_path.isEmpty() || !QFile::exists(m_path))
        return;
    if (m_loading) {
        m_reloadPending = true; // one more pass when this one is done
        return;
    }
    m_loading = true;
    QPointer<AuditPanel> self(this);
    const QString path = m_path;
    QThreadPool::globalInstance()->start([self, path, seq] {
        std::vector<AuditRow> rows;
        audit::AuditDatabase db;
        if (db.open(path, audit::AuditDatabase::Mode::ReadOnly)) {
            const quint64 count = db.entryCount();
            const quint64 from = std::max<quint64>(seq, count > quint64(kMaxRows) ? count - kMaxRows : 0);
            db.forEachEntry(from, [&](const audit::EntryRow& entry) {
                rows.push_back(rowFrom(entry));
                return true;
            });
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, rows = std::move(rows)]() mutable {
                AuditPanel* panel = self.data();
                if (!panel)
                    return;
                panel->m_loading = false;
                // Rows already shown (a reload raced with a commit) are skipped.
                const quint64 next = panel->m_model->nextSeq();
                rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const AuditRow& r) { return r.seq < next; }),
                           rows.end());
                panel->m_model->appendRows(std::move(rows));
                Q_EMIT panel->loaded(panel->m_model->rowCount());
                if (panel->m_reloadPending) {
                    panel->m_reloadPending = false;
                    panel->loadFrom(panel->m_model->nextSeq());
                }
            },
            Qt::QueuedConnection);
    });
}

void AuditPanel::applyFilters()
{
    AuditFilterModel::Filter f;
    if (m_sinceEnabled->isChecked())
        f.sinceMs = m_since->dateTime().toMSecsSinceEpoch();
    if (m_untilEnabled->isChecked())
        f.untilMs = m_until->dateTime().toMSecsSinceEpoch();
    f.operatorName = m_operator->text().trimmed();
    f.action = m_action->currentData().toString();
    f.target = m_target->text().trimmed();
    f.text = m_text->text().trimmed();
    m_filter->setFilter(f);
}

void AuditPanel::setBusy(bool busy)
{
    m_busy = busy;
    m_verifyButton->setEnabled(!busy);
    m_exportButton->setEnabled(!busy);
    m_progress->setVisible(busy);
}

void AuditPanel::verify()
{
    if (m_busy || m_path.isEmpty())
        return;
    setBusy(true);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_verdict->setText(tr("Verifying…"));
    m_verdict->setStyleSheet(QString());
    m_model->setFlaggedSeq(std::nullopt);
    m_cancel = std::make_shared<std::atomic_bool>(false);
    QPointer<AuditPanel> self(this);
    const QString path = m_path;
    const QString pem = path + QStringLiteral(".enrolment.pem");
    std::shared_ptr<std::atomic_bool> cancel = m_cancel;
    QThreadPool::globalInstance()->start([self, path, pem, cancel] {
        audit::VerifyOptions options;
        if (QFile file(pem); file.open(QIODevice::ReadOnly))
            options.trustedKeyPem = file.readAll();
        options.cancel = cancel.get();
        options.progress = [self](quint64 done, quint64 total) {
            const int permille = total ? int(done * 1000 / total) : 1000;
            QMetaObject::invokeMethod(qApp, [self, permille] {
                if (AuditPanel* panel = self.data())
                    panel->m_progress->setValue(permille);
            }, Qt::QueuedConnection);
        };
        auto report = std::make_shared<audit::VerifyReport>(audit::verifyDatabase(path, options));
        QMetaObject::invokeMethod(qApp, [self, report] {
            if (AuditPanel* panel = self.data())
                panel->showVerdict(*report);
        }, Qt::QueuedConnection);
    });
}

void AuditPanel::showVerdict(const audit::VerifyReport& report)
{
    setBusy(false);
    const QString summary = report.summary();
    if (report.intact()) {
        m_verdict->setText(tr("<b>Intact</b> up to entry %1 and checkpoint epoch %2 (%3 entries, %4 unsealed).")
                               .arg(report.sealedSize == 0 ? 0 : report.sealedSize - 1)
                               .arg(report.lastEpoch)
                               .arg(report.entries)
                               .arg(report.unsealedTail));
        m_verdict->setStyleSheet(QStringLiteral("QLabel { background: #2e7d32; color: white; padding: 6px; }"));
    } else {
        m_verdict->setText(QStringLiteral("<b>%1</b>").arg(tr("Not intact")) + QStringLiteral("<br>") +
                           summary.split(QLatin1Char('\n')).first().toHtmlEscaped());
        m_verdict->setStyleSheet(QStringLiteral("QLabel { background: #c62828; color: white; padding: 6px; }"));
        if (report.problem->seq) {
            m_model->setFlaggedSeq(report.problem->seq);
            const int row = m_model->rowOfSeq(*report.problem->seq);
            if (row >= 0) {
                const QModelIndex shown = m_filter->mapFromSource(m_model->index(row, 0));
                if (shown.isValid()) {
                    m_table->selectRow(shown.row());
                    m_table->scrollTo(shown, QAbstractItemView::PositionAtCenter);
                }
            }
        }
    }
    m_verdict->setToolTip(summary);
    Q_EMIT auditedAction(QStringLiteral("audit.verify"), m_path,
                         report.intact() ? QStringLiteral("success") : QStringLiteral("failure"),
                         summary.split(QLatin1Char('\n')).first());
    Q_EMIT verified(report.intact(), summary);
}

void AuditPanel::exportTo(const QString& path, bool onlyShown)
{
    if (m_busy || m_path.isEmpty())
        return;
    audit::AuditDatabase::Filter filter;
    if (onlyShown) {
        const AuditFilterModel::Filter& f = m_filter->filter();
        filter.sinceMs = f.sinceMs;
        filter.untilMs = f.untilMs;
        filter.operatorName = f.operatorName;
        filter.action = f.action;
        filter.target = f.target;
        filter.text = f.text;
    }
    const audit::ExportFormat format =
        path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) ? audit::ExportFormat::Csv : audit::ExportFormat::Jsonl;
    setBusy(true);
    m_progress->setRange(0, 0);
    QPointer<AuditPanel> self(this);
    const QString log = m_path;
    QThreadPool::globalInstance()->start([self, log, path, format, filter] {
        const auto result = std::make_shared<Result<audit::ExportSummary>>(audit::exportLog(log, path, format, filter));
        QMetaObject::invokeMethod(qApp, [self, result, path] {
            AuditPanel* panel = self.data();
            if (!panel)
                return;
            panel->setBusy(false);
            const bool ok = result->ok();
            const QString message = ok ? tr("Exported %1 entries to %2").arg(result->value().entries).arg(path)
                                       : result->error().message;
            panel->m_verdict->setText(message.toHtmlEscaped());
            panel->m_verdict->setStyleSheet(QString());
            Q_EMIT panel->auditedAction(QStringLiteral("audit.export"), path,
                                       ok ? QStringLiteral("success") : QStringLiteral("failure"), message);
            Q_EMIT panel->exported(ok, message);
        }, Qt::QueuedConnection);
    });
}

QString AuditPanel::verdict() const
{
    return m_verdict->text();
}

} // namespace twinspect::ui
