// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "audit/auditentry.h"
#include "crypto/sha256.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace twinspect::audit {

/// The signed, tamper-evident audit log (docs/audit-format.md). One writer thread owns the
/// SQLite file and the checkpoint key; callers only queue events, so the GUI never waits on
/// the disk. Entries are committed in groups (one durable transaction per batch) and sealed by
/// an Ed25519 checkpoint at most ~1 s after they were committed, on request, on heartbeat when
/// idle, and at clean shutdown. Every checkpoint key signs once, names its successor and is
/// then replaced on disk (forward security).
///
/// Threading: every public method is thread-safe. Signals are emitted from the writer thread;
/// connect with the default (queued) connection from GUI objects.
/// Failure: when the log cannot be written (disk full, read-only, key missing, corrupted tail)
/// the state turns Failed within a health-check interval, append() refuses events (fail
/// closed: callers must refuse the action), and once writing works again an audit.gap entry
/// records the outage and how many events were refused.
class AuditLog : public QObject
{
    Q_OBJECT
public:
    enum class State { Opening, Ready, Failed, Closed };
    Q_ENUM(State)

    struct Options
    {
        QString databasePath;
        QString keyPath;        ///< default: databasePath + ".key"
        QString origin;         ///< default: "twinspect/" + host name (used when the log is created)
        int sealIntervalMs = 900;   ///< longest time a committed entry waits for a checkpoint
        int heartbeatMs = 300000;   ///< checkpoint when idle this long
        int healthCheckMs = 500;    ///< how often an idle writer checks it still can write
        std::function<qint64()> clock; ///< ms since the epoch, UTC; default: the system clock
        int maxPageCount = 0;       ///< tests only: cap the file size to simulate a full disk
    };

    explicit AuditLog(Options options, QObject* parent = nullptr);
    /// Seals what is committed and stops the writer (clean shutdown); waits for it briefly.
    ~AuditLog() override;

    State state() const;
    QString problem() const;
    bool isWritable() const { return state() == State::Ready; }

    /// Queues an event. Returns false and records nothing when the log cannot be written, or the
    /// action is not in the catalogue: the caller must then refuse the action.
    bool append(const AuditEvent& event);
    /// Asks for a checkpoint as soon as the queue is committed (login, logout, lock, e-signature).
    void requestSeal();
    /// Blocks until everything appended before the call is committed and sealed, or the timeout.
    /// For the command line, tests and shutdown; never call it on the GUI thread.
    bool waitSealed(int timeoutMs);
    /// Blocks until everything appended before the call is durably committed (not yet sealed).
    bool waitCommitted(int timeoutMs);
    /// Blocks until the writer has opened (or failed to open) the log.
    bool waitOpened(int timeoutMs);

    quint64 committedCount() const;
    quint64 sealedCount() const;
    QString origin() const;
    /// The epoch-0 public key auditors keep (PEM); also written beside the log at enrolment.
    QByteArray enrolmentPublicKeyPem() const;
    Options options() const;

Q_SIGNALS:
    void stateChanged(twinspect::audit::AuditLog::State state, const QString& problem);
    void committed(quint64 count);
    void sealed(quint64 size, quint64 epoch);

private:
    struct Writer;
    std::unique_ptr<Writer> d;
};

/// Enrolment record helpers shared with the verifier.
crypto::Digest genesisHash(const QByteArray& enrolmentRecord);
crypto::Digest chainHash(crypto::Sha256& sha, quint64 seq, const crypto::Digest& previous, const crypto::Digest& bodyHash);

} // namespace twinspect::audit
