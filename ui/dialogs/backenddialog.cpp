// SPDX-License-Identifier: Apache-2.0
#include "backenddialog.h"

#include "telemetry/connectioncheck.h"
#include "telemetry/telemetryhub.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

namespace twinspect::ui {

using telemetry::BackendSettings;
using telemetry::ConnectionSecrets;
using telemetry::ConnectionVerdict;
using telemetry::PayloadFormat;
using telemetry::Subscription;

void checkConnectionInBackground(QObject* context, const BackendSettings& settings, const ConnectionSecrets& secrets,
                                 std::shared_ptr<std::atomic<bool>> cancel,
                                 std::function<void(const ConnectionVerdict&)> done)
{
    if (!context || !done)
        return;
    auto verdict = std::make_shared<ConnectionVerdict>();
    QThread* thread = QThread::create([settings, secrets, cancel, verdict] {
        const int timeout = settings.connectTimeoutMs;
        *verdict = settings.kind == BackendSettings::Kind::Mqtt
                       ? telemetry::checkMqttConnection(settings, secrets, timeout, cancel.get())
                       : telemetry::checkHttpsConnection(settings, secrets, timeout, cancel.get());
    });
    thread->setObjectName(QStringLiteral("twinspect-connection-check"));
    // finished is queued to context's thread, and dropped with the connection if context is gone by then;
    // the thread object outlives its owner's dialog or panel and deletes itself.
    QObject::connect(thread, &QThread::finished, context, [verdict, done = std::move(done)] { done(*verdict); });
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

QString verdictText(const ConnectionVerdict& verdict)
{
    return verdict.ok ? BackendDialog::tr("OK: %1").arg(verdict.message)
                      : BackendDialog::tr("REFUSED [%1]: %2").arg(verdict.code, verdict.message);
}

namespace {

enum SubscriptionColumn
{
    TopicColumn,
    FormatColumn,
    TagColumn,
    QosColumn,
    SubscriptionColumnCount
};

/// What a PEM file holds, in a few words under its field. Only the first bytes of a key file are read:
/// enough to tell whether it is encrypted, without holding the key in the GUI.
QString describeFile(const QString& path, bool certificate)
{
    if (path.trimmed().isEmpty())
        return {};
    if (!QFileInfo(path).isFile())
        return BackendDialog::tr("not found");
    if (certificate) {
        QString error;
        const QList<telemetry::CertificateInfo> certs = telemetry::readCertificates(path, &error);
        if (certs.isEmpty())
            return BackendDialog::tr("no PEM certificate in this file");
        const telemetry::CertificateInfo& first = certs.constFirst();
        const QDateTime expiry = QDateTime::fromString(first.notAfter, Qt::ISODate);
        const bool expired = expiry.isValid() && expiry < QDateTime::currentDateTimeUtc();
        QString text = expired ? BackendDialog::tr("%1 — EXPIRED %2").arg(first.subject, first.notAfter)
                               : BackendDialog::tr("%1 — expires %2").arg(first.subject, first.notAfter);
        if (certs.size() > 1)
            text += BackendDialog::tr(" (+%1 more)").arg(certs.size() - 1);
        return text;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return BackendDialog::tr("not readable: %1").arg(file.errorString());
    const QByteArray head = file.read(512);
    if (head.contains("BEGIN X509 CRL"))
        return BackendDialog::tr("certificate revocation list");
    if (head.contains("ENCRYPTED"))
        return BackendDialog::tr("encrypted private key (needs the key passphrase)");
    if (head.contains("PRIVATE KEY"))
        return BackendDialog::tr("private key");
    return BackendDialog::tr("found");
}

QWidget* group(const QString& title, QLayout* content)
{
    auto* box = new QGroupBox(title);
    box->setLayout(content);
    return box;
}

} // namespace

BackendDialog::BackendDialog(Mode mode, telemetry::TelemetryHub* hub, QStringList existingIds, QWidget* parent)
    : QDialog(parent)
    , m_mode(mode)
    , m_hub(hub)
    , m_existingIds(std::move(existingIds))
    , m_id(new QLineEdit)
    , m_name(new QLineEdit)
    , m_enabled(new QCheckBox(tr("Enabled: connect when saved and at every start")))
    , m_url(new QLineEdit)
    , m_version(new QComboBox)
    , m_clientId(new QLineEdit)
    , m_connectTimeout(new QSpinBox)
    , m_expectedPeriod(new QSpinBox)
    , m_queueLimit(new QSpinBox)
    , m_username(new QLineEdit)
    , m_password(new QLineEdit)
    , m_forgetPassword(new QCheckBox(tr("Forget stored password")))
    , m_keyPassphrase(new QLineEdit)
    , m_forgetKeyPassphrase(new QCheckBox(tr("Forget stored key passphrase")))
    , m_useSystemStore(new QCheckBox(tr("Trust the system's CAs instead of a CA file")))
    , m_verifyHostname(new QCheckBox(tr("Verify that the server's certificate names the host")))
    , m_subscriptions(new QTableWidget(0, SubscriptionColumnCount))
    , m_signaturesRequired(new QCheckBox(tr("Every payload must be signed by a trusted publisher")))
    , m_scroll(new QScrollArea)
    , m_generalError(new QLabel)
    , m_testButton(new QPushButton(tr("&Test")))
    , m_testBusy(new QProgressBar)
    , m_testResult(new QLabel)
    , m_kind(new QComboBox)
    , m_pollInterval(new QSpinBox)
    , m_tokenUrl(new QLineEdit)
    , m_oauthClientId(new QLineEdit)
    , m_token(new QLineEdit)
    , m_forgetToken(new QCheckBox(tr("Forget stored bearer token")))
    , m_clientSecret(new QLineEdit)
    , m_forgetClientSecret(new QCheckBox(tr("Forget stored OAuth2 client secret")))
{
    setObjectName(QStringLiteral("backendDialog"));
    setWindowTitle(mode == Mode::Add ? tr("Add a telemetry backend") : tr("Edit a telemetry backend"));
    setWindowModality(Qt::WindowModal);

    auto* columns = new QHBoxLayout;
    auto* left = new QVBoxLayout;
    left->addWidget(buildConnectionGroup());
    left->addWidget(buildAuthenticationGroup());
    left->addWidget(buildSignaturesGroup());
    left->addStretch(1);
    auto* right = new QVBoxLayout;
    right->addWidget(buildTlsGroup());
    m_subscriptionsGroup = buildSubscriptionsGroup();
    right->addWidget(m_subscriptionsGroup, 1);
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);
    auto* content = new QWidget;
    content->setLayout(columns);
    m_scroll->setWidget(content);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);

    m_generalError->setObjectName(QStringLiteral("backendGeneralError"));
    m_generalError->setWordWrap(true);
    m_generalError->setStyleSheet(QStringLiteral("QLabel { color: #c62828; }"));
    m_generalError->setTextFormat(Qt::PlainText);
    m_generalError->setVisible(false);

    m_testButton->setObjectName(QStringLiteral("backendTest"));
    m_testButton->setAutoDefault(false);
    m_testButton->setToolTip(tr("Check these settings, unsaved, with the secrets typed here (else the stored ones)"));
    connect(m_testButton, &QPushButton::clicked, this, &BackendDialog::testConnection);
    m_testBusy->setRange(0, 0);
    m_testBusy->setMaximumWidth(120);
    m_testBusy->setVisible(false);
    m_testResult->setObjectName(QStringLiteral("backendTestResult"));
    m_testResult->setWordWrap(true);
    m_testResult->setTextFormat(Qt::PlainText);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &BackendDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &BackendDialog::reject);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_testButton);
    bottom->addWidget(m_testBusy);
    bottom->addWidget(m_testResult, 1);
    bottom->addWidget(buttons);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_scroll, 1);
    layout->addWidget(m_generalError);
    layout->addLayout(bottom);
    resize(1100, 760);

    BackendSettings defaults;
    defaults.enabled = true;
    defaults.subscriptions.append({QStringLiteral("plant/+/+"), PayloadFormat::Json, QStringLiteral("{2}"), 1});
    setSettings(defaults, false, false);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &BackendDialog::updateKindFields);
}

