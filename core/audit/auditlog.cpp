// SPDX-License-Identifier: Apache-2.0
#include "auditlog.h"

#include "audit/auditdatabase.h"
#include "audit/checkpoint.h"
#include "audit/keystore.h"
#include "audit/merkle.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSaveFile>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

Q_LOGGING_CATEGORY(lcAudit, "twinspect.audit")

namespace twinspect::audit {

namespace {

constexpr char kGenesisDomain[] = "twinspect-audit-genesis v1\n";
constexpr char kChainDomain[] = "twinspect-audit-chain v1\n";
constexpr int kMaxBatch = 20000;

struct Pending
{
    AuditEvent event;
    qint64 timeMs = 0;
};

QByteArray le64(quint64 v)
{
    QByteArray out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    return out;
}

} // namespace

crypto::Digest genesisHash(const QByteArray& enrolmentRecord)
{
    crypto::Sha256 sha;
    return sha.add(QByteArrayView(kGenesisDomain)).add(enrolmentRecord).finish();
}

crypto::Digest chainHash(crypto::Sha256& sha, quint64 seq, const crypto::Digest& previous, const crypto::Digest& bodyHash)
{
    return sha.add(QByteArrayView(kChainDomain)).add(le64(seq)).add(previous).add(bodyHash).finish();
}

struct AuditLog::Writer
{
    AuditLog* owner = nullptr;
    Options options;

    // Shared with callers, under `mutex`.
    mutable std::mutex mutex;
    std::condition_variable wake;     // the writer waits on this
    std::condition_variable progress; // callers waiting for open/seal wait on this
    std::deque<Pending> queue;
    State state = State::Opening;
    QString problem;
    bool stopping = false;
    bool sealRequested = false;
    bool opened = false;
    quint64 accepted = 0; // events accepted so far (committed + queued)
    quint64 committed = 0;
    quint64 sealed = 0;
    quint64 refusedDuringOutage = 0;
    qint64 outageSinceMs = 0;
    QString origin;
    QByteArray enrolmentPem;

    // Writer thread only.
    std::thread thread;
    AuditDatabase db;
    std::unique_ptr<KeyStore> keys;
    std::optional<EpochKey> currentKey;
    crypto::Sha256 sha;
    CompactRange tree;
    crypto::Digest chainHead{};
    qint64 firstUnsealedAtMs = 0;
    qint64 lastCheckpointAtMs = 0;
    qint64 lastHealthCheckMs = 0;
    bool promotePending = false;   // a checkpoint committed but its key file was not replaced yet
    bool checkpointedThisRun = false;

    qint64 now() const { return options.clock ? options.clock() : QDateTime::currentMSecsSinceEpoch(); }

    void setState(State newState, const QString& why)
    {
        {
            std::lock_guard lock(mutex);
            if (state == newState && problem == why)
                return;
            if (newState == State::Failed && state != State::Failed)
                outageSinceMs = now();
            state = newState;
            problem = why;
        }
        progress.notify_all();
        if (newState == State::Failed)
            qCWarning(lcAudit) << "audit log unavailable:" << why;
        Q_EMIT owner->stateChanged(newState, why);
    }

    Result<bool> enrol()
    {
        {
            std::lock_guard lock(mutex);
            origin = options.origin.isEmpty() ? QStringLiteral("twinspect/") + QHostInfo::localHostName() : options.origin;
        }
        QByteArray random(16, '\0');
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(random.data()), 4);
        const QByteArray logId = random.toHex();
        EpochKey first{0, crypto::Ed25519Key::generate()};
        const QByteArray record = "twinspect-audit-enrolment v1\norigin " + origin.toUtf8() + "\nlog " + logId +
                                  "\ncreated " + isoTime(now()).toUtf8() + "\nkey " + first.key.rawPublic().toBase64() +
                                  "\n";
        if (Result<bool> r = keys->write(first); !r)
            return r;
        if (Result<bool> r = db.setMeta({{QStringLiteral("enrolment"), record},
                                         {QStringLiteral("format"), QByteArray("twinspect-audit v1")}});
            !r)
            return r;
        // Auditors keep this key: it is the root of trust for every later checkpoint.
        QSaveFile pem(options.databasePath + QStringLiteral(".enrolment.pem"));
        const QByteArray publicPem = first.key.publicPem();
        if (!pem.open(QIODevice::WriteOnly) || pem.write(publicPem) != publicPem.size() || !pem.commit())
            return Error{QStringLiteral("audit.enrol"), QStringLiteral("cannot write %1").arg(pem.fileName())};
        chainHead = genesisHash(record);
        currentKey = std::move(first);
        {
            std::lock_guard lock(mutex);
            enrolmentPem = publicPem;
        }
        AuditEvent enrolEvent;
        enrolEvent.operatorName = QStringLiteral("system");
        enrolEvent.role = QStringLiteral("system");
        enrolEvent.action = QStringLiteral("audit.enrol");
        enrolEvent.target = options.databasePath;
        enrolEvent.details = QJsonObject{{QStringLiteral("log"), QString::fromLatin1(logId)},
                                         {QStringLiteral("key"), QString::fromLatin1(currentKey->key.rawPublic().toBase64())}};
        {
            std::lock_guard lock(mutex);
            ++accepted;
        }
        return writeEntries({Pending{enrolEvent, now()}});
    }

