// SPDX-License-Identifier: Apache-2.0
#include "connectionspanel.h"

#include "dialogs/backenddialog.h"
#include "models/connectionsmodel.h"
#include "telemetry/mqttsource.h"
#include "telemetry/telemetryhub.h"

#include <QAction>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace twinspect::ui {

using telemetry::BackendSettings;
using telemetry::CertificateInfo;
using telemetry::ConnectionVerdict;

namespace {

QString describeCertificate(const CertificateInfo& cert)
{
    QStringList lines;
    lines << ConnectionsPanel::tr("  Subject:     %1").arg(cert.subject)
          << ConnectionsPanel::tr("  Issuer:      %1").arg(cert.issuer)
          << ConnectionsPanel::tr("  Valid:       %1 to %2").arg(cert.notBefore, cert.notAfter);
    if (!cert.names.isEmpty())
        lines << ConnectionsPanel::tr("  Names:       %1").arg(cert.names.join(QStringLiteral(", ")));
    lines << ConnectionsPanel::tr("  SHA-256:     %1").arg(cert.sha256);
    return lines.join(u'\n');
}

/// The certificate report: the server's chain as last seen, then the client certificate from the settings.
QString certificateReport(const BackendSettings& settings, const std::optional<ConnectionVerdict>& verdict,
                          const QString& seenBy)
{
    QStringList parts;
    parts << ConnectionsPanel::tr("Server %1").arg(settings.url.toDisplayString());
    if (!verdict) {
        parts << ConnectionsPanel::tr("No verdict yet: no connection attempt has finished, so the server's "
                                      "certificates are not known. Press Test to fetch them.");
    } else {
        parts << ConnectionsPanel::tr("As seen by %1: %2").arg(seenBy, verdictText(*verdict));
        if (!verdict->protocol.isEmpty())
            parts << ConnectionsPanel::tr("Protocol: %1, cipher %2").arg(verdict->protocol, verdict->cipher);
        if (verdict->serverChain.isEmpty())
            parts << ConnectionsPanel::tr("The server presented no certificate.");
        for (int i = 0; i < verdict->serverChain.size(); ++i) {
            parts << (i == 0 ? ConnectionsPanel::tr("Certificate %1 (the server's own):").arg(i + 1)
                             : ConnectionsPanel::tr("Certificate %1:").arg(i + 1))
                  << describeCertificate(verdict->serverChain.at(i));
        }
    }
    parts << QString();
    if (settings.tls.certFile.isEmpty()) {
        parts << ConnectionsPanel::tr("Client certificate: none configured.");
    } else {
        parts << ConnectionsPanel::tr("Client certificate %1").arg(settings.tls.certFile);
        QString error;
        const QList<CertificateInfo> client = telemetry::readCertificates(settings.tls.certFile, &error);
        if (client.isEmpty())
            parts << ConnectionsPanel::tr("  not readable: %1").arg(error);
        for (const CertificateInfo& cert : client)
            parts << describeCertificate(cert);
    }
    return parts.join(u'\n');
}

} // namespace

