// SPDX-License-Identifier: Apache-2.0
// twinspect-audit: verify, export, list and append to a Twinspect audit log (docs/cli.md, docs/audit-format.md).
#include "audit/auditdatabase.h"
#include "audit/auditentry.h"
#include "audit/auditexport.h"
#include "audit/auditlog.h"
#include "audit/auditverifier.h"
#include "audit/checkpoint.h"
#include "crypto/ed25519.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cstdio>
#include <pwd.h>
#include <unistd.h>

using namespace twinspect::audit;
using twinspect::Result;

namespace {

constexpr int kUsage = 2;

void out(const QString& text)
{
    std::fputs(qPrintable(text + QLatin1Char('\n')), stdout);
}

int fail(const QString& text, int code = 1)
{
    std::fputs(qPrintable(QStringLiteral("twinspect-audit: ") + text + QLatin1Char('\n')), stderr);
    return code;
}

std::optional<QByteArray> readFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    return file.readAll();
}

/// Accepts ISO 8601 (2026-11-26T10:00:00Z, a date alone) and returns ms since the epoch.
std::optional<qint64> parseTime(const QString& text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid())
        return std::nullopt;
    if (t.timeSpec() == Qt::LocalTime && !text.contains(QLatin1Char('+')))
        t.setTimeSpec(Qt::UTC);
    return t.toMSecsSinceEpoch();
}

QString currentUser()
{
    if (const passwd* pw = ::getpwuid(::geteuid()))
        return QString::fromLocal8Bit(pw->pw_name);
    return QStringLiteral("uid-%1").arg(::geteuid());
}

struct FilterOptions
{
    QCommandLineOption since{QStringLiteral("since"), QStringLiteral("Entries at or after this UTC time."), QStringLiteral("T")};
    QCommandLineOption until{QStringLiteral("until"), QStringLiteral("Entries at or before this UTC time."), QStringLiteral("T")};
    QCommandLineOption op{QStringLiteral("operator"), QStringLiteral("Entries by this operator."), QStringLiteral("U")};
    QCommandLineOption action{QStringLiteral("action"), QStringLiteral("Entries with this action."), QStringLiteral("A")};
    QCommandLineOption target{QStringLiteral("target"), QStringLiteral("Entries whose target contains this."), QStringLiteral("T")};
    QCommandLineOption text{QStringLiteral("text"), QStringLiteral("Entries containing this text."), QStringLiteral("S")};

    void addTo(QCommandLineParser& parser) const { parser.addOptions({since, until, op, action, target, text}); }

    std::optional<AuditDatabase::Filter> read(const QCommandLineParser& parser, QString& error) const
    {
        AuditDatabase::Filter f;
        for (const auto& [option, field] : {std::pair{&since, &f.sinceMs}, std::pair{&until, &f.untilMs}}) {
            if (parser.isSet(*option)) {
                *field = parseTime(parser.value(*option));
                if (!*field) {
                    error = QStringLiteral("--%1 takes an ISO 8601 time, e.g. 2026-11-26T08:00:00Z").arg(option->names().first());
                    return std::nullopt;
                }
            }
        }
        f.operatorName = parser.value(op);
        f.action = parser.value(action);
        f.target = parser.value(target);
        f.text = parser.value(text);
        return f;
    }
};