    /// Reopens an existing log: checks the sealed state and the unsealed tail, and finds the key.
    Result<bool> recover(const QByteArray& record)
    {
        const QList<QByteArray> lines = record.split('\n');
        {
            std::lock_guard lock(mutex);
            origin = lines.size() > 1 && lines.at(1).startsWith("origin ") ? QString::fromUtf8(lines.at(1).mid(7)) : QString();
        }
        const QByteArray rawKey0 = lines.size() > 4 && lines.at(4).startsWith("key ")
                                       ? QByteArray::fromBase64(lines.at(4).mid(4)) : QByteArray();
        if (Result<crypto::Ed25519Key> key0 = crypto::Ed25519Key::fromRawPublic(rawKey0); key0) {
            std::lock_guard lock(mutex);
            enrolmentPem = key0.value().publicPem();
        }
        chainHead = genesisHash(record);
        quint64 from = 0;
        quint64 expectedEpoch = 0;
        QByteArray expectedKey = rawKey0;
        if (const std::optional<StoredCheckpoint> last = db.lastCheckpoint()) {
            const Result<Checkpoint> cp = Checkpoint::parseBody(last->body);
            if (!cp || cp.value().epoch != last->epoch || !tree.restore(last->size, last->frontier) ||
                tree.root(sha) != cp.value().root)
                return Error{QStringLiteral("audit.corrupt"),
                             QStringLiteral("the last checkpoint (epoch %1) does not match its stored tree state; "
                                            "verify the log with twinspect-audit").arg(last->epoch)};
            chainHead = cp.value().chainHead;
            from = last->size;
            expectedEpoch = last->epoch + 1;
            expectedKey = cp.value().nextKey;
            lastCheckpointAtMs = now();
        }
        // The unsealed tail: recompute its chain; stored values that differ mean tampering or damage.
        quint64 expectedSeq = from;
        QString tailProblem;
        Result<bool> read = db.forEachEntry(from, [&](const EntryRow& row) {
            const crypto::Digest next = chainHash(sha, row.seq, chainHead, crypto::Sha256::hash(row.body));
            if (row.seq != expectedSeq || crypto::toBytes(next) != row.chain) {
                tailProblem = QStringLiteral("entry %1 of the unsealed tail does not match its chain").arg(row.seq);
                return false;
            }
            chainHead = next;
            tree.append(sha, leafHash(sha, row.body));
            ++expectedSeq;
            return true;
        });
        if (!read)
            return read;
        if (!tailProblem.isEmpty())
            return Error{QStringLiteral("audit.corrupt"), tailProblem + QStringLiteral("; verify the log with twinspect-audit")};
        {
            std::lock_guard lock(mutex);
            committed = accepted = sealed = expectedSeq;
            sealed = from;
        }
        if (expectedSeq > from)
            firstUnsealedAtMs = now();

        Result<EpochKey> key = keys->load();
        if (key && key.value().epoch + 1 == expectedEpoch) {
            // A crash between committing a checkpoint and replacing the key file: finish the job.
            Result<EpochKey> staged = keys->loadNext();
            if (staged && staged.value().epoch == expectedEpoch && staged.value().key.rawPublic() == expectedKey) {
                if (Result<bool> promoted = keys->promoteNext(); !promoted)
                    return promoted;
                key = std::move(staged);
            }
        }
        if (!key)
            return key.error();
        if (key.value().epoch != expectedEpoch || key.value().key.rawPublic() != expectedKey)
            return Error{QStringLiteral("audit.key"),
                         QStringLiteral("the audit key file is for epoch %1 but the log expects epoch %2; the log can "
                                        "be verified but not continued with this key")
                             .arg(key.value().epoch)
                             .arg(expectedEpoch)};
        keys->discardNext();
        currentKey = std::move(key).value();
        return true;
    }