ConnectionsPanel::ConnectionsPanel(telemetry::TelemetryHub* hub, QWidget* parent)
    : QWidget(parent)
    , m_hub(hub)
    , m_model(new ConnectionsModel(hub, this))
    , m_table(new QTableView)
    , m_problems(new QPlainTextEdit)
    , m_testBusy(new QProgressBar)
    , m_testResult(new QLabel)
    , m_addAction(makeAction(tr("&Add…"), QStringLiteral("connectionsAdd"), {QKeySequence(Qt::Key_Insert)}))
    , m_editAction(makeAction(tr("&Edit…"), QStringLiteral("connectionsEdit"),
                              {QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)}))
    , m_removeAction(makeAction(tr("&Remove"), QStringLiteral("connectionsRemove"), {QKeySequence(Qt::Key_Delete)}))
    , m_testAction(makeAction(tr("&Test"), QStringLiteral("connectionsTest"), {QKeySequence(Qt::Key_F5)}))
    , m_certificateAction(makeAction(tr("&Certificate…"), QStringLiteral("connectionsCertificate"), {}))
{
    setObjectName(QStringLiteral("connectionsPanel"));
    m_table->setObjectName(QStringLiteral("connectionsTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false); // one line per backend; the full problem is in the tooltip and below
    // "Reconnecting" must never be elided to something that reads like another state.
    m_table->horizontalHeader()->setSectionResizeMode(ConnectionsModel::Presence, QHeaderView::ResizeToContents);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QTableView::customContextMenuRequested, this, &ConnectionsPanel::showContextMenu);
    // Double-click, not activated: some styles activate on a single click.
    connect(m_table, &QTableView::doubleClicked, this, [this] {
        if (m_editAction->isEnabled())
            editSelected();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateDetails();
        updateActions();
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
                // The counters change every second and are not shown below the table.
                const int selected = m_model->rowOf(selectedId());
                if (topLeft.column() <= ConnectionsModel::Presence && selected >= topLeft.row() &&
                    selected <= bottomRight.row())
                    updateDetails();
            });
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_keepSelection = selectedId(); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (m_model->rowOf(m_pendingNewId) >= 0)
            selectBackend(std::exchange(m_pendingNewId, QString()));
        else
            selectBackend(m_keepSelection);
        for (const int column : {ConnectionsModel::Name, ConnectionsModel::Url})
            m_table->resizeColumnToContents(column);
        updateDetails();
        updateActions();
    });

    connect(m_addAction, &QAction::triggered, this, &ConnectionsPanel::addBackend);
    connect(m_editAction, &QAction::triggered, this, &ConnectionsPanel::editSelected);
    connect(m_removeAction, &QAction::triggered, this, &ConnectionsPanel::removeSelected);
    connect(m_testAction, &QAction::triggered, this, &ConnectionsPanel::testSelected);
    connect(m_certificateAction, &QAction::triggered, this, &ConnectionsPanel::showCertificates);
    m_testAction->setToolTip(
        tr("Connect once with the saved settings and report exactly what succeeded or failed (F5)"));
    m_certificateAction->setToolTip(tr("The server's certificate chain and the client certificate"));

    auto* buttons = new QHBoxLayout;
    for (QAction* action : {m_addAction, m_editAction, m_removeAction, m_testAction, m_certificateAction}) {
        auto* button = new QToolButton;
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setObjectName(action->objectName() + QStringLiteral("Button"));
        buttons->addWidget(button);
    }
    buttons->addStretch(1);

    m_problems->setObjectName(QStringLiteral("connectionsProblems"));
    m_problems->setReadOnly(true);
    m_problems->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_problems->setMaximumHeight(fontMetrics().lineSpacing() * 6);
    m_problems->setPlaceholderText(tr("Select a backend to see its problems."));
    m_testBusy->setRange(0, 0);
    m_testBusy->setMaximumWidth(120);
    m_testBusy->setVisible(false);
    m_testResult->setObjectName(QStringLiteral("connectionsTestResult"));
    m_testResult->setWordWrap(true);
    m_testResult->setTextFormat(Qt::PlainText);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* testRow = new QHBoxLayout;
    testRow->addWidget(m_testBusy);
    testRow->addWidget(m_testResult, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(buttons);
    layout->addWidget(m_table, 1);
    layout->addWidget(new QLabel(tr("Problems of the selected backend:")));
    layout->addWidget(m_problems);
    layout->addLayout(testRow);
    for (const int column : {ConnectionsModel::Name, ConnectionsModel::Url})
        m_table->resizeColumnToContents(column);
    updateDetails();
    updateActions();
}

ConnectionsPanel::~ConnectionsPanel()
{
    if (m_cancel)
        m_cancel->store(true); // the check returns early; its result is dropped with this panel
}

QAction* ConnectionsPanel::makeAction(const QString& text, const QString& objectName, const QList<QKeySequence>& keys)
{
    auto* action = new QAction(text, this);
    action->setObjectName(objectName);
    action->setShortcuts(keys);
    // The keys act while the panel (table or buttons) has focus, not across the whole window.
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(action);
    return action;
}

QString ConnectionsPanel::selectedId() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_model->idAt(rows.constFirst().row());
}