BackendDialog::~BackendDialog()
{
    if (m_cancel)
        m_cancel->store(true);
}

QWidget* BackendDialog::buildConnectionGroup()
{
    auto* form = new QFormLayout;
    m_id->setObjectName(QStringLiteral("backendId"));
    m_id->setPlaceholderText(tr("e.g. plant-broker (letters, digits, - and _)"));
    m_id->setReadOnly(m_mode == Mode::Edit);
    m_name->setObjectName(QStringLiteral("backendName"));
    m_name->setPlaceholderText(tr("shown in the Connections dock"));
    m_enabled->setObjectName(QStringLiteral("backendEnabled"));
    m_kind->setObjectName(QStringLiteral("backendKind"));
    m_kind->addItem(tr("MQTT over TLS"), static_cast<int>(BackendSettings::Kind::Mqtt));
    m_kind->addItem(tr("HTTPS polling"), static_cast<int>(BackendSettings::Kind::Https));
    m_kind->addItem(tr("WSS stream"), static_cast<int>(BackendSettings::Kind::Wss));
    m_url->setObjectName(QStringLiteral("backendUrl"));
    m_url->setPlaceholderText(QStringLiteral("mqtts://broker.plant.local:8883"));
    m_version->setObjectName(QStringLiteral("backendMqttVersion"));
    m_version->addItem(QStringLiteral("3.1.1"), static_cast<int>(BackendSettings::MqttVersion::V311));
    m_version->addItem(QStringLiteral("5"), static_cast<int>(BackendSettings::MqttVersion::V5));
    m_clientId->setObjectName(QStringLiteral("backendClientId"));
    m_clientId->setPlaceholderText(tr("empty: chosen at connect time"));
    m_pollInterval->setObjectName(QStringLiteral("backendPollInterval"));
    m_pollInterval->setRange(50, 3'600'000);
    m_pollInterval->setSingleStep(100);
    m_pollInterval->setSuffix(tr(" ms"));
    m_pollInterval->setToolTip(tr("Time from the end of one answer to the next request"));
    m_connectTimeout->setObjectName(QStringLiteral("backendConnectTimeout"));
    m_connectTimeout->setRange(500, 300'000);
    m_connectTimeout->setSingleStep(500);
    m_connectTimeout->setSuffix(tr(" ms"));
    m_expectedPeriod->setObjectName(QStringLiteral("backendExpectedPeriod"));
    m_expectedPeriod->setRange(0, 86'400'000);
    m_expectedPeriod->setSingleStep(100);
    m_expectedPeriod->setSuffix(tr(" ms"));
    m_expectedPeriod->setSpecialValueText(tr("no staleness check"));
    m_queueLimit->setObjectName(QStringLiteral("backendQueueLimit"));
    m_queueLimit->setRange(10, 100'000'000);
    m_queueLimit->setSingleStep(1000);
    m_queueLimit->setSuffix(tr(" samples"));

    form->addRow(tr("&Id"), m_id);
    addErrorRow(form, m_id);
    form->addRow(tr("&Name"), m_name);
    form->addRow(QString(), m_enabled);
    form->addRow(tr("&Kind"), m_kind);
    form->addRow(tr("&URL"), m_url);
    addErrorRow(form, m_url);
    form->addRow(tr("MQTT version"), m_version);
    form->addRow(tr("Client id"), m_clientId);
    form->addRow(tr("Poll interval"), m_pollInterval);
    form->addRow(tr("Connect timeout"), m_connectTimeout);
    form->addRow(tr("Expected period"), m_expectedPeriod);
    form->addRow(tr("Queue limit"), m_queueLimit);
    m_connectionForm = form;
    return group(tr("Connection"), form);
}

QWidget* BackendDialog::buildAuthenticationGroup()
{
    auto* form = new QFormLayout;
    m_username->setObjectName(QStringLiteral("backendUsername"));
    m_username->setPlaceholderText(tr("empty: the client certificate identifies us"));
    m_password->setObjectName(QStringLiteral("backendPassword"));
    m_forgetPassword->setObjectName(QStringLiteral("backendForgetPassword"));
    m_keyPassphrase->setObjectName(QStringLiteral("backendKeyPassphrase"));
    m_forgetKeyPassphrase->setObjectName(QStringLiteral("backendForgetKeyPassphrase"));
    m_tokenUrl->setObjectName(QStringLiteral("backendTokenUrl"));
    m_tokenUrl->setPlaceholderText(tr("OAuth2 token endpoint (https://…); empty: a static bearer token"));
    m_oauthClientId->setObjectName(QStringLiteral("backendOauthClientId"));
    m_oauthClientId->setPlaceholderText(tr("needed with a token URL"));
    m_token->setObjectName(QStringLiteral("backendToken"));
    m_forgetToken->setObjectName(QStringLiteral("backendForgetToken"));
    m_clientSecret->setObjectName(QStringLiteral("backendClientSecret"));
    m_forgetClientSecret->setObjectName(QStringLiteral("backendForgetClientSecret"));
    for (QLineEdit* secret : {m_password, m_keyPassphrase, m_token, m_clientSecret}) {
        secret->setEchoMode(QLineEdit::Password);
        secret->setClearButtonEnabled(true);
    }
    // Forgetting and typing a new secret at once would be ambiguous: forgetting empties and locks the field.
    const auto bindForget = [](QCheckBox* forget, QLineEdit* field) {
        connect(forget, &QCheckBox::toggled, field, [field](bool on) {
            if (on)
                field->clear();
            field->setEnabled(!on);
        });
    };
    bindForget(m_forgetPassword, m_password);
    bindForget(m_forgetKeyPassphrase, m_keyPassphrase);
    bindForget(m_forgetToken, m_token);
    bindForget(m_forgetClientSecret, m_clientSecret);
    form->addRow(tr("User name"), m_username);
    form->addRow(tr("&Password"), m_password);
    form->addRow(QString(), m_forgetPassword);
    form->addRow(tr("Key passphrase"), m_keyPassphrase);
    form->addRow(QString(), m_forgetKeyPassphrase);
    form->addRow(tr("Bearer token"), m_token);
    form->addRow(QString(), m_forgetToken);
    form->addRow(tr("Token URL"), m_tokenUrl);
    addErrorRow(form, m_tokenUrl);
    form->addRow(tr("OAuth2 client id"), m_oauthClientId);
    addErrorRow(form, m_oauthClientId);
    form->addRow(tr("OAuth2 client secret"), m_clientSecret);
    form->addRow(QString(), m_forgetClientSecret);
    m_authForm = form;
    return group(tr("Authentication"), form);
}

QWidget* BackendDialog::buildTlsGroup()
{
    auto* form = new QFormLayout;
    const QString pem = tr("PEM files (*.pem *.crt *.cer);;All files (*)");
    m_caFile = addFileRow(form, tr("&CA file"), QStringLiteral("backendCaFile"), pem, true);
    m_useSystemStore->setObjectName(QStringLiteral("backendUseSystemStore"));
    form->addRow(QString(), m_useSystemStore);
    m_certFile = addFileRow(form, tr("Client c&ertificate"), QStringLiteral("backendCertFile"), pem, true);
    m_keyFile = addFileRow(form, tr("Client &key"), QStringLiteral("backendKeyFile"),
                           tr("PEM keys (*.key *.pem);;All files (*)"), false);
    m_crlFile = addFileRow(form, tr("CRL file"), QStringLiteral("backendCrlFile"),
                           tr("Revocation lists (*.pem *.crl);;All files (*)"), false);
    m_verifyHostname->setObjectName(QStringLiteral("backendVerifyHostname"));
    form->addRow(QString(), m_verifyHostname);
    return group(tr("TLS"), form);
}

QWidget* BackendDialog::buildSubscriptionsGroup()
{
    m_subscriptions->setObjectName(QStringLiteral("backendSubscriptions"));
    m_subscriptions->setHorizontalHeaderLabels({tr("Topic filter"), tr("Format"), tr("Tag template"), tr("QoS")});
    m_subscriptions->horizontalHeader()->setSectionResizeMode(TopicColumn, QHeaderView::Stretch);
    m_subscriptions->horizontalHeader()->setSectionResizeMode(TagColumn, QHeaderView::Stretch);
    m_subscriptions->verticalHeader()->setVisible(false);
    m_subscriptions->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_subscriptions->setToolTip(tr("Tag template: {1} is the first wildcard, {topic} the whole topic; "
                                   "empty: the payload names the tag"));
    auto* add = new QPushButton(tr("Add subscription"));
    auto* remove = new QPushButton(tr("Remove subscription"));
    add->setObjectName(QStringLiteral("backendAddSubscription"));
    remove->setObjectName(QStringLiteral("backendRemoveSubscription"));
    for (QPushButton* button : {add, remove})
        button->setAutoDefault(false);
    connect(add, &QPushButton::clicked, this, [this] {
        addSubscriptionRow({});
        m_subscriptions->setCurrentCell(m_subscriptions->rowCount() - 1, TopicColumn);
        m_subscriptions->editItem(m_subscriptions->item(m_subscriptions->rowCount() - 1, TopicColumn));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_subscriptions->currentRow();
        if (row >= 0)
            m_subscriptions->removeRow(row);
    });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout;
    layout->addWidget(m_subscriptions, 1);
    auto* error = new QLabel;
    error->setObjectName(QStringLiteral("backendSubscriptionsError"));
    error->setWordWrap(true);
    error->setTextFormat(Qt::PlainText);
    error->setStyleSheet(QStringLiteral("QLabel { color: #c62828; }"));
    error->setVisible(false);
    m_errorLabels.insert(m_subscriptions, error);
    layout->addWidget(error);
    layout->addLayout(buttons);
    return group(tr("Subscriptions"), layout);
}

QWidget* BackendDialog::buildSignaturesGroup()
{
    auto* form = new QFormLayout;
    m_signaturesRequired->setObjectName(QStringLiteral("backendSignaturesRequired"));
    form->addRow(QString(), m_signaturesRequired);
    m_trustFile = addFileRow(form, tr("Trusted publishers"), QStringLiteral("backendTrustFile"),
                             tr("Trust lists (*.json *.txt);;All files (*)"), false);
    return group(tr("Signed payloads"), form);
}

BackendDialog::FileField BackendDialog::addFileRow(QFormLayout* form, const QString& label, const QString& objectName,
                                                   const QString& filter, bool certificate)
{
    FileField field{new QLineEdit, new QLabel};
    field.edit->setObjectName(objectName);
    field.info->setObjectName(objectName + QStringLiteral("Info"));
    field.info->setTextFormat(Qt::PlainText);
    field.info->setWordWrap(true);
    field.info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont small = field.info->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    field.info->setFont(small);
    auto* browse = new QPushButton(tr("Browse…"));
    browse->setObjectName(objectName + QStringLiteral("Browse"));
    browse->setAutoDefault(false);
    QLineEdit* edit = field.edit;
    QLabel* info = field.info;
    connect(edit, &QLineEdit::textChanged, info,
            [info, certificate](const QString& path) { info->setText(describeFile(path, certificate)); });
    connect(browse, &QPushButton::clicked, this, [this, edit, label, filter] {
        const QString start = edit->text().isEmpty() ? QString() : QFileInfo(edit->text()).absolutePath();
        auto* dialog = new QFileDialog(this, QString(label).remove(u'&'), start, filter);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::ExistingFile);
        connect(dialog, &QFileDialog::fileSelected, edit, &QLineEdit::setText);
        dialog->open();
    });
    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(edit, 1);
    row->addWidget(browse);
    // A layout cannot be a buddy, so the label is made here to let its mnemonic reach the line edit.
    auto* title = new QLabel(label);
    title->setBuddy(edit);
    form->addRow(title, row);
    form->addRow(QString(), info);
    addErrorRow(form, edit);
    return field;
}