    Result<bool> openLog()
    {
        if (Result<bool> r = db.open(options.databasePath, AuditDatabase::Mode::ReadWrite); !r)
            return r;
        if (options.maxPageCount > 0)
            db.setMaxPageCount(options.maxPageCount);
        keys = std::make_unique<KeyStore>(options.keyPath.isEmpty() ? options.databasePath + QStringLiteral(".key")
                                                                     : options.keyPath);
        const std::optional<QByteArray> record = db.meta(QStringLiteral("enrolment"));
        return record ? recover(*record) : enrol();
    }

    Result<bool> writeEntries(const std::vector<Pending>& batch)
    {
        QList<EntryRow> rows;
        rows.reserve(static_cast<qsizetype>(batch.size()));
        quint64 seq = 0;
        {
            std::lock_guard lock(mutex);
            seq = committed;
        }
        crypto::Digest head = chainHead;
        for (const Pending& p : batch) {
            EntryRow row;
            row.seq = seq++;
            row.body = canonicalEntry(row.seq, p.timeMs, origin, p.event);
            head = chainHash(sha, row.seq, head, crypto::Sha256::hash(row.body));
            row.chain = crypto::toBytes(head);
            row.timeMs = p.timeMs;
            row.operatorName = p.event.operatorName;
            row.role = p.event.role;
            row.action = p.event.action;
            row.target = p.event.target;
            row.outcome = p.event.outcome;
            rows.append(std::move(row));
        }
        if (Result<bool> r = db.appendEntries(rows); !r)
            return r;
        // Only after the commit is durable does the in-memory state move on.
        chainHead = head;
        for (const EntryRow& row : rows)
            tree.append(sha, leafHash(sha, row.body));
        quint64 total = 0;
        {
            std::lock_guard lock(mutex);
            committed += static_cast<quint64>(rows.size());
            total = committed;
        }
        if (firstUnsealedAtMs == 0)
            firstUnsealedAtMs = now();
        progress.notify_all();
        Q_EMIT owner->committed(total);
        return true;
    }

    Result<bool> writeCheckpoint()
    {
        if (!currentKey)
            return Error{QStringLiteral("audit.key"), QStringLiteral("no audit key")};
        if (!QFile::exists(keys->path()))
            return Error{QStringLiteral("key.missing"), QStringLiteral("the audit key file %1 is missing").arg(keys->path())};
        // Finish an earlier replacement first: staging would overwrite the only copy of this key.
        if (promotePending) {
            if (Result<bool> r = keys->promoteNext(); !r)
                return r;
            promotePending = false;
        }
        EpochKey next{currentKey->epoch + 1, crypto::Ed25519Key::generate()};
        Checkpoint cp;
        cp.origin = origin;
        cp.size = tree.size();
        cp.root = tree.root(sha);
        cp.chainHead = chainHead;
        cp.epoch = currentKey->epoch;
        cp.time = isoTime(now());
        cp.nextKey = next.key.rawPublic();
        const QByteArray body = cp.body();
        const QByteArray signature = currentKey->key.sign(body);
        // Order matters for crash safety: stage the next key, commit the checkpoint, then replace
        // the key file. Reopening finishes an interrupted replacement (see recover()).
        if (Result<bool> r = keys->stageNext(next); !r)
            return r;
        if (Result<bool> r = db.appendCheckpoint({cp.epoch, cp.size, body, signature, tree.serialise()}); !r) {
            keys->discardNext();
            return r;
        }
        // The checkpoint is durable: epoch k is spent whatever happens to the key file next.
        currentKey = std::move(next);
        firstUnsealedAtMs = 0;
        lastCheckpointAtMs = now();
        checkpointedThisRun = true;
        {
            std::lock_guard lock(mutex);
            sealed = cp.size;
            sealRequested = false;
        }
        if (Result<bool> r = keys->promoteNext(); !r) {
            promotePending = true; // retried before the next checkpoint; reopening also repairs it
            return r;
        }
        progress.notify_all();
        Q_EMIT owner->sealed(cp.size, cp.epoch);
        return true;
    }

