// SPDX-License-Identifier: Apache-2.0
// twinspect-sim keygen: a publisher key pair for signed telemetry, and its entry in the trust list.
#include "cli.h"
#include "commands.h"
#include "crypto/ed25519.h"
#include "telemetry/signedpayload.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <unistd.h>

namespace twinspect::sim {

namespace {

const QLatin1String kTrustFormat("twinspect-trusted-publishers");

/// Writes the private key into a new file that only the owner can read. NewOnly: an existing key
/// is never replaced, even if it appears between the check and the write.
Result<bool> writePrivateKey(const QString& path, const QByteArray& pem)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return Error{QStringLiteral("write"), QStringLiteral("cannot create %1: %2").arg(path, file.errorString())};
    if (file.write(pem) != pem.size() || !file.flush() || ::fsync(file.handle()) != 0) {
        const QString reason = file.errorString();
        file.close();
        QFile::remove(path);
        return Error{QStringLiteral("write"), QStringLiteral("cannot write %1: %2").arg(path, reason)};
    }
    return true;
}

} // namespace

int runKeygen(const QStringList& arguments)
{
    QCommandLineParser parser;
    const QCommandLineOption privateOption(
        QStringLiteral("private"), QStringLiteral("Where to write the private key (PEM, 0600; must not exist)."),
        QStringLiteral("OUT.pem"));
    const QCommandLineOption publisherOption(
        QStringLiteral("publisher"), QStringLiteral("The publisher id the key signs as."), QStringLiteral("ID"));
    const QCommandLineOption trustOption(QStringLiteral("trust"),
                                         QStringLiteral("Trust list to add the public key to (created if missing)."),
                                         QStringLiteral("TRUST.json"));
    parser.addOptions({privateOption, publisherOption, trustOption});
    if (const std::optional<int> code =
            parseCommand(parser, arguments,
                         QStringLiteral("twinspect-sim keygen --private OUT.pem --publisher ID --trust TRUST.json\n\n"
                                        "Makes an Ed25519 key pair for signed telemetry and trusts its public key.")))
        return *code;
    for (const QCommandLineOption* option : {&privateOption, &publisherOption, &trustOption}) {
        if (!parser.isSet(*option))
            return fail(QStringLiteral("--%1 %2 is required").arg(option->names().constFirst(), option->valueName()),
                        kUsage);
    }
    const QString privatePath = parser.value(privateOption);
    const QString publisher = parser.value(publisherOption);
    const QString trustPath = parser.value(trustOption);
    if (publisher.isEmpty() || publisher.size() > 256)
        return fail(QStringLiteral("--publisher takes an id of 1 to 256 characters"), kUsage);

    // Every check before anything is written: a refusal leaves no half-made key behind.
    if (QFileInfo::exists(privatePath))
        return fail(QStringLiteral("%1 already exists; a key is never overwritten (remove it first, or choose another "
                                   "--private)")
                        .arg(privatePath));
    QJsonObject root{{QLatin1String("format"), kTrustFormat},
                     {QLatin1String("version"), 1},
                     {QLatin1String("publishers"), QJsonArray()}};
    const bool trustExists = QFileInfo::exists(trustPath);
    if (trustExists) {
        const Result<telemetry::TrustList> existing = telemetry::TrustList::load(trustPath);
        if (!existing)
            return fail(QStringLiteral("the trust list is not usable, so it is left as it is: %1")
                            .arg(existing.error().message));
        if (existing.value().keyFor(publisher))
            return fail(QStringLiteral("publisher '%1' is already in %2 with another key; remove that entry first, or "
                                       "choose another --publisher")
                            .arg(publisher, trustPath));
        QFile file(trustPath);
        if (!file.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read %1: %2").arg(trustPath, file.errorString()));
        // Kept as JSON, not rebuilt from the TrustList: other entries stay exactly as they were
        // (PEM or base64 keys, fields a newer version added).
        root = QJsonDocument::fromJson(file.readAll()).object();
    }

    const crypto::Ed25519Key key = crypto::Ed25519Key::generate();
    if (!key.isValid())
        return fail(QStringLiteral("OpenSSL could not generate an Ed25519 key"));
    if (const Result<bool> written = writePrivateKey(privatePath, key.privatePem()); !written)
        return fail(written.error().message);

    QJsonArray publishers = root.value(QLatin1String("publishers")).toArray();
    publishers.append(QJsonObject{{QLatin1String("id"), publisher},
                                  {QLatin1String("publicKey"), QString::fromLatin1(key.rawPublic().toBase64())}});
    root.insert(QLatin1String("publishers"), publishers);
    const QByteArray text = QJsonDocument(root).toJson(QJsonDocument::Indented);
    QSaveFile trust(trustPath);
    if (!trust.open(QIODevice::WriteOnly) || trust.write(text) != text.size() || !trust.commit()) {
        // Without its trust entry the key is useless and would block the next attempt.
        QFile::remove(privatePath);
        return fail(QStringLiteral("cannot write %1: %2; no key was kept").arg(trustPath, trust.errorString()));
    }

    const Result<telemetry::TrustList> check = telemetry::TrustList::load(trustPath);
    const crypto::Ed25519Key* trusted = check ? check.value().keyFor(publisher) : nullptr;
    if (!trusted || trusted->rawPublic() != key.rawPublic())
        return fail(QStringLiteral("%1 was written but does not read back with the new key: %2")
                        .arg(trustPath, check ? QStringLiteral("the entry is missing") : check.error().message));
    out(QStringLiteral("wrote the private key to %1 (mode 0600)").arg(privatePath));
    const QString publicKey = QString::fromLatin1(key.rawPublic().toBase64());
    if (trustExists)
        out(QStringLiteral("added publisher '%1' to %2 (%3 publishers); public key %4")
                .arg(publisher, trustPath)
                .arg(check.value().size())
                .arg(publicKey));
    else
        out(QStringLiteral("created %1 trusting publisher '%2'; public key %3").arg(trustPath, publisher, publicKey));
    return kOk;
}

} // namespace twinspect::sim
