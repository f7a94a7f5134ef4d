// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "telemetry/backendsettings.h"

#include <QDialog>
#include <QHash>
#include <QPointer>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QTableWidget;

namespace twinspect::telemetry {
struct ConnectionSecrets;
struct ConnectionVerdict;
class TelemetryHub;
} // namespace twinspect::telemetry

namespace twinspect::ui {

/// Runs checkMqttConnection(settings, secrets, settings.connectTimeoutMs) (checkHttpsConnection for an
/// HTTPS or WSS backend) on a thread of its own (QThread::create) and calls `done` once in context's
/// thread, unless context is destroyed first.
/// Setting *cancel makes the check return early; the thread deletes itself when it ends.
void checkConnectionInBackground(QObject* context, const telemetry::BackendSettings& settings,
                                 const telemetry::ConnectionSecrets& secrets, std::shared_ptr<std::atomic<bool>> cancel,
                                 std::function<void(const telemetry::ConnectionVerdict&)> done);
/// "OK: <message>" or "REFUSED [<code>]: <message>". Verdict messages never contain secrets.
QString verdictText(const telemetry::ConnectionVerdict& verdict);

/// The settings of one backend. It only collects and checks input: the caller saves (after an
/// electronic signature). OK keeps the dialog open and shows the error next to the field while
/// anything is wrong. Secrets are write-only here: a stored one is never shown, only replaced or forgotten.
/// The Kind combo shows only what the kind uses: MQTT version, client id and subscriptions for MQTT; the poll
/// interval for HTTPS; the token URL, OAuth2 client id, bearer token and client secret for HTTPS and WSS.
/// Field object names (for tests and scripting): backendId, backendName, backendKind, backendUrl,
/// backendPollInterval, backendPassword, backendForgetPassword, backendKeyPassphrase,
/// backendForgetKeyPassphrase, backendTokenUrl, backendOauthClientId, backendToken, backendForgetToken,
/// backendClientSecret, backendForgetClientSecret, backendCaFile, backendCertFile, backendKeyFile,
/// backendCrlFile, backendTrustFile, backendSubscriptions; each file field has a label "<field>Info" under it
/// and each field an error label "<field>Error".
class BackendDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode : quint8
    {
        Add,
        Edit
    };
    /// hub: where a test finds the stored secrets (not owned; may be null). existingIds: ids already
    /// taken, which a new backend must not reuse.
    BackendDialog(Mode mode, telemetry::TelemetryHub* hub, QStringList existingIds, QWidget* parent = nullptr);
    ~BackendDialog() override;

    Mode mode() const { return m_mode; }
    /// Fills the fields. hasPassword / hasKeyPassphrase / hasToken / hasClientSecret: a secret is stored (its
    /// value is not given).
    void setSettings(const telemetry::BackendSettings& settings, bool hasPassword, bool hasKeyPassphrase,
                     bool hasToken = false, bool hasClientSecret = false);
    /// The settings as entered; what the dialog does not show is kept from setSettings().
    telemetry::BackendSettings settings() const;
    /// nullopt: keep what is stored (the field was left empty); an empty string: forget the stored one;
    /// otherwise the new secret.
    std::optional<QString> password() const;
    std::optional<QString> keyPassphrase() const;
    /// The static bearer token ("<id>/token") and the OAuth2 client secret ("<id>/client-secret") of an
    /// HTTPS or WSS backend, as password(). Always nullopt (keep) for an MQTT backend, which uses neither.
    std::optional<QString> token() const;
    std::optional<QString> clientSecret() const;

    /// Checks every field and shows each error next to its field (the first one scrolled to and focused).
    bool validate();
    /// The errors shown now, one per line, each naming its field.
    QString errorText() const;

    /// Checks the unsaved settings with the typed secrets (else the stored ones) on a worker thread.
    void testConnection();
    bool isTesting() const { return m_testing; }
    QString testResultText() const;