    Result<bool> healthCheck()
    {
        if (!QFile::exists(options.databasePath))
            return Error{QStringLiteral("audit.missing"), QStringLiteral("the audit log file %1 is gone").arg(options.databasePath)};
        if (!QFile::exists(keys->path()))
            return Error{QStringLiteral("key.missing"), QStringLiteral("the audit key file %1 is missing").arg(keys->path())};
        QFile probe(options.databasePath);
        if (!probe.open(QIODevice::ReadWrite))
            return Error{QStringLiteral("audit.readonly"),
                         QStringLiteral("the audit log file %1 cannot be written: %2").arg(options.databasePath, probe.errorString())};
        return true;
    }

    void recordGap(qint64 until)
    {
        quint64 refused = 0;
        qint64 since = 0;
        {
            std::lock_guard lock(mutex);
            refused = refusedDuringOutage;
            since = outageSinceMs;
            refusedDuringOutage = 0;
        }
        AuditEvent gap;
        gap.operatorName = QStringLiteral("system");
        gap.role = QStringLiteral("system");
        gap.action = QStringLiteral("audit.gap");
        gap.outcome = QStringLiteral("failure");
        gap.reason = problem;
        gap.details = QJsonObject{{QStringLiteral("from"), isoTime(since)},
                                  {QStringLiteral("to"), isoTime(until)},
                                  {QStringLiteral("refused"), static_cast<qint64>(refused)}};
        {
            std::lock_guard lock(mutex);
            queue.push_back(Pending{gap, until}); // after the events kept through the outage
            ++accepted;
        }
    }

    void run()
    {
        Result<bool> opened = openLog();
        {
            std::lock_guard lock(mutex);
            this->opened = true;
        }
        if (!opened)
            setState(State::Failed, opened.error().message);
        else
            setState(State::Ready, {});
        while (true) {
            std::vector<Pending> batch;
            bool stop = false;
            bool seal = false;
            {
                std::unique_lock lock(mutex);
                wake.wait_for(lock, std::chrono::milliseconds(std::max(10, options.healthCheckMs / 2)), [this] {
                    return stopping || sealRequested || (!queue.empty() && state == State::Ready);
                });
                stop = stopping;
                seal = sealRequested;
                const bool ready = state == State::Ready;
                if (ready || stop) {
                    const size_t n = std::min(queue.size(), size_t(kMaxBatch));
                    batch.assign(std::make_move_iterator(queue.begin()),
                                 std::make_move_iterator(queue.begin() + static_cast<long>(n)));
                    queue.erase(queue.begin(), queue.begin() + static_cast<long>(n));
                }
            }
            if (!currentKey) {
                if (stop)
                    break;
                continue; // never opened; stays Failed
            }
            const qint64 t = now();
            if (state == State::Failed) {
                // Retry the kept events as the health check: writing is the only real proof.
                if (t - lastHealthCheckMs >= options.healthCheckMs) {
                    lastHealthCheckMs = t;
                    std::vector<Pending> kept;
                    {
                        std::lock_guard lock(mutex);
                        const size_t n = std::min(queue.size(), size_t(kMaxBatch));
                        kept.assign(std::make_move_iterator(queue.begin()),
                                    std::make_move_iterator(queue.begin() + static_cast<long>(n)));
                        queue.erase(queue.begin(), queue.begin() + static_cast<long>(n));
                    }
                    Result<bool> r = healthCheck();
                    if (r && !kept.empty())
                        r = writeEntries(kept);
                    if (r) {
                        recordGap(t);
                        setState(State::Ready, {});
                    } else {
                        std::lock_guard lock(mutex);
                        for (auto it = kept.rbegin(); it != kept.rend(); ++it)
                            queue.push_front(std::move(*it));
                    }
                }
                if (stop) {
                    std::lock_guard lock(mutex);
                    if (!queue.empty())
                        qCCritical(lcAudit) << queue.size() << "audit events could not be written before shutdown";
                    break;
                }
                continue;
            }
            if (!batch.empty()) {
                if (Result<bool> r = writeEntries(batch); !r) {
                    // Keep them: they were accepted, so they are written once the log recovers.
                    {
                        std::lock_guard lock(mutex);
                        for (auto it = batch.rbegin(); it != batch.rend(); ++it)
                            queue.push_front(std::move(*it));
                    }
                    setState(State::Failed, r.error().message);
                    if (stop)
                        break;
                    continue;
                }
            }
            quint64 committedNow = 0;
            quint64 sealedNow = 0;
            bool more = false;
            {
                std::lock_guard lock(mutex);
                committedNow = committed;
                sealedNow = sealed;
                more = !queue.empty();
            }
            const bool unsealed = committedNow > sealedNow;
            const bool due = (unsealed && (seal || t - firstUnsealedAtMs >= options.sealIntervalMs)) ||
                             (options.heartbeatMs > 0 && t - lastCheckpointAtMs >= options.heartbeatMs) ||
                             (stop && !more && (unsealed || !checkpointedThisRun));
            if (due) {
                if (Result<bool> r = writeCheckpoint(); !r)
                    setState(State::Failed, r.error().message);
            }
            if (state == State::Ready && batch.empty() && t - lastHealthCheckMs >= options.healthCheckMs) {
                lastHealthCheckMs = t;
                if (Result<bool> r = healthCheck(); !r)
                    setState(State::Failed, r.error().message);
            }
            if (stop && !more)
                break;
        }
        db.close();
        setState(State::Closed, {});
    }
};