void BackendDialog::addErrorRow(QFormLayout* form, QWidget* field)
{
    auto* error = new QLabel;
    error->setObjectName(field->objectName() + QStringLiteral("Error"));
    error->setWordWrap(true);
    error->setTextFormat(Qt::PlainText);
    error->setStyleSheet(QStringLiteral("QLabel { color: #c62828; }"));
    error->setVisible(false);
    form->addRow(QString(), error);
    m_errorLabels.insert(field, error);
}

void BackendDialog::addSubscriptionRow(const Subscription& subscription)
{
    const int row = m_subscriptions->rowCount();
    m_subscriptions->insertRow(row);
    m_subscriptions->setItem(row, TopicColumn, new QTableWidgetItem(subscription.filter));
    m_subscriptions->setItem(row, TagColumn, new QTableWidgetItem(subscription.tagTemplate));
    auto* format = new QComboBox;
    for (const PayloadFormat f : {PayloadFormat::Json, PayloadFormat::Sparkplug})
        format->addItem(telemetry::formatName(f), static_cast<int>(f));
    format->setCurrentIndex(format->findData(static_cast<int>(subscription.format)));
    m_subscriptions->setCellWidget(row, FormatColumn, format);
    auto* qos = new QSpinBox;
    qos->setRange(0, 2);
    qos->setValue(subscription.qos);
    m_subscriptions->setCellWidget(row, QosColumn, qos);
}