int verify(QCommandLineParser& parser, const QStringList& args)
{
    const QCommandLineOption pubkey(QStringLiteral("pubkey"), QStringLiteral("The enrolment public key (PEM) to trust."),
                                    QStringLiteral("PEM"));
    const QCommandLineOption anchor(QStringLiteral("anchor"),
                                    QStringLiteral("A signed checkpoint kept outside the log (from 'anchor')."),
                                    QStringLiteral("CHECKPOINT"));
    parser.addOptions({pubkey, anchor});
    parser.addPositionalArgument(QStringLiteral("LOG"), QStringLiteral("Audit log file, or a JSONL export."));
    parser.process(args);
    if (parser.positionalArguments().size() != 2)
        return fail(QStringLiteral("verify takes one log file"), kUsage);
    const QString path = parser.positionalArguments().at(1);
    VerifyOptions options;
    if (parser.isSet(pubkey)) {
        options.trustedKeyPem = readFile(parser.value(pubkey));
        if (!options.trustedKeyPem)
            return fail(QStringLiteral("cannot read the key %1").arg(parser.value(pubkey)), kUsage);
    }
    if (parser.isSet(anchor)) {
        options.anchorText = readFile(parser.value(anchor));
        if (!options.anchorText)
            return fail(QStringLiteral("cannot read the anchor %1").arg(parser.value(anchor)), kUsage);
    }
    const std::optional<QByteArray> head = [&]() -> std::optional<QByteArray> {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return std::nullopt;
        return f.read(64);
    }();
    if (!head)
        return fail(QStringLiteral("cannot read %1").arg(path), kUsage);
    const bool isExport = head->startsWith("{\"enrolment\":");
    if (isExport) {
        QFile f(path);
        f.open(QIODevice::ReadOnly);
        if (f.readLine().contains("\"filtered\":true")) {
            const Result<quint64> proven = verifyFilteredExport(path, options.trustedKeyPem.value_or(QByteArray()),
                                                                options.anchorText.value_or(QByteArray()));
            if (!proven) {
                if (proven.error().code == QLatin1String("unreadable"))
                    return fail(proven.error().message, kUsage);
                out(QStringLiteral("TAMPERED (%1): %2").arg(proven.error().code, proven.error().message));
                return 1;
            }
            out(QStringLiteral("INTACT: %1 entries proven included in the last checkpoint of the filtered export.")
                    .arg(proven.value()));
            return 0;
        }
    }
    const VerifyReport report = isExport ? verifyExport(path, options) : verifyDatabase(path, options);
    out(report.summary());
    if (report.problem && report.problem->kind == VerifyProblem::Kind::Unreadable)
        return kUsage;
    return report.intact() ? 0 : 1;
}

int exportCommand(QCommandLineParser& parser, const QStringList& args)
{
    const QCommandLineOption output(QStringLiteral("out"), QStringLiteral("Output file."), QStringLiteral("FILE"));
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("jsonl (verifiable) or csv."),
                                    QStringLiteral("FORMAT"), QStringLiteral("jsonl"));
    FilterOptions filters;
    parser.addOptions({output, format});
    filters.addTo(parser);
    parser.process(args);
    if (parser.positionalArguments().size() != 2 || !parser.isSet(output))
        return fail(QStringLiteral("usage: export LOG --out FILE [--format jsonl|csv] [filters]"), kUsage);
    const QString fmt = parser.value(format);
    if (fmt != QLatin1String("jsonl") && fmt != QLatin1String("csv"))
        return fail(QStringLiteral("--format is jsonl or csv"), kUsage);
    QString error;
    const std::optional<AuditDatabase::Filter> filter = filters.read(parser, error);
    if (!filter)
        return fail(error, kUsage);
    const Result<ExportSummary> summary =
        exportLog(parser.positionalArguments().at(1), parser.value(output),
                  fmt == QLatin1String("csv") ? ExportFormat::Csv : ExportFormat::Jsonl, *filter);
    if (!summary)
        return fail(summary.error().message);
    out(QStringLiteral("exported %1 entries and %2 checkpoints to %3%4")
            .arg(summary.value().entries)
            .arg(summary.value().checkpoints)
            .arg(parser.value(output),
                 summary.value().filtered ? QStringLiteral(" (filtered: entries carry inclusion proofs)") : QString()));
    return 0;
}