AuditLog::AuditLog(Options options, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Writer>())
{
    qRegisterMetaType<twinspect::audit::AuditLog::State>();
    d->owner = this;
    d->options = std::move(options);
    d->thread = std::thread([this] { d->run(); });
}

AuditLog::~AuditLog()
{
    {
        std::lock_guard lock(d->mutex);
        d->stopping = true;
    }
    d->wake.notify_all();
    if (d->thread.joinable())
        d->thread.join();
}

AuditLog::State AuditLog::state() const
{
    std::lock_guard lock(d->mutex);
    return d->state;
}

QString AuditLog::problem() const
{
    std::lock_guard lock(d->mutex);
    return d->problem;
}

bool AuditLog::append(const AuditEvent& event)
{
    if (!isKnownAction(event.action))
        return false;
    const qint64 t = d->now();
    {
        std::lock_guard lock(d->mutex);
        if (d->stopping || d->state == State::Failed || d->state == State::Closed) {
            if (d->state == State::Failed)
                ++d->refusedDuringOutage;
            return false;
        }
        d->queue.push_back(Pending{event, t});
        ++d->accepted;
    }
    d->wake.notify_one();
    return true;
}

void AuditLog::requestSeal()
{
    {
        std::lock_guard lock(d->mutex);
        d->sealRequested = true;
    }
    d->wake.notify_one();
}

bool AuditLog::waitSealed(int timeoutMs)
{
    std::unique_lock lock(d->mutex);
    const quint64 target = d->accepted;
    d->sealRequested = true;
    d->wake.notify_one();
    return d->progress.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] {
        return d->sealed >= target || d->state == State::Failed || d->state == State::Closed;
    }) && d->sealed >= target;
}

bool AuditLog::waitCommitted(int timeoutMs)
{
    std::unique_lock lock(d->mutex);
    const quint64 target = d->accepted;
    return d->progress.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] {
        return d->committed >= target || d->state == State::Failed || d->state == State::Closed;
    }) && d->committed >= target;
}

bool AuditLog::waitOpened(int timeoutMs)
{
    std::unique_lock lock(d->mutex);
    return d->progress.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return d->opened; });
}

quint64 AuditLog::committedCount() const
{
    std::lock_guard lock(d->mutex);
    return d->committed;
}

quint64 AuditLog::sealedCount() const
{
    std::lock_guard lock(d->mutex);
    return d->sealed;
}

QString AuditLog::origin() const
{
    std::lock_guard lock(d->mutex);
    return d->origin;
}

QByteArray AuditLog::enrolmentPublicKeyPem() const
{
    std::lock_guard lock(d->mutex);
    return d->enrolmentPem;
}

AuditLog::Options AuditLog::options() const
{
    return d->options;
}

} // namespace twinspect::audit