void ConnectionsPanel::selectBackend(const QString& id)
{
    const int row = m_model->rowOf(id);
    if (row < 0) {
        m_table->clearSelection();
        return;
    }
    m_table->selectRow(row);
    m_table->setCurrentIndex(m_model->index(row, ConnectionsModel::Name));
}

void ConnectionsPanel::setCanManage(bool canManage)
{
    m_canManage = canManage;
    updateActions();
}

void ConnectionsPanel::updateActions()
{
    const bool selected = !selectedId().isEmpty();
    const bool hub = !m_hub.isNull();
    m_addAction->setEnabled(m_canManage && hub);
    m_editAction->setEnabled(m_canManage && hub && selected);
    m_removeAction->setEnabled(m_canManage && hub && selected);
    m_testAction->setEnabled(hub && selected && !m_testing);
    m_certificateAction->setEnabled(hub && selected);
}

void ConnectionsPanel::updateDetails()
{
    const QString id = selectedId();
    QStringList lines;
    if (telemetry::TelemetryHub* hub = m_hub.data(); hub && !id.isEmpty()) {
        const telemetry::TelemetrySource* source = hub->source(id);
        if (!source) {
            lines << tr("Not running (disabled, or a kind of backend this build cannot connect to).");
        } else if (source->problems().isEmpty()) {
            lines << tr("No problems.");
        } else {
            for (const telemetry::Problem& problem : source->problems()) {
                const QString time =
                    problem.timeMs > 0
                        ? QDateTime::fromMSecsSinceEpoch(problem.timeMs).toString(QStringLiteral("HH:mm:ss"))
                        : QString();
                lines << QStringLiteral("%1  %2  [%3]  %4")
                             .arg(time, telemetry::severityName(problem.severity), problem.code, problem.message)
                             .trimmed();
            }
        }
    }
    const QString text = lines.join(u'\n');
    // Presence changes often repeat the same problems; rewriting equal text would drop the operator's selection.
    if (m_problems->toPlainText() != text)
        m_problems->setPlainText(text);

    if (m_testing && id == m_testingId) {
        m_testResult->setText(tr("Testing %1…").arg(id));
        m_testResult->setStyleSheet(QString());
    } else if (const auto it = m_testVerdicts.constFind(id); it != m_testVerdicts.constEnd()) {
        m_testResult->setText(verdictText(*it));
        m_testResult->setStyleSheet(it->ok ? QStringLiteral("QLabel { color: #2e7d32; }")
                                           : QStringLiteral("QLabel { color: #c62828; }"));
    } else {
        m_testResult->clear();
        m_testResult->setStyleSheet(QString());
    }
}

QString ConnectionsPanel::problemsText() const
{
    return m_problems->toPlainText();
}

QString ConnectionsPanel::testResultText() const
{
    return m_testResult->text();
}

void ConnectionsPanel::showContextMenu(const QPoint& position)
{
    const QModelIndex index = m_table->indexAt(position);
    if (index.isValid())
        selectBackend(m_model->idAt(index.row()));
    auto* menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(m_addAction);
    menu->addAction(m_editAction);
    menu->addAction(m_removeAction);
    menu->addSeparator();
    menu->addAction(m_testAction);
    menu->addAction(m_certificateAction);
    menu->popup(m_table->viewport()->mapToGlobal(position));
}

BackendDialog* ConnectionsPanel::openDialog(bool isNew)
{
    telemetry::TelemetryHub* hub = m_hub.data();
    if (!hub || !m_canManage)
        return nullptr;
    QStringList ids;
    for (const BackendSettings& b : hub->backends())
        ids << b.id;
    auto* dialog = new BackendDialog(isNew ? BackendDialog::Mode::Add : BackendDialog::Mode::Edit, hub, ids, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!isNew) {
        const QString id = selectedId();
        const std::optional<BackendSettings> settings = hub->backend(id);
        if (!settings) {
            delete dialog;
            return nullptr;
        }
        dialog->setSettings(*settings, hub->hasSecret(id, u"password"), hub->hasSecret(id, u"key-passphrase"),
                            hub->hasSecret(id, u"token"), hub->hasSecret(id, u"client-secret"));
    }
    connect(dialog, &QDialog::accepted, this, [this, dialog, isNew] {
        const BackendSettings settings = dialog->settings();
        if (isNew)
            m_pendingNewId = settings.id;
        m_requestedToken = dialog->token();
        m_requestedClientSecret = dialog->clientSecret();
        Q_EMIT applyRequested(settings, dialog->password(), dialog->keyPassphrase(), isNew);
        m_requestedToken.reset();
        m_requestedClientSecret.reset();
    });
    connect(dialog, &BackendDialog::tested, this, [this](const QString& id, bool ok, const QString& code) {
        Q_EMIT auditedAction(QStringLiteral("backend.test"), id,
                             ok ? QStringLiteral("success") : QStringLiteral("failure"), code);
    });
    dialog->open();
    return dialog;
}