int list(QCommandLineParser& parser, const QStringList& args)
{
    FilterOptions filters;
    filters.addTo(parser);
    parser.process(args);
    if (parser.positionalArguments().size() != 2)
        return fail(QStringLiteral("usage: list LOG [filters]"), kUsage);
    QString error;
    const std::optional<AuditDatabase::Filter> filter = filters.read(parser, error);
    if (!filter)
        return fail(error, kUsage);
    AuditDatabase db;
    if (Result<bool> opened = db.open(parser.positionalArguments().at(1), AuditDatabase::Mode::ReadOnly); !opened)
        return fail(opened.error().message, kUsage);
    out(QStringLiteral("%1  %2  %3  %4  %5  %6  %7")
            .arg(QStringLiteral("SEQ"), 7)
            .arg(QStringLiteral("TIME (UTC)"), -24)
            .arg(QStringLiteral("OPERATOR"), -12)
            .arg(QStringLiteral("ACTION"), -20)
            .arg(QStringLiteral("OUTCOME"), -8)
            .arg(QStringLiteral("TARGET"), -24)
            .arg(QStringLiteral("REASON")));
    Result<bool> r = db.forEachMatching(*filter, [](const EntryRow& row) {
        const Result<AuditRecord> rec = parseEntry(row.body);
        const QString reason = rec ? rec.value().event.reason : QString();
        out(QStringLiteral("%1  %2  %3  %4  %5  %6  %7")
                .arg(row.seq, 7)
                .arg(isoTime(row.timeMs), -24)
                .arg(row.operatorName, -12)
                .arg(row.action, -20)
                .arg(row.outcome, -8)
                .arg(row.target, -24)
                .arg(reason));
        return true;
    });
    return r ? 0 : fail(r.error().message);
}

int pubkey(QCommandLineParser& parser, const QStringList& args)
{
    parser.process(args);
    if (parser.positionalArguments().size() != 2)
        return fail(QStringLiteral("usage: pubkey LOG"), kUsage);
    AuditDatabase db;
    if (Result<bool> opened = db.open(parser.positionalArguments().at(1), AuditDatabase::Mode::ReadOnly); !opened)
        return fail(opened.error().message, kUsage);
    const std::optional<QByteArray> record = db.meta(QStringLiteral("enrolment"));
    const QList<QByteArray> lines = record ? record->split('\n') : QList<QByteArray>();
    if (lines.size() < 5 || !lines.at(4).startsWith("key "))
        return fail(QStringLiteral("no enrolment record in the log"), kUsage);
    const Result<twinspect::crypto::Ed25519Key> key =
        twinspect::crypto::Ed25519Key::fromRawPublic(QByteArray::fromBase64(lines.at(4).mid(4)));
    if (!key)
        return fail(key.error().message);
    std::fputs(key.value().publicPem().constData(), stdout);
    return 0;
}

int anchor(QCommandLineParser& parser, const QStringList& args)
{
    const QCommandLineOption output(QStringLiteral("out"), QStringLiteral("Where to write the signed checkpoint."),
                                    QStringLiteral("FILE"));
    parser.addOption(output);
    parser.process(args);
    if (parser.positionalArguments().size() != 2 || !parser.isSet(output))
        return fail(QStringLiteral("usage: anchor LOG --out FILE"), kUsage);
    AuditDatabase db;
    if (Result<bool> opened = db.open(parser.positionalArguments().at(1), AuditDatabase::Mode::ReadOnly); !opened)
        return fail(opened.error().message, kUsage);
    const std::optional<StoredCheckpoint> last = db.lastCheckpoint();
    if (!last)
        return fail(QStringLiteral("the log has no checkpoint yet"));
    QSaveFile file(parser.value(output));
    const QByteArray text = SignedCheckpoint{last->body, last->signature}.toText();
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit())
        return fail(QStringLiteral("cannot write %1").arg(parser.value(output)));
    out(QStringLiteral("checkpoint epoch %1 (%2 entries) written to %3; keep it somewhere the workstation cannot change")
            .arg(last->epoch)
            .arg(last->size)
            .arg(parser.value(output)));
    return 0;
}