void BackendDialog::setSecretState(QLineEdit* field, QCheckBox* forget, bool stored)
{
    field->clear();
    field->setEnabled(true);
    field->setPlaceholderText(stored ? tr("stored — leave empty to keep") : tr("none stored"));
    forget->setChecked(false);
    forget->setVisible(stored);
}

BackendSettings::Kind BackendDialog::kind() const
{
    return static_cast<BackendSettings::Kind>(m_kind->currentData().toInt());
}

void BackendDialog::updateKindFields()
{
    const BackendSettings::Kind k = kind();
    const bool mqtt = k == BackendSettings::Kind::Mqtt;
    m_connectionForm->setRowVisible(m_version, mqtt);
    m_connectionForm->setRowVisible(m_clientId, mqtt);
    m_connectionForm->setRowVisible(m_pollInterval, k == BackendSettings::Kind::Https);
    for (QWidget* field : {static_cast<QWidget*>(m_token), static_cast<QWidget*>(m_tokenUrl),
                           static_cast<QWidget*>(m_oauthClientId), static_cast<QWidget*>(m_clientSecret)})
        m_authForm->setRowVisible(field, !mqtt);
    // A forget box only shows for a stored secret, and only for a kind that uses it.
    m_authForm->setRowVisible(m_forgetToken, !mqtt && m_hasToken);
    m_authForm->setRowVisible(m_forgetClientSecret, !mqtt && m_hasClientSecret);
    // The error rows of hidden fields go with them (a stale error would name a field one cannot see).
    for (QWidget* field : {static_cast<QWidget*>(m_tokenUrl), static_cast<QWidget*>(m_oauthClientId)}) {
        if (QLabel* error = m_errorLabels.value(field); error && mqtt)
            error->setVisible(false);
    }
    m_subscriptionsGroup->setVisible(mqtt);
    const QString example = mqtt ? QStringLiteral("mqtts://broker.plant.example:8883")
                            : k == BackendSettings::Kind::Https
                                ? QStringLiteral("https://gw.plant.example/api/telemetry")
                                : QStringLiteral("wss://gw.plant.example/stream");
    m_url->setPlaceholderText(tr("e.g. %1").arg(example));
}

