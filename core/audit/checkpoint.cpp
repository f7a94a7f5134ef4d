// SPDX-License-Identifier: Apache-2.0
#include "checkpoint.h"

#include <QList>

namespace twinspect::audit {

namespace {

constexpr char kHeader[] = "twinspect-audit-checkpoint v1";

Error bad(const QString& message)
{
    return Error{QStringLiteral("checkpoint.format"), message};
}

} // namespace

QByteArray Checkpoint::body() const
{
    QByteArray out;
    out += kHeader;
    out += "\norigin " + origin.toUtf8();
    out += "\nsize " + QByteArray::number(size);
    out += "\nroot " + crypto::toBytes(root).toBase64();
    out += "\nchain " + crypto::toBytes(chainHead).toBase64();
    out += "\nepoch " + QByteArray::number(epoch);
    out += "\ntime " + time.toUtf8();
    out += "\nnext " + nextKey.toBase64();
    out += "\n";
    return out;
}

Result<Checkpoint> Checkpoint::parseBody(const QByteArray& body)
{
    if (body.size() > 4096)
        return bad(QStringLiteral("a checkpoint body is at most 4096 bytes"));
    if (!body.endsWith('\n'))
        return bad(QStringLiteral("a checkpoint body ends with a newline"));
    const QList<QByteArray> lines = body.left(body.size() - 1).split('\n');
    static const char* const keys[] = {"origin", "size", "root", "chain", "epoch", "time", "next"};
    if (lines.size() != 8 || lines.at(0) != kHeader)
        return bad(QStringLiteral("expected the line '%1' and 7 fields").arg(QLatin1String(kHeader)));
    QByteArray values[7];
    for (int i = 0; i < 7; ++i) {
        const QByteArray prefix = QByteArray(keys[i]) + ' ';
        if (!lines.at(i + 1).startsWith(prefix))
            return bad(QStringLiteral("line %1 should start with '%2'").arg(i + 2).arg(QLatin1String(keys[i])));
        values[i] = lines.at(i + 1).mid(prefix.size());
    }
    Checkpoint cp;
    cp.origin = QString::fromUtf8(values[0]);
    bool sizeOk = false;
    bool epochOk = false;
    cp.size = values[1].toULongLong(&sizeOk);
    cp.epoch = values[4].toULongLong(&epochOk);
    if (!sizeOk || !epochOk || QByteArray::number(cp.size) != values[1] || QByteArray::number(cp.epoch) != values[4])
        return bad(QStringLiteral("size and epoch are decimal numbers without leading zeros"));
    const auto digest = [](const QByteArray& b64) {
        const auto decoded = QByteArray::fromBase64Encoding(b64, QByteArray::AbortOnBase64DecodingErrors);
        return decoded ? crypto::digestFromBytes(*decoded) : std::nullopt;
    };
    const auto root = digest(values[2]);
    const auto chain = digest(values[3]);
    if (!root || !chain)
        return bad(QStringLiteral("root and chain are base64 SHA-256 digests"));
    cp.root = *root;
    cp.chainHead = *chain;
    cp.time = QString::fromUtf8(values[5]);
    const auto next = QByteArray::fromBase64Encoding(values[6], QByteArray::AbortOnBase64DecodingErrors);
    if (!next || (*next).size() != 32)
        return bad(QStringLiteral("next is a base64 32-byte Ed25519 public key"));
    cp.nextKey = *next;
    if (cp.body() != body)
        return bad(QStringLiteral("the body is not in canonical form"));
    return cp;
}

QByteArray SignedCheckpoint::toText() const
{
    return body + "signature " + signature.toBase64() + "\n";
}

Result<SignedCheckpoint> SignedCheckpoint::parseText(const QByteArray& text)
{
    const qsizetype at = text.lastIndexOf("signature ");
    if (at <= 0 || text.at(at - 1) != '\n')
        return bad(QStringLiteral("no 'signature' line after the checkpoint body"));
    QByteArray line = text.mid(at + 10).trimmed();
    const auto signature = QByteArray::fromBase64Encoding(line, QByteArray::AbortOnBase64DecodingErrors);
    if (!signature || (*signature).size() != 64)
        return bad(QStringLiteral("the signature line holds a base64 64-byte Ed25519 signature"));
    SignedCheckpoint signedCheckpoint{text.left(at), *signature};
    const Result<Checkpoint> parsed = Checkpoint::parseBody(signedCheckpoint.body);
    if (!parsed)
        return parsed.error();
    return signedCheckpoint;
}

} // namespace twinspect::audit