int append(QCommandLineParser& parser, const QStringList& args)
{
    const QCommandLineOption action(QStringLiteral("action"), QStringLiteral("Action (default: note)."),
                                    QStringLiteral("A"), QStringLiteral("note"));
    const QCommandLineOption target(QStringLiteral("target"), QStringLiteral("What the entry is about."), QStringLiteral("T"));
    const QCommandLineOption reason(QStringLiteral("reason"), QStringLiteral("Why."), QStringLiteral("R"));
    const QCommandLineOption details(QStringLiteral("details"), QStringLiteral("A JSON object."), QStringLiteral("JSON"));
    const QCommandLineOption op(QStringLiteral("operator"), QStringLiteral("Who (default: the current user)."),
                                QStringLiteral("U"));
    parser.addOptions({action, target, reason, details, op});
    parser.process(args);
    if (parser.positionalArguments().size() != 2 || !parser.isSet(target))
        return fail(QStringLiteral("usage: append LOG --action note --target T [--reason R] [--details JSON]"), kUsage);
    AuditEvent event;
    event.action = parser.value(action);
    if (!isKnownAction(event.action))
        return fail(QStringLiteral("unknown action '%1' (see docs/audit-format.md for the catalogue)").arg(event.action), kUsage);
    event.target = parser.value(target);
    event.reason = parser.value(reason);
    event.operatorName = parser.isSet(op) ? parser.value(op) : currentUser();
    event.role = QStringLiteral("script");
    if (parser.isSet(details)) {
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(parser.value(details).toUtf8(), &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            return fail(QStringLiteral("--details must be a JSON object: %1").arg(error.errorString()), kUsage);
        event.details = doc.object();
    }
    AuditLog log(AuditLog::Options{parser.positionalArguments().at(1), {}, {}, 900, 300000, 500, {}, 0});
    if (!log.waitOpened(30000) || log.state() != AuditLog::State::Ready)
        return fail(QStringLiteral("the audit log cannot be written: ") + log.problem());
    if (!log.append(event) || !log.waitSealed(30000))
        return fail(QStringLiteral("the entry could not be recorded: ") + log.problem());
    out(QStringLiteral("recorded entry %1, sealed by a checkpoint").arg(log.committedCount() - 1));
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("twinspect-audit"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TWINSPECT_VERSION));
    QStringList args = QCoreApplication::arguments();
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Verify, export, list and append to a Twinspect audit log.\n\n"
        "Commands:\n"
        "  verify LOG [--pubkey PEM] [--anchor CHECKPOINT]   exit 0 intact, 1 tampered, 2 unreadable\n"
        "  export LOG --out FILE [--format jsonl|csv] [--since T] [--until T] [--operator U] [--action A]\n"
        "  list LOG [filters]\n"
        "  pubkey LOG                                         the enrolment key (PEM)\n"
        "  anchor LOG --out FILE                              the last signed checkpoint, to keep elsewhere\n"
        "  append LOG --action note --target T [--reason R] [--details JSON]"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("verify, export, list, pubkey, anchor or append"));
    if (args.size() < 2) {
        parser.showHelp(kUsage);
    }
    const QString command = args.at(1);
    if (command.startsWith(QLatin1Char('-'))) {
        parser.process(args);
        return fail(QStringLiteral("give a command first"), kUsage);
    }
    parser.clearPositionalArguments();
    if (command == QLatin1String("verify"))
        return verify(parser, args);
    if (command == QLatin1String("export"))
        return exportCommand(parser, args);
    if (command == QLatin1String("list"))
        return list(parser, args);
    if (command == QLatin1String("pubkey"))
        return pubkey(parser, args);
    if (command == QLatin1String("anchor"))
        return anchor(parser, args);
    if (command == QLatin1String("append"))
        return append(parser, args);
    return fail(QStringLiteral("unknown command '%1'; try --help").arg(command), kUsage);
}