void BackendDialog::setSettings(const BackendSettings& settings, bool hasPassword, bool hasKeyPassphrase, bool hasToken,
                                bool hasClientSecret)
{
    m_base = settings;
    m_id->setText(settings.id);
    m_name->setText(settings.name);
    m_enabled->setChecked(settings.enabled);
    {
        const QSignalBlocker block(m_kind); // updateKindFields() below, once every field is filled
        m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(settings.kind)));
    }
    m_url->setText(settings.url.toString());
    m_pollInterval->setValue(settings.pollIntervalMs);
    m_tokenUrl->setText(settings.tokenUrl);
    m_oauthClientId->setText(settings.oauthClientId);
    m_version->setCurrentIndex(m_version->findData(static_cast<int>(settings.mqttVersion)));
    m_clientId->setText(settings.clientId);
    m_connectTimeout->setValue(settings.connectTimeoutMs);
    m_expectedPeriod->setValue(static_cast<int>(std::min<qint64>(settings.expectedPeriodMs, 86'400'000)));
    m_queueLimit->setValue(settings.queueLimit);
    m_username->setText(settings.username);
    setSecretState(m_password, m_forgetPassword, hasPassword);
    setSecretState(m_keyPassphrase, m_forgetKeyPassphrase, hasKeyPassphrase);
    m_hasToken = hasToken;
    m_hasClientSecret = hasClientSecret;
    setSecretState(m_token, m_forgetToken, hasToken);
    setSecretState(m_clientSecret, m_forgetClientSecret, hasClientSecret);
    m_caFile.edit->setText(settings.tls.caFile);
    m_useSystemStore->setChecked(settings.tls.useSystemStore);
    m_certFile.edit->setText(settings.tls.certFile);
    m_keyFile.edit->setText(settings.tls.keyFile);
    m_crlFile.edit->setText(settings.tls.crlFile);
    m_verifyHostname->setChecked(settings.tls.verifyHostname);
    m_subscriptions->setRowCount(0);
    for (const Subscription& subscription : settings.subscriptions)
        addSubscriptionRow(subscription);
    m_signaturesRequired->setChecked(settings.signatures.required);
    m_trustFile.edit->setText(settings.signatures.trustFile);
    clearErrors();
    updateKindFields();
}

