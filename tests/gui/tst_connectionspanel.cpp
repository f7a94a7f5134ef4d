// SPDX-License-Identifier: Apache-2.0
// The Connections dock against a real mosquitto over TLS: presence and counters in the table, a
// refused (revoked) client shown with the reason, the settings dialog's round trip and inline errors,
// secrets kept out of backends.json, and Test verdicts on a worker thread.
#include "dialogs/backenddialog.h"
#include "docks/connectionspanel.h"
#include "models/connectionsmodel.h"
#include "mosquittobroker.h"
#include "telemetry/backendsettings.h"
#include "telemetry/telemetryhub.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;
using namespace twinspect;
using namespace twinspect::telemetry;
using twinspect::testing::MosquittoBroker;
using Listener = MosquittoBroker::Listener;
using Model = ui::ConnectionsModel;

namespace {

const QString prefix = QStringLiteral("plant/panel");
constexpr int kConnect = 20'000; // generous: Xvfb, sanitizers and a busy CI machine

/// What applyRequested carried.
struct Applied
{
    BackendSettings settings;
    std::optional<QString> password;
    std::optional<QString> keyPassphrase;
    bool isNew = false;
    int count = 0;
};

void clickOk(QDialog* dialog)
{
    auto* box = dialog->findChild<QDialogButtonBox*>();
    QVERIFY(box);
    QTest::mouseClick(box->button(QDialogButtonBox::Ok), Qt::LeftButton);
}

QString cell(const ui::ConnectionsPanel& panel, const QString& id, int column)
{
    const int row = panel.model()->rowOf(id);
    return row < 0 ? QString() : panel.model()->index(row, column).data().toString();
}

quint64 counter(const ui::ConnectionsPanel& panel, const QString& id, int column)
{
    const int row = panel.model()->rowOf(id);
    return row < 0 ? 0 : panel.model()->index(row, column).data().toULongLong();
}

} // namespace

class TestConnectionsPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        if (const auto error = m_broker.start())
            QFAIL(qPrintable(*error));
    }

    void goodBackendIsPresentAndCountsMessages()
    {
        // GIVEN an empty hub and the panel on it
        QTemporaryDir dir;
        TelemetryHub hub(dir.path());
        QVERIFY(hub.load().ok());
        ui::ConnectionsPanel panel(&hub);
        QAbstractItemModelTester tester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(panel.model()->rowCount(), 0);

        // WHEN a good backend is saved
        BackendSettings good = settings(QStringLiteral("good"), QStringLiteral("client"));
        good.name = QStringLiteral("Boiler house");
        QVERIFY(hub.saveBackend(good, std::nullopt, std::nullopt).ok());

        // THEN it appears, becomes present with a green dot, and counts what is published
        QCOMPARE(panel.model()->rowCount(), 1);
        QCOMPARE(cell(panel, u"good"_s, Model::Name), QStringLiteral("Boiler house"));
        const QModelIndex name = panel.model()->index(0, Model::Name);
        QVERIFY(name.data(Qt::ToolTipRole).toString().contains(u"good"));
        QVERIFY(cell(panel, u"good"_s, Model::Url).startsWith(u"mqtts://localhost:"));
        QTRY_COMPARE_WITH_TIMEOUT(cell(panel, u"good"_s, Model::Presence), QStringLiteral("Present"), kConnect);
        const QModelIndex presence = panel.model()->index(0, Model::Presence);
        QCOMPARE(presence.data(Model::StateColorRole).value<QColor>(), Model::stateColor(Model::State::Present));
        QVERIFY(!presence.data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(cell(panel, u"good"_s, Model::Problem).isEmpty());

        for (int i = 0; i < 3; ++i)
            QVERIFY(!m_broker.publish(prefix + QStringLiteral("/LIT0%1").arg(i), "{\"v\":42.5}"));
        QTRY_VERIFY_WITH_TIMEOUT(counter(panel, u"good"_s, Model::Received) >= 3, 10'000);
        QCOMPARE(counter(panel, u"good"_s, Model::Dropped), 0u);
        QCOMPARE(counter(panel, u"good"_s, Model::Rejected), 0u);
        QVERIFY(!m_broker.publish(prefix + QStringLiteral("/BAD"), "not json"));
        QTRY_VERIFY_WITH_TIMEOUT(counter(panel, u"good"_s, Model::Rejected) >= 1, 10'000);
        QCOMPARE(counter(panel, u"good"_s, Model::Untrusted), 0u);

        // Removing it empties the table (a model reset, checked by the tester).
        QVERIFY(hub.removeBackend(u"good"_s).ok());
        QCOMPARE(panel.model()->rowCount(), 0);
    }

    void revokedClientShowsTheErrorAndWhy()
    {
        QTemporaryDir dir;
        TelemetryHub hub(dir.path());
        QVERIFY(hub.saveBackend(settings(u"revoked"_s, u"revoked"_s), std::nullopt, std::nullopt).ok());
        ui::ConnectionsPanel panel(&hub);
        QAbstractItemModelTester tester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE_WITH_TIMEOUT(cell(panel, u"revoked"_s, Model::Presence), QStringLiteral("Error"), kConnect);
        const int row = panel.model()->rowOf(u"revoked"_s);
        QCOMPARE(panel.model()->index(row, Model::Presence).data(Model::StateColorRole).value<QColor>(),
                 QColor(0xc6, 0x28, 0x28));
        const QString problem = cell(panel, u"revoked"_s, Model::Problem);
        QVERIFY2(problem.contains(u"revoked.crt"), qPrintable(problem));
        QCOMPARE(panel.model()->index(row, Model::Problem).data(Model::ProblemCodeRole).toString(),
                 QStringLiteral("tls.client-revoked"));

        panel.selectBackend(u"revoked"_s);
        QVERIFY2(panel.problemsText().contains(u"[tls.client-revoked]"), qPrintable(panel.problemsText()));
        QVERIFY2(panel.problemsText().contains(u"revoked.crt"), qPrintable(panel.problemsText()));
        QVERIFY(panel.problemsText().contains(u"error"));
    }

    void dialogRoundTrip()
    {
        BackendSettings s = settings(u"round-trip"_s, u"client"_s);
        s.name = QStringLiteral("Round trip");
        s.enabled = false;
        s.mqttVersion = BackendSettings::MqttVersion::V5;
        s.username = QStringLiteral("operator");
        s.tls.crlFile = m_broker.pkiPath(u"crl.pem"_s);
        s.tls.verifyHostname = false;
        s.connectTimeoutMs = 7000;
        s.expectedPeriodMs = 2500;
        s.queueLimit = 5000;
        s.keepAliveSeconds = 17; // not in the dialog: kept from setSettings()
        s.subscriptions.append({QStringLiteral("spBv1.0/plant/#"), PayloadFormat::Sparkplug, QString(), 1});
        s.signatures.required = true;
        s.signatures.trustFile = m_broker.pkiPath(u"ca.crt"_s);

        ui::BackendDialog dialog(ui::BackendDialog::Mode::Edit, nullptr, {s.id});
        dialog.setSettings(s, true, false);
        QCOMPARE(serializeBackendSettings({dialog.settings()}), serializeBackendSettings({s}));
        QVERIFY(dialog.idField()->isReadOnly());
        QVERIFY2(dialog.validate(), qPrintable(dialog.errorText()));

        // The file fields say what their files hold.
        const auto info = [&](const char* field) {
            auto* label = dialog.findChild<QLabel*>(QLatin1String(field) + QStringLiteral("Info"));
            return label ? label->text() : QStringLiteral("<no label>");
        };
        QVERIFY2(info("backendCertFile").contains(u"twinspect-workstation") &&
                     info("backendCertFile").contains(u"expires"),
                 qPrintable(info("backendCertFile")));
        QVERIFY2(info("backendCaFile").contains(u"CN="), qPrintable(info("backendCaFile")));
        QCOMPARE(info("backendKeyFile"), QStringLiteral("private key"));
        dialog.findChild<QLineEdit*>(u"backendCrlFile"_s)->setText(dir().filePath(u"missing.pem"_s));
        QCOMPARE(info("backendCrlFile"), QStringLiteral("not found"));

        // Secrets: a stored password is announced, never shown; untouched means keep.
        QVERIFY(dialog.passwordField()->text().isEmpty());
        QVERIFY(dialog.passwordField()->placeholderText().contains(u"stored — leave empty to keep"));
        QCOMPARE(dialog.passwordField()->echoMode(), QLineEdit::Password);
        QCOMPARE(dialog.keyPassphraseField()->echoMode(), QLineEdit::Password);
        QVERIFY(!dialog.forgetPasswordBox()->isHidden());
        QVERIFY(dialog.forgetKeyPassphraseBox()->isHidden()); // nothing stored, nothing to forget
        QVERIFY(!dialog.password().has_value());
        QVERIFY(!dialog.keyPassphrase().has_value());
        QTest::keyClicks(dialog.passwordField(), u"New-Secret-1"_s);
        QCOMPARE(dialog.password(), std::optional<QString>(u"New-Secret-1"_s));
        dialog.forgetPasswordBox()->setChecked(true);
        QVERIFY(dialog.password().has_value());
        QVERIFY(dialog.password()->isEmpty());
        QVERIFY(dialog.passwordField()->text().isEmpty());
        QVERIFY(!dialog.passwordField()->isEnabled());
        QTest::keyClicks(dialog.keyPassphraseField(), u"pass-phrase"_s);
        QCOMPARE(dialog.keyPassphrase(), std::optional<QString>(u"pass-phrase"_s));
    }

    void invalidInputKeepsTheDialogOpen_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("slash in id") << u"slash"_s << u"backendId"_s << u"Id:"_s;
        QTest::newRow("id already used") << u"duplicate"_s << u"backendId"_s << u"already used"_s;
        QTest::newRow("empty id") << u"empty-id"_s << u"backendId"_s << u"Id:"_s;
        QTest::newRow("plain TCP URL") << u"plain-url"_s << u"backendUrl"_s << u"URL:"_s;
        QTest::newRow("no CA") << u"no-ca"_s << u"backendCaFile"_s << u"CA file:"_s;
        QTest::newRow("CA file missing") << u"missing-ca"_s << u"backendCaFile"_s << u"not found"_s;
        QTest::newRow("certificate without key") << u"no-key"_s << u"backendKeyFile"_s << u"Client key:"_s;
        QTest::newRow("no subscriptions") << u"no-subscriptions"_s << u"backendSubscriptions"_s << u"Subscriptions:"_s;
        QTest::newRow("empty topic filter") << u"empty-topic"_s << u"backendSubscriptions"_s << u"row 1"_s;
    }

    void invalidInputKeepsTheDialogOpen()
    {
        QFETCH(QString, what);
        QFETCH(QString, field);
        QFETCH(QString, mentions);
        ui::BackendDialog dialog(ui::BackendDialog::Mode::Add, nullptr, {u"taken"_s});
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        dialog.setSettings(settings(u"fresh"_s, u"client"_s), false, false);
        dialog.show();
        auto* subscriptions = dialog.findChild<QTableWidget*>(u"backendSubscriptions"_s);
        if (what == u"slash")
            dialog.idField()->setText(u"a/b"_s);
        else if (what == u"duplicate")
            dialog.idField()->setText(u"taken"_s);
        else if (what == u"empty-id")
            dialog.idField()->clear();
        else if (what == u"plain-url")
            dialog.urlField()->setText(u"mqtt://localhost:1883"_s);
        else if (what == u"no-ca")
            dialog.findChild<QLineEdit*>(u"backendCaFile"_s)->clear();
        else if (what == u"missing-ca")
            dialog.findChild<QLineEdit*>(u"backendCaFile"_s)->setText(dir().filePath(u"no-such-ca.crt"_s));
        else if (what == u"no-key")
            dialog.findChild<QLineEdit*>(u"backendKeyFile"_s)->clear();
        else if (what == u"no-subscriptions")
            subscriptions->setRowCount(0);
        else if (what == u"empty-topic")
            subscriptions->item(0, 0)->setText(QString());
        const BackendSettings entered = dialog.settings();
        QTest::keyClicks(dialog.passwordField(), u"typed-secret"_s);

        clickOk(&dialog);

        QVERIFY(dialog.isVisible());
        QCOMPARE(accepted.count(), 0);
        QVERIFY2(dialog.errorText().contains(mentions), qPrintable(dialog.errorText()));
        auto* error = dialog.findChild<QLabel*>(field + QStringLiteral("Error"));
        QVERIFY(error);
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().contains(mentions), qPrintable(error->text()));
        QVERIFY(!dialog.errorText().contains(u"typed-secret")); // never a secret in an error
        // Nothing entered is lost.
        QCOMPARE(serializeBackendSettings({dialog.settings()}), serializeBackendSettings({entered}));
        QCOMPARE(dialog.password(), std::optional<QString>(u"typed-secret"_s));
    }

    void applyRequestedCarriesWhatWasEntered()
    {
        // GIVEN a hub with no backends
        QTemporaryDir dir;
        TelemetryHub hub(dir.path());
        QVERIFY(hub.load().ok());
        ui::ConnectionsPanel panel(&hub);
        QAbstractItemModelTester tester(panel.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        Applied applied;
        connect(&panel, &ui::ConnectionsPanel::applyRequested, this,
                [&](const BackendSettings& s, const std::optional<QString>& password,
                    const std::optional<QString>& keyPassphrase, bool isNew) {
                    applied = {s, password, keyPassphrase, isNew, applied.count + 1};
                });

        // WHEN an operator types a password backend into the Add dialog and presses OK
        ui::BackendDialog* dialog = panel.addBackend();
        QVERIFY(dialog);
        QTest::keyClicks(dialog->idField(), u"pw-broker"_s);
        QTest::keyClicks(dialog->findChild<QLineEdit*>(u"backendName"_s), u"Password broker"_s);
        QTest::keyClicks(dialog->urlField(),
                         QStringLiteral("mqtts://localhost:%1").arg(m_broker.port(Listener::Password)));
        dialog->findChild<QLineEdit*>(u"backendCaFile"_s)->setText(m_broker.pkiPath(u"ca.crt"_s));
        QTest::keyClicks(dialog->findChild<QLineEdit*>(u"backendUsername"_s), m_broker.passwordUser());
        QTest::keyClicks(dialog->passwordField(), m_broker.password());
        auto* subscriptions = dialog->findChild<QTableWidget*>(u"backendSubscriptions"_s);
        subscriptions->item(0, 0)->setText(prefix + QStringLiteral("/+"));
        subscriptions->item(0, 2)->setText(u"{1}"_s);
        clickOk(dialog);

        // THEN the panel asks for exactly that, and saves nothing itself
        QCOMPARE(applied.count, 1);
        QVERIFY(applied.isNew);
        QCOMPARE(applied.settings.id, QStringLiteral("pw-broker"));
        QCOMPARE(applied.settings.name, QStringLiteral("Password broker"));
        QCOMPARE(applied.settings.username, m_broker.passwordUser());
        QCOMPARE(applied.settings.port(), int(m_broker.port(Listener::Password)));
        QCOMPARE(applied.settings.subscriptions.value(0).filter, prefix + QStringLiteral("/+"));
        QCOMPARE(applied.password, std::optional<QString>(m_broker.password()));
        QVERIFY(!applied.keyPassphrase.has_value());
        QVERIFY(!QFile::exists(hub.settingsPath()));

        // AND when the window saves it, the password goes to the secret store only
        QVERIFY(hub.saveBackend(applied.settings, applied.password, applied.keyPassphrase).ok());
        const QByteArray backendsJson = readAll(hub.settingsPath());
        QVERIFY(backendsJson.contains("pw-broker"));
        QVERIFY(!backendsJson.contains(m_broker.password().toUtf8()));
        QVERIFY(readAll(hub.secretsPath()).contains(m_broker.password().toUtf8()));
        QCOMPARE(QFile::permissions(hub.secretsPath()) & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::ReadOwner | QFile::WriteOwner);
        QCOMPARE(panel.selectedId(), QStringLiteral("pw-broker")); // the new row is selected
        QTRY_COMPARE_WITH_TIMEOUT(cell(panel, u"pw-broker"_s, Model::Presence), QStringLiteral("Present"), kConnect);

        // Editing without touching the password keeps it; forgetting it sends an empty one.
        dialog = panel.editSelected();
        QVERIFY(dialog);
        QVERIFY(dialog->idField()->isReadOnly());
        QVERIFY(dialog->passwordField()->placeholderText().contains(u"stored"));
        QVERIFY(dialog->passwordField()->text().isEmpty());
        clickOk(dialog);
        QCOMPARE(applied.count, 2);
        QVERIFY(!applied.isNew);
        QVERIFY(!applied.password.has_value());
        QCOMPARE(serializeBackendSettings({applied.settings}),
                 serializeBackendSettings({*hub.backend(u"pw-broker"_s)}));
        dialog = panel.editSelected();
        QVERIFY(dialog);
        dialog->forgetPasswordBox()->setChecked(true);
        clickOk(dialog);
        QCOMPARE(applied.count, 3);
        QVERIFY(applied.password.has_value() && applied.password->isEmpty());
        QVERIFY(hub.saveBackend(applied.settings, applied.password, applied.keyPassphrase).ok());
        QVERIFY(!hub.hasSecret(u"pw-broker"_s, u"password"));
        QVERIFY(!readAll(hub.secretsPath()).contains(m_broker.password().toUtf8()));
    }

    void httpsDialogRoundTrip()
    {
        // GIVEN the Add dialog, which starts as MQTT
        ui::BackendDialog dialog(ui::BackendDialog::Mode::Add, nullptr, {});
        const auto shown = [&](const char* name) {
            auto* field = dialog.findChild<QWidget*>(QLatin1String(name));
            return field && field->isVisibleTo(&dialog);
        };
        const auto errorOf = [&](const char* name) {
            auto* label = dialog.findChild<QLabel*>(QLatin1String(name) + QStringLiteral("Error"));
            return label && !label->isHidden() ? label->text() : QString();
        };
        const auto chooseKind = [&](BackendSettings::Kind kind) {
            dialog.kindField()->setCurrentIndex(dialog.kindField()->findData(static_cast<int>(kind)));
        };
        QCOMPARE(dialog.settings().kind, BackendSettings::Kind::Mqtt);
        QVERIFY(shown("backendSubscriptions") && shown("backendClientId") && shown("backendMqttVersion"));
        QVERIFY(!shown("backendToken") && !shown("backendTokenUrl") && !shown("backendPollInterval"));
        QVERIFY(!shown("backendClientSecret") && !shown("backendOauthClientId"));

        // WHEN the kind becomes HTTPS polling, then WSS stream
        chooseKind(BackendSettings::Kind::Https);
        // THEN only what that kind uses is shown
        QVERIFY(!shown("backendSubscriptions") && !shown("backendClientId") && !shown("backendMqttVersion"));
        QVERIFY(shown("backendToken") && shown("backendTokenUrl") && shown("backendPollInterval"));
        QVERIFY(shown("backendClientSecret") && shown("backendOauthClientId"));
        QVERIFY(!shown("backendForgetToken") && !shown("backendForgetClientSecret")); // nothing stored
        QCOMPARE(dialog.tokenField()->echoMode(), QLineEdit::Password);
        QCOMPARE(dialog.clientSecretField()->echoMode(), QLineEdit::Password);
        QVERIFY(dialog.tokenField()->placeholderText().contains(u"none stored"));
        chooseKind(BackendSettings::Kind::Wss);
        QVERIFY(!shown("backendPollInterval") && shown("backendToken") && !shown("backendSubscriptions"));
        chooseKind(BackendSettings::Kind::Https);

        // An MQTT URL for an HTTPS backend, a plain-http token URL and no client id are refused inline.
        QTest::keyClicks(dialog.idField(), u"gw-boiler"_s);
        QTest::keyClicks(dialog.urlField(), u"mqtts://gw.plant.example:8883"_s);
        dialog.findChild<QLineEdit*>(u"backendCaFile"_s)->setText(m_broker.pkiPath(u"ca.crt"_s));
        QTest::keyClicks(dialog.tokenUrlField(), u"http://idp.plant.example/oauth2/token"_s);
        QTest::keyClicks(dialog.tokenField(), u"Bearer-Typed-7"_s);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        clickOk(&dialog);
        QVERIFY(dialog.isVisible()); // stays open
        QVERIFY2(errorOf("backendUrl").contains(u"https://"), qPrintable(errorOf("backendUrl")));
        QVERIFY2(errorOf("backendTokenUrl").contains(u"https"), qPrintable(errorOf("backendTokenUrl")));
        QVERIFY2(!errorOf("backendOauthClientId").isEmpty(), qPrintable(dialog.errorText()));
        QVERIFY(!dialog.errorText().contains(u"Bearer-Typed-7"));
        dialog.urlField()->setText(u"https://gw.plant.example/api/telemetry"_s);
        dialog.tokenUrlField()->setText(u"https://idp.plant.example/oauth2/token"_s);
        QVERIFY(!dialog.validate());
        QVERIFY(errorOf("backendUrl").isEmpty() && errorOf("backendTokenUrl").isEmpty());
        QVERIFY(!errorOf("backendOauthClientId").isEmpty()); // a token URL needs a client id
        QTest::keyClicks(dialog.oauthClientIdField(), u"twinspect-ws7"_s);
        dialog.findChild<QSpinBox*>(u"backendPollInterval"_s)->setValue(2500);
        QVERIFY2(dialog.validate(), qPrintable(dialog.errorText()));

        // The settings are those of an HTTPS backend (no MQTT leftovers), the typed token is new.
        const BackendSettings s = dialog.settings();
        QCOMPARE(s.kind, BackendSettings::Kind::Https);
        QCOMPARE(s.pollIntervalMs, 2500);
        QCOMPARE(s.tokenUrl, u"https://idp.plant.example/oauth2/token"_s);
        QCOMPARE(s.oauthClientId, u"twinspect-ws7"_s);
        QVERIFY(s.subscriptions.isEmpty());
        QVERIFY(validateBackend(s).isEmpty());
        QCOMPARE(dialog.token(), std::optional<QString>(u"Bearer-Typed-7"_s));
        QVERIFY(!dialog.clientSecret().has_value());
        QVERIFY(!serializeBackendSettings({s}).contains("Bearer-Typed-7"));
        clickOk(&dialog);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));

        // Editing with stored secrets: announced, never shown; untouched keeps, forget sends empty.
        ui::BackendDialog edit(ui::BackendDialog::Mode::Edit, nullptr, {s.id});
        edit.setSettings(s, false, false, true, true);
        QCOMPARE(serializeBackendSettings({edit.settings()}), serializeBackendSettings({s}));
        QCOMPARE(edit.kindField()->currentData().toInt(), static_cast<int>(BackendSettings::Kind::Https));
        QVERIFY(edit.tokenField()->text().isEmpty());
        QVERIFY(edit.tokenField()->placeholderText().contains(u"stored — leave empty to keep"));
        QVERIFY(edit.forgetTokenBox()->isVisibleTo(&edit) && edit.forgetClientSecretBox()->isVisibleTo(&edit));
        QVERIFY(!edit.token().has_value());
        QVERIFY(!edit.clientSecret().has_value());
        edit.forgetTokenBox()->setChecked(true);
        QVERIFY(edit.token().has_value() && edit.token()->isEmpty());
        QVERIFY(!edit.tokenField()->isEnabled());
        QTest::keyClicks(edit.clientSecretField(), u"Client-Secret-8"_s);
        QCOMPARE(edit.clientSecret(), std::optional<QString>(u"Client-Secret-8"_s));
        // An MQTT backend uses neither: its fields are hidden and whatever is stored is kept.
        edit.kindField()->setCurrentIndex(edit.kindField()->findData(static_cast<int>(BackendSettings::Kind::Mqtt)));
        QVERIFY(!edit.forgetTokenBox()->isVisibleTo(&edit) && !edit.tokenField()->isVisibleTo(&edit));
        QVERIFY(!edit.token().has_value() && !edit.clientSecret().has_value());
    }

    void hubKeepsTokensInTheSecretStoreOnly()
    {
        // GIVEN a hub and an HTTPS backend (disabled: nothing to connect to)
        QTemporaryDir dir;
        TelemetryHub hub(dir.path());
        QVERIFY(hub.load().ok());
        BackendSettings s;
        s.id = QStringLiteral("gw-boiler");
        s.name = QStringLiteral("Boiler gateway");
        s.kind = BackendSettings::Kind::Https;
        s.enabled = false;
        s.url = QUrl(QStringLiteral("https://gw.plant.example/api/telemetry"));
        s.tls.caFile = m_broker.pkiPath(u"ca.crt"_s);
        s.tokenUrl = QStringLiteral("https://idp.plant.example/oauth2/token");
        s.oauthClientId = QStringLiteral("twinspect-ws7");

        // WHEN it is saved with a token and a client secret
        QVERIFY(
            hub.saveBackend(s, BackendSecrets{std::nullopt, std::nullopt, u"Bearer-Token-7"_s, u"Client-Secret-8"_s})
                .ok());

        // THEN they are in secrets.json (0600), never in backends.json
        const QByteArray backendsJson = readAll(hub.settingsPath());
        QVERIFY(backendsJson.contains("gw-boiler") && backendsJson.contains("twinspect-ws7"));
        QVERIFY(!backendsJson.contains("Bearer-Token-7") && !backendsJson.contains("Client-Secret-8"));
        const QByteArray secretsJson = readAll(hub.secretsPath());
        QVERIFY(secretsJson.contains("Bearer-Token-7") && secretsJson.contains("Client-Secret-8"));
        QCOMPARE(QFile::permissions(hub.secretsPath()) & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::ReadOwner | QFile::WriteOwner);
        QVERIFY(hub.hasSecret(s.id, u"token") && hub.hasSecret(s.id, u"client-secret"));
        QCOMPARE(hub.secretsFor(s.id).token, u"Bearer-Token-7"_s);
        QCOMPARE(hub.secretsFor(s.id).clientSecret, u"Client-Secret-8"_s);
        QCOMPARE(hub.secretsFor(s.id, std::nullopt, std::nullopt, u"typed"_s).token, u"typed"_s);

        // AND the three-argument save keeps them; an empty one forgets just that secret
        QVERIFY(hub.saveBackend(s, std::nullopt, std::nullopt).ok());
        QVERIFY(hub.hasSecret(s.id, u"token") && hub.hasSecret(s.id, u"client-secret"));
        QVERIFY(hub.saveBackend(s, BackendSecrets{std::nullopt, std::nullopt, QString(), std::nullopt}).ok());
        QVERIFY(!hub.hasSecret(s.id, u"token"));
        QVERIFY(hub.hasSecret(s.id, u"client-secret"));
        QVERIFY(!readAll(hub.secretsPath()).contains("Bearer-Token-7"));

        // AND the panel's Edit dialog offers to forget the stored client secret and hands a new token over
        ui::ConnectionsPanel panel(&hub);
        panel.selectBackend(s.id);
        std::optional<QString> token;
        std::optional<QString> clientSecret;
        int applied = 0;
        connect(&panel, &ui::ConnectionsPanel::applyRequested, this, [&] {
            token = panel.requestedToken();
            clientSecret = panel.requestedClientSecret();
            ++applied;
        });
        ui::BackendDialog* dialog = panel.editSelected();
        QVERIFY(dialog);
        QVERIFY(dialog->tokenField()->isVisible());
        QVERIFY(dialog->forgetTokenBox()->isHidden());         // forgotten above
        QVERIFY(dialog->forgetClientSecretBox()->isVisible()); // still stored
        QTest::keyClicks(dialog->tokenField(), u"Bearer-Token-9"_s);
        clickOk(dialog);
        QCOMPARE(applied, 1);
        QCOMPARE(token, std::optional<QString>(u"Bearer-Token-9"_s));
        QVERIFY(!clientSecret.has_value());
        QVERIFY(!panel.requestedToken().has_value()); // only while applyRequested is delivered
    }

    void testShowsOkAndRefused()
    {
        QTemporaryDir dir;
        TelemetryHub hub(dir.path());
        BackendSettings good = settings(u"good"_s, u"client"_s);
        good.enabled = false; // the check stands alone: no running source needed
        QVERIFY(hub.saveBackend(good, std::nullopt, std::nullopt).ok());
        QVERIFY(hub.saveBackend(settings(u"revoked"_s, u"revoked"_s), std::nullopt, std::nullopt).ok());
        ui::ConnectionsPanel panel(&hub);
        panel.resize(1000, 500);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QCOMPARE(cell(panel, u"good"_s, Model::Presence), QStringLiteral("Disabled"));
        QSignalSpy finished(&panel, &ui::ConnectionsPanel::testFinished);
        QSignalSpy audited(&panel, &ui::ConnectionsPanel::auditedAction);

        // Before any test, the certificate view says there is nothing to show yet.
        panel.selectBackend(u"good"_s);
        QDialog* certificates = panel.showCertificates();
        QVERIFY(certificates);
        QVERIFY(certText(certificates).contains(u"No verdict yet"));
        QVERIFY(certText(certificates).contains(u"twinspect-workstation")); // the configured client certificate
        certificates->close();

        panel.testSelected();
        QVERIFY(panel.isTesting()); // the answer comes later, from the worker thread
        QVERIFY(!panel.findChild<QAction*>(u"connectionsTest"_s)->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kConnect);
        QVERIFY(!panel.isTesting());
        QVERIFY2(panel.testResultText().startsWith(u"OK"), qPrintable(panel.testResultText()));
        QCOMPARE(audited.count(), 1);
        QCOMPARE(audited.at(0), (QVariantList{u"backend.test"_s, u"good"_s, u"success"_s, u"ok"_s}));

        // The server's chain is now known from the test.
        certificates = panel.showCertificates();
        const QString report = certText(certificates);
        QVERIFY2(report.contains(u"CN=localhost") && report.contains(u"SHA-256") && report.contains(u"Issuer"),
                 qPrintable(report));
        certificates->close();

        // F5 on the table tests the selected backend.
        panel.selectBackend(u"revoked"_s);
        panel.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        panel.table()->setFocus();
        QTest::keyClick(panel.table(), Qt::Key_F5);
        QVERIFY(panel.isTesting());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kConnect);
        QVERIFY2(panel.testResultText().startsWith(u"REFUSED [tls.client-revoked]"),
                 qPrintable(panel.testResultText()));
        QVERIFY(panel.testResultText().contains(u"revoked.crt"));
        QCOMPARE(audited.at(1), (QVariantList{u"backend.test"_s, u"revoked"_s, u"failure"_s, u"tls.client-revoked"_s}));
        // Each backend keeps its own last verdict.
        panel.selectBackend(u"good"_s);
        QVERIFY(panel.testResultText().startsWith(u"OK"));
    }

    void dialogTestsTheUnsavedSettings()
    {
        QTemporaryDir dir;
        TelemetryHub hub(dir.path());
        BackendSettings s = settings(u"pw"_s, QString());
        s.url = QUrl(QStringLiteral("mqtts://localhost:%1").arg(m_broker.port(Listener::Password)));
        s.username = m_broker.passwordUser();
        s.enabled = false;
        QVERIFY(hub.saveBackend(s, m_broker.password(), std::nullopt).ok());
        ui::BackendDialog dialog(ui::BackendDialog::Mode::Edit, &hub, {s.id});
        dialog.setSettings(s, true, false);
        QSignalSpy tested(&dialog, &ui::BackendDialog::tested);

        // The stored password is used when none is typed ...
        dialog.testConnection();
        QVERIFY(dialog.isTesting());
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 1, kConnect);
        QVERIFY2(dialog.testResultText().startsWith(u"OK"), qPrintable(dialog.testResultText()));
        // ... and a typed one replaces it, unsaved.
        const QString wrong = QStringLiteral("Wrong-Password-123");
        QTest::keyClicks(dialog.passwordField(), wrong);
        dialog.testConnection();
        QTRY_COMPARE_WITH_TIMEOUT(tested.count(), 2, kConnect);
        QVERIFY2(dialog.testResultText().startsWith(u"REFUSED [auth.bad-password]"),
                 qPrintable(dialog.testResultText()));
        QVERIFY(!dialog.testResultText().contains(wrong));
        QCOMPARE(hub.secretsFor(s.id).password, m_broker.password()); // nothing was saved
    }

    void canManageAndKeyboard()
    {
        QTemporaryDir dir;
        TelemetryHub hub(dir.path());
        BackendSettings s = settings(u"idle"_s, u"client"_s);
        s.enabled = false;
        QVERIFY(hub.saveBackend(s, std::nullopt, std::nullopt).ok());
        ui::ConnectionsPanel panel(&hub);
        panel.resize(900, 400);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.selectBackend(u"idle"_s);
        const auto action = [&](const char* name) { return panel.findChild<QAction*>(QLatin1String(name)); };

        panel.setCanManage(false);
        QVERIFY(!action("connectionsAdd")->isEnabled());
        QVERIFY(!action("connectionsEdit")->isEnabled());
        QVERIFY(!action("connectionsRemove")->isEnabled());
        QVERIFY(action("connectionsTest")->isEnabled());
        QVERIFY(action("connectionsCertificate")->isEnabled());
        QVERIFY(!panel.addBackend());
        QVERIFY(!panel.editSelected());
        QVERIFY(!panel.removeSelected());

        panel.setCanManage(true);
        QVERIFY(action("connectionsAdd")->isEnabled());
        panel.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        panel.table()->setFocus();
        QTest::keyClick(panel.table(), Qt::Key_Insert);
        QTRY_VERIFY(panel.findChild<ui::BackendDialog*>());
        auto* added = panel.findChild<ui::BackendDialog*>();
        QCOMPARE(added->mode(), ui::BackendDialog::Mode::Add);
        added->reject();
        QTRY_VERIFY(!panel.findChild<ui::BackendDialog*>()); // deleted on close

        panel.table()->setFocus();
        QTest::keyClick(panel.table(), Qt::Key_Return);
        QTRY_VERIFY(panel.findChild<ui::BackendDialog*>());
        auto* edited = panel.findChild<ui::BackendDialog*>();
        QCOMPARE(edited->mode(), ui::BackendDialog::Mode::Edit);
        QCOMPARE(edited->idField()->text(), QStringLiteral("idle"));
        edited->reject();
        QTRY_VERIFY(!panel.findChild<ui::BackendDialog*>());

        QSignalSpy removed(&panel, &ui::ConnectionsPanel::removeRequested);
        panel.table()->setFocus();
        QTest::keyClick(panel.table(), Qt::Key_Delete);
        QTRY_VERIFY(panel.findChild<QMessageBox*>());
        auto* confirm = panel.findChild<QMessageBox*>();
        QVERIFY(confirm->text().contains(u"idle"));
        QCOMPARE(removed.count(), 0); // nothing without confirmation
        confirm->button(QMessageBox::Yes)->click();
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.first().first().toString(), QStringLiteral("idle"));
        QVERIFY(hub.backend(u"idle"_s)); // the panel asks; the window removes
    }