BackendDialog* ConnectionsPanel::addBackend()
{
    return openDialog(true);
}

BackendDialog* ConnectionsPanel::editSelected()
{
    return selectedId().isEmpty() ? nullptr : openDialog(false);
}

QMessageBox* ConnectionsPanel::removeSelected()
{
    const QString id = selectedId();
    telemetry::TelemetryHub* hub = m_hub.data();
    if (!hub || !m_canManage || id.isEmpty())
        return nullptr;
    const std::optional<BackendSettings> settings = hub->backend(id);
    const QString name = settings && !settings->name.isEmpty() ? settings->name : id;
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Remove backend"),
                                tr("Remove the backend “%1” (%2)? Its connection stops and its stored secrets "
                                   "are deleted.")
                                    .arg(name, id),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("connectionsRemoveConfirmation"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, id](QAbstractButton* button) {
        if (box->standardButton(button) == QMessageBox::Yes)
            Q_EMIT removeRequested(id);
    });
    box->open();
    return box;
}

void ConnectionsPanel::testSelected()
{
    telemetry::TelemetryHub* hub = m_hub.data();
    const QString id = selectedId();
    if (m_testing || !hub || id.isEmpty())
        return;
    const std::optional<BackendSettings> settings = hub->backend(id);
    if (!settings)
        return;
    m_testing = true;
    m_testingId = id;
    m_testBusy->setVisible(true);
    updateActions();
    updateDetails();
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    checkConnectionInBackground(this, *settings, hub->secretsFor(id), m_cancel,
                                [this, id](const ConnectionVerdict& verdict) { showTestVerdict(id, verdict); });
}

void ConnectionsPanel::showTestVerdict(const QString& id, const ConnectionVerdict& verdict)
{
    m_testing = false;
    m_testingId.clear();
    m_testBusy->setVisible(false);
    m_testVerdicts.insert(id, verdict);
    updateActions();
    updateDetails();
    Q_EMIT auditedAction(QStringLiteral("backend.test"), id,
                         verdict.ok ? QStringLiteral("success") : QStringLiteral("failure"), verdict.code);
    Q_EMIT testFinished(id, verdict.ok, verdict.code, verdict.message);
}

QDialog* ConnectionsPanel::showCertificates()
{
    telemetry::TelemetryHub* hub = m_hub.data();
    const QString id = selectedId();
    if (!hub || id.isEmpty())
        return nullptr;
    const std::optional<BackendSettings> settings = hub->backend(id);
    if (!settings)
        return nullptr;
    // The running connection's verdict first; a disabled backend has only what Test found.
    std::optional<ConnectionVerdict> verdict;
    QString seenBy;
    if (const telemetry::MqttSource* source = hub->mqttSource(id); source && !source->lastVerdict().code.isEmpty()) {
        verdict = source->lastVerdict();
        seenBy = tr("the running connection");
    } else if (const auto it = m_testVerdicts.constFind(id); it != m_testVerdicts.constEnd()) {
        verdict = *it;
        seenBy = tr("the last Test");
    }

    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("connectionsCertificates"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Certificates of %1").arg(settings->name.isEmpty() ? id : settings->name));
    auto* text = new QPlainTextEdit(certificateReport(*settings, verdict, seenBy));
    text->setObjectName(QStringLiteral("connectionsCertificateText"));
    text->setReadOnly(true);
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(text, 1);
    layout->addWidget(buttons);
    dialog->resize(820, 520);
    dialog->open();
    return dialog;
}

} // namespace twinspect::ui