BackendSettings BackendDialog::settings() const
{
    BackendSettings s = m_base;
    s.id = m_id->text().trimmed();
    s.name = m_name->text().trimmed();
    s.enabled = m_enabled->isChecked();
    s.kind = kind();
    s.url = QUrl(m_url->text().trimmed(), QUrl::StrictMode);
    s.mqttVersion = static_cast<BackendSettings::MqttVersion>(m_version->currentData().toInt());
    s.clientId = m_clientId->text().trimmed();
    s.connectTimeoutMs = m_connectTimeout->value();
    s.expectedPeriodMs = m_expectedPeriod->value();
    s.queueLimit = m_queueLimit->value();
    s.username = m_username->text().trimmed();
    s.tls.caFile = m_caFile.edit->text().trimmed();
    s.tls.useSystemStore = m_useSystemStore->isChecked();
    s.tls.certFile = m_certFile.edit->text().trimmed();
    s.tls.keyFile = m_keyFile.edit->text().trimmed();
    s.tls.crlFile = m_crlFile.edit->text().trimmed();
    s.tls.verifyHostname = m_verifyHostname->isChecked();
    s.subscriptions.clear();
    for (int row = 0; row < m_subscriptions->rowCount(); ++row) {
        Subscription sub;
        if (const QTableWidgetItem* topic = m_subscriptions->item(row, TopicColumn))
            sub.filter = topic->text().trimmed();
        if (const QTableWidgetItem* tag = m_subscriptions->item(row, TagColumn))
            sub.tagTemplate = tag->text().trimmed();
        if (const auto* format = qobject_cast<QComboBox*>(m_subscriptions->cellWidget(row, FormatColumn)))
            sub.format = static_cast<PayloadFormat>(format->currentData().toInt());
        if (const auto* qos = qobject_cast<QSpinBox*>(m_subscriptions->cellWidget(row, QosColumn)))
            sub.qos = qos->value();
        s.subscriptions.append(sub);
    }
    s.signatures.required = m_signaturesRequired->isChecked();
    s.signatures.trustFile = m_trustFile.edit->text().trimmed();
    if (s.kind == BackendSettings::Kind::Mqtt)
        return s; // the HTTPS / WSS fields are hidden: kept as they were
    // The MQTT fields are hidden: what an MQTT backend had is dropped when it becomes HTTPS or WSS.
    const bool wasMqtt = m_base.kind == BackendSettings::Kind::Mqtt;
    s.mqttVersion = m_base.mqttVersion;
    s.clientId = wasMqtt ? QString() : m_base.clientId;
    s.subscriptions = wasMqtt ? QList<Subscription>() : m_base.subscriptions;
    if (s.kind == BackendSettings::Kind::Https)
        s.pollIntervalMs = m_pollInterval->value();
    s.tokenUrl = m_tokenUrl->text().trimmed();
    s.oauthClientId = m_oauthClientId->text().trimmed();
    return s;
}