private:
    BackendSettings settings(const QString& id, const QString& cert) const
    {
        BackendSettings s;
        s.id = id;
        s.url = QUrl(QStringLiteral("mqtts://localhost:%1").arg(m_broker.port(Listener::Mtls)));
        s.clientId = QStringLiteral("tst-panel-%1-%2").arg(id).arg(QDateTime::currentMSecsSinceEpoch() % 100000);
        s.tls.caFile = m_broker.pkiPath(u"ca.crt"_s);
        if (!cert.isEmpty()) {
            s.tls.certFile = m_broker.pkiPath(cert + QStringLiteral(".crt"));
            s.tls.keyFile = m_broker.pkiPath(cert + QStringLiteral(".key"));
        }
        s.connectTimeoutMs = 5000;
        s.reconnectMinMs = 200;
        s.reconnectMaxMs = 1000;
        s.subscriptions.append({prefix + QStringLiteral("/+"), PayloadFormat::Json, QStringLiteral("{1}"), 0});
        return s;
    }

    static QByteArray readAll(const QString& path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    static QString certText(QDialog* dialog)
    {
        auto* text = dialog ? dialog->findChild<QPlainTextEdit*>(u"connectionsCertificateText"_s) : nullptr;
        return text ? text->toPlainText() : QString();
    }

    QDir dir() const { return QDir(m_broker.directory()); }

    MosquittoBroker m_broker;
};

QTEST_MAIN(TestConnectionsPanel)
#include "tst_connectionspanel.moc"