    QLineEdit* idField() const { return m_id; }
    QComboBox* kindField() const { return m_kind; }
    QLineEdit* urlField() const { return m_url; }
    QLineEdit* passwordField() const { return m_password; }
    QLineEdit* keyPassphraseField() const { return m_keyPassphrase; }
    QCheckBox* forgetPasswordBox() const { return m_forgetPassword; }
    QCheckBox* forgetKeyPassphraseBox() const { return m_forgetKeyPassphrase; }
    QLineEdit* tokenUrlField() const { return m_tokenUrl; }
    QLineEdit* oauthClientIdField() const { return m_oauthClientId; }
    QLineEdit* tokenField() const { return m_token; }
    QLineEdit* clientSecretField() const { return m_clientSecret; }
    QCheckBox* forgetTokenBox() const { return m_forgetToken; }
    QCheckBox* forgetClientSecretBox() const { return m_forgetClientSecret; }

public Q_SLOTS:
    void accept() override;

Q_SIGNALS:
    /// A test of the unsaved settings finished (for the audit log: code, never a secret).
    void tested(const QString& id, bool ok, const QString& code, const QString& message);

private:
    struct FileField
    {
        QLineEdit* edit = nullptr;
        QLabel* info = nullptr;
    };
    QWidget* buildConnectionGroup();
    QWidget* buildAuthenticationGroup();
    QWidget* buildTlsGroup();
    QWidget* buildSubscriptionsGroup();
    QWidget* buildSignaturesGroup();
    FileField addFileRow(QFormLayout* form, const QString& label, const QString& objectName, const QString& filter,
                         bool certificate);
    void addErrorRow(QFormLayout* form, QWidget* field);
    void addSubscriptionRow(const telemetry::Subscription& subscription);
    void setSecretState(QLineEdit* field, QCheckBox* forget, bool stored);
    void showError(QWidget* field, const QString& message);
    void clearErrors();
    void showVerdict(const telemetry::ConnectionVerdict& verdict);
    telemetry::BackendSettings::Kind kind() const;
    /// Shows the fields the chosen kind uses and hides the others.
    void updateKindFields();

    Mode m_mode;
    QPointer<telemetry::TelemetryHub> m_hub;
    QStringList m_existingIds;
    telemetry::BackendSettings m_base; ///< what setSettings() gave: keeps the fields this dialog does not show

    QLineEdit* m_id;
    QLineEdit* m_name;
    QCheckBox* m_enabled;
    QLineEdit* m_url;
    QComboBox* m_version;
    QLineEdit* m_clientId;
    QSpinBox* m_connectTimeout;
    QSpinBox* m_expectedPeriod;
    QSpinBox* m_queueLimit;
    QLineEdit* m_username;
    QLineEdit* m_password;
    QCheckBox* m_forgetPassword;
    QLineEdit* m_keyPassphrase;
    QCheckBox* m_forgetKeyPassphrase;
    FileField m_caFile;
    QCheckBox* m_useSystemStore;
    FileField m_certFile;
    FileField m_keyFile;
    FileField m_crlFile;
    QCheckBox* m_verifyHostname;
    QTableWidget* m_subscriptions;
    QCheckBox* m_signaturesRequired;
    FileField m_trustFile;
    QScrollArea* m_scroll;
    QHash<QWidget*, QLabel*> m_errorLabels; ///< each field's inline error
    QLabel* m_generalError;
    QPushButton* m_testButton;
    QProgressBar* m_testBusy;
    QLabel* m_testResult;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    bool m_testing = false;
    QComboBox* m_kind;
    QSpinBox* m_pollInterval;
    QLineEdit* m_tokenUrl;
    QLineEdit* m_oauthClientId;
    QLineEdit* m_token;
    QCheckBox* m_forgetToken;
    QLineEdit* m_clientSecret;
    QCheckBox* m_forgetClientSecret;
    QFormLayout* m_connectionForm = nullptr;
    QFormLayout* m_authForm = nullptr;
    QWidget* m_subscriptionsGroup = nullptr;
    bool m_hasToken = false;        ///< a bearer token is stored (its forget box is offered)
    bool m_hasClientSecret = false; ///< an OAuth2 client secret is stored
};

} // namespace twinspect::ui