std::optional<QString> BackendDialog::password() const
{
    if (m_forgetPassword->isChecked())
        return QString(); // forget: the hub stores the empty secret in place of the old one
    if (m_password->text().isEmpty())
        return std::nullopt;
    return m_password->text();
}

std::optional<QString> BackendDialog::keyPassphrase() const
{
    if (m_forgetKeyPassphrase->isChecked())
        return QString();
    if (m_keyPassphrase->text().isEmpty())
        return std::nullopt;
    return m_keyPassphrase->text();
}

std::optional<QString> BackendDialog::token() const
{
    if (kind() == BackendSettings::Kind::Mqtt)
        return std::nullopt; // hidden: whatever is stored is kept
    if (m_forgetToken->isChecked())
        return QString();
    if (m_token->text().isEmpty())
        return std::nullopt;
    return m_token->text();
}

std::optional<QString> BackendDialog::clientSecret() const
{
    if (kind() == BackendSettings::Kind::Mqtt)
        return std::nullopt;
    if (m_forgetClientSecret->isChecked())
        return QString();
    if (m_clientSecret->text().isEmpty())
        return std::nullopt;
    return m_clientSecret->text();
}

void BackendDialog::clearErrors()
{
    for (QLabel* label : std::as_const(m_errorLabels)) {
        label->clear();
        label->setVisible(false);
    }
    m_generalError->clear();
    m_generalError->setVisible(false);
}

void BackendDialog::showError(QWidget* field, const QString& message)
{
    QLabel* label = m_errorLabels.value(field, m_generalError);
    // A field may fail two checks (a missing key file and a missing certificate); show both.
    label->setText(label->text().isEmpty() ? message : label->text() + u'\n' + message);
    label->setVisible(true);
}

QString BackendDialog::errorText() const
{
    QStringList errors;
    for (QLabel* label : m_errorLabels) {
        if (!label->isHidden() && !label->text().isEmpty())
            errors.append(label->text());
    }
    if (!m_generalError->isHidden() && !m_generalError->text().isEmpty())
        errors.append(m_generalError->text());
    return errors.join(u'\n');
}

bool BackendDialog::validate()
{
    clearErrors();
    const BackendSettings s = settings();
    QWidget* first = nullptr;
    const auto fail = [&](QWidget* field, const QString& message) {
        showError(field, message);
        if (!first)
            first = field;
    };

    if (s.id.isEmpty())
        fail(m_id, tr("Id: enter an id, e.g. plant-broker."));
    else if (s.id.contains(u'/'))
        fail(m_id, tr("Id: “/” is not allowed (secrets are stored under “<id>/password”)."));
    else if (m_mode == Mode::Add && m_existingIds.contains(s.id))
        fail(m_id, tr("Id: “%1” is already used by another backend; choose another id.").arg(s.id));

    // Each kind has its own TLS scheme: mqtts (or ssl), https, wss.
    const QString scheme = s.url.scheme();
    const bool mqtt = s.kind == BackendSettings::Kind::Mqtt;
    const QString wanted =
        mqtt ? QStringLiteral("mqtts://host:port") : telemetry::kindName(s.kind) + QStringLiteral("://host:port/…");
    const bool tlsScheme = mqtt ? (scheme == u"mqtts" || scheme == u"ssl") : scheme == telemetry::kindName(s.kind);
    if (m_url->text().trimmed().isEmpty() || !s.url.isValid())
        fail(m_url, tr("URL: enter the server as %1.").arg(wanted));
    else if (!tlsScheme)
        fail(m_url, tr("URL: “%1” is not a TLS URL; telemetry must arrive encrypted (use %2).")
                        .arg(s.url.toDisplayString(), wanted));
    else if (s.url.host().isEmpty())
        fail(m_url, tr("URL: no host name; use %1.").arg(wanted));

    if (!mqtt) {
        // Optional: a static bearer token, or OAuth2 client credentials (a token URL and its client id).
        const QUrl tokenUrl(s.tokenUrl, QUrl::StrictMode);
        if (!s.tokenUrl.isEmpty() &&
            (!tokenUrl.isValid() || tokenUrl.scheme() != u"https" || tokenUrl.host().isEmpty()))
            fail(m_tokenUrl, tr("Token URL: “%1” is not an https URL; the client secret must travel encrypted "
                                "(use https://host/…).")
                                 .arg(s.tokenUrl));
        if (!s.tokenUrl.isEmpty() && s.oauthClientId.isEmpty())
            fail(m_oauthClientId, tr("OAuth2 client id: a token URL needs the client id to ask it for tokens."));
    }

    const auto checkFile = [&](QLineEdit* field, const QString& path, const QString& what) {
        if (!path.isEmpty() && !QFileInfo(path).isFile())
            fail(field, tr("%1: %2 not found.").arg(what, path));
    };
    if (s.tls.caFile.isEmpty() && !s.tls.useSystemStore)
        fail(m_caFile.edit, tr("CA file: choose the CA that signed the server's certificate "
                               "(or trust the system's CAs)."));
    checkFile(m_caFile.edit, s.tls.caFile, tr("CA file"));
    if (s.tls.certFile.isEmpty() && !s.tls.keyFile.isEmpty())
        fail(m_certFile.edit, tr("Client certificate: a client key needs its certificate too."));
    if (s.tls.keyFile.isEmpty() && !s.tls.certFile.isEmpty())
        fail(m_keyFile.edit, tr("Client key: a client certificate needs its private key too."));
    checkFile(m_certFile.edit, s.tls.certFile, tr("Client certificate"));
    checkFile(m_keyFile.edit, s.tls.keyFile, tr("Client key"));
    checkFile(m_crlFile.edit, s.tls.crlFile, tr("CRL file"));

    if (mqtt && s.subscriptions.isEmpty())
        fail(m_subscriptions, tr("Subscriptions: add at least one topic filter, or nothing would arrive."));
    for (int row = 0; row < s.subscriptions.size(); ++row) {
        if (s.subscriptions.at(row).filter.isEmpty())
            fail(m_subscriptions, tr("Subscriptions: row %1 has no topic filter.").arg(row + 1));
    }

    if (s.signatures.required && s.signatures.trustFile.isEmpty())
        fail(m_trustFile.edit, tr("Trusted publishers: signatures are required, so choose the file of trusted "
                                  "publishers (without it every value is untrusted)."));
    checkFile(m_trustFile.edit, s.signatures.trustFile, tr("Trusted publishers"));

    // The library's own check last: what it refuses, the hub would refuse to connect with.
    if (!first) {
        if (const QString invalid = telemetry::validateBackend(s); !invalid.isEmpty())
            fail(m_generalError, invalid);
    }
    if (!first)
        return true;
    first->setFocus();
    m_scroll->ensureWidgetVisible(first);
    return false;
}

void BackendDialog::accept()
{
    if (!validate())
        return; // stays open with everything entered, the errors next to their fields
    QDialog::accept();
}

void BackendDialog::testConnection()
{
    if (m_testing)
        return;
    if (!validate()) {
        m_testResult->setText(tr("Not tested: correct the settings first."));
        m_testResult->setStyleSheet(QString());
        return;
    }
    const BackendSettings s = settings();
    ConnectionSecrets secrets;
    if (telemetry::TelemetryHub* hub = m_hub.data()) {
        secrets = hub->secretsFor(s.id, password(), keyPassphrase(), token(), clientSecret());
    } else {
        secrets.password = password().value_or(QString());
        secrets.keyPassphrase = keyPassphrase().value_or(QString());
        secrets.token = token().value_or(QString());
        secrets.clientSecret = clientSecret().value_or(QString());
    }
    m_testing = true;
    m_testButton->setEnabled(false);
    m_testBusy->setVisible(true);
    m_testResult->setStyleSheet(QString());
    m_testResult->setText(tr("Testing %1…").arg(s.url.toDisplayString()));
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const QString id = s.id;
    checkConnectionInBackground(this, s, secrets, m_cancel, [this, id](const ConnectionVerdict& verdict) {
        showVerdict(verdict);
        Q_EMIT tested(id, verdict.ok, verdict.code, verdict.message);
    });
}

void BackendDialog::showVerdict(const ConnectionVerdict& verdict)
{
    m_testing = false;
    m_testButton->setEnabled(true);
    m_testBusy->setVisible(false);
    m_testResult->setText(verdictText(verdict));
    m_testResult->setStyleSheet(verdict.ok ? QStringLiteral("QLabel { color: #2e7d32; }")
                                           : QStringLiteral("QLabel { color: #c62828; }"));
}

QString BackendDialog::testResultText() const
{
    return m_testResult->text();
}

} // namespace twinspect::ui
