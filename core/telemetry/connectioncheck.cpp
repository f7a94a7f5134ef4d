// SPDX-License-Identifier: Apache-2.0
#include "telemetry/connectioncheck.h"

#include "telemetry/backendsettings.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QUuid>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>
#include <variant>

namespace twinspect::telemetry {

namespace {

using SslContext = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;
using Ssl = std::unique_ptr<SSL, decltype(&SSL_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;
using AddrInfo = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

/// Closes a socket descriptor when it goes out of scope.
class Socket
{
public:
    explicit Socket(int fd = -1)
        : m_fd(fd)
    {}
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    Socket(Socket&& other) noexcept
        : m_fd(std::exchange(other.m_fd, -1))
    {}
    Socket& operator=(Socket&& other) noexcept
    {
        if (this != &other) {
            if (m_fd >= 0)
                ::close(m_fd);
            m_fd = std::exchange(other.m_fd, -1);
        }
        return *this;
    }
    ~Socket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    int fd() const { return m_fd; }

private:
    int m_fd;
};

QString nameText(const X509_NAME* name)
{
    Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return QString::fromUtf8(data, static_cast<qsizetype>(length));
}

QString timeText(const ASN1_TIME* time)
{
    tm parsed{};
    if (!time || ASN1_TIME_to_tm(time, &parsed) != 1)
        return {};
    const QDateTime utc(QDate(parsed.tm_year + 1900, parsed.tm_mon + 1, parsed.tm_mday),
                        QTime(parsed.tm_hour, parsed.tm_min, parsed.tm_sec), Qt::UTC);
    return utc.toString(Qt::ISODate);
}

CertificateInfo describe(X509* cert)
{
    CertificateInfo info;
    info.subject = nameText(X509_get_subject_name(cert));
    info.issuer = nameText(X509_get_issuer_name(cert));
    info.notBefore = timeText(X509_get0_notBefore(cert));
    info.notAfter = timeText(X509_get0_notAfter(cert));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestLength = 0;
    if (X509_digest(cert, EVP_sha256(), digest, &digestLength) == 1)
        info.sha256 =
            QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(digest), static_cast<qsizetype>(digestLength))
                                    .toHex(':')
                                    .toUpper());
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (names) {
        for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
            const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
            if (name->type == GEN_DNS) {
                const ASN1_STRING* dns = name->d.dNSName;
                info.names.append(QStringLiteral("DNS:") +
                                  QString::fromLatin1(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                                      ASN1_STRING_length(dns)));
            } else if (name->type == GEN_IPADD) {
                const ASN1_OCTET_STRING* ip = name->d.iPAddress;
                char text[INET6_ADDRSTRLEN] = {};
                const int family = ASN1_STRING_length(ip) == 16 ? AF_INET6 : AF_INET;
                if (inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof text))
                    info.names.append(QStringLiteral("IP:") + QString::fromLatin1(text));
            }
        }
        GENERAL_NAMES_free(names);
    }
    return info;
}

/// The subject's common name for messages ("CN=broker.plant"), else the whole subject.
QString shortName(const CertificateInfo& info)
{
    for (const QString& part : info.subject.split(u',')) {
        if (part.startsWith(u"CN="))
            return part;
    }
    return info.subject;
}

/// The latest OpenSSL error reason on this thread ("certificate verify failed"), and clears the queue.
QString takeSslError()
{
    QString text;
    while (const unsigned long code = ERR_get_error()) {
        if (const char* reason = ERR_reason_error_string(code))
            text = QString::fromLatin1(reason);
    }
    return text;
}

ConnectionVerdict failure(QString code, QString message)
{
    ConnectionVerdict verdict;
    verdict.code = std::move(code);
    verdict.message = std::move(message);
    return verdict;
}

/// Collects the server's chain as verification walks it, so that a refused certificate can be named.
struct VerifyRecord
{
    QList<CertificateInfo> chain;
    bool certificateRequested = false; ///< the server asked for a client certificate and we had none
};
int verifyRecordIndex()
{
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

int recordChain(int preverifyOk, X509_STORE_CTX* context)
{
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(context, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* record = ssl ? static_cast<VerifyRecord*>(SSL_get_ex_data(ssl, verifyRecordIndex())) : nullptr;
    if (record && record->chain.isEmpty()) {
        if (STACK_OF(X509)* chain = X509_STORE_CTX_get0_untrusted(context)) {
            for (int i = 0; i < sk_X509_num(chain); ++i)
                record->chain.append(describe(sk_X509_value(chain, i)));
        }
    }
    return preverifyOk;
}

/// OpenSSL calls this only when the server asks for a client certificate and none is set: noted, so
/// that a server which then closes without an alert can still be explained.
int noteCertificateRequest(SSL* ssl, X509** /*certificate*/, EVP_PKEY** /*key*/)
{
    if (auto* record = static_cast<VerifyRecord*>(SSL_get_ex_data(ssl, verifyRecordIndex())))
        record->certificateRequested = true;
    return 0; // send none, as without this callback
}

int passphraseCallback(char* buffer, int size, int /*rwflag*/, void* userData)
{
    const auto* passphrase = static_cast<const QByteArray*>(userData);
    if (!passphrase || passphrase->isEmpty() || passphrase->size() > size)
        return -1;
    std::memcpy(buffer, passphrase->constData(), static_cast<size_t>(passphrase->size()));
    return static_cast<int>(passphrase->size());
}

QByteArray readFile(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return {};
    }
    return file.read(1 << 20);
}

/// Waits until fd is ready for the given events, the deadline passes or cancel is set.
bool waitFor(int fd, short events, const QElapsedTimer& clock, int timeoutMs, const std::atomic<bool>* cancel)
{
    while (true) {
        if (cancel && cancel->load())
            return false;
        const qint64 left = timeoutMs - clock.elapsed();
        if (left <= 0)
            return false;
        pollfd p{fd, events, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<qint64>(left, 100)));
        if (ready > 0)
            return true;
        if (ready < 0 && errno != EINTR)
            return false;
    }
}

QString hostPort(const BackendSettings& s)
{
    return s.host() + u':' + QString::number(s.port());
}

/// Maps a verification result to a code and a sentence about the server's certificate.
/// peer names the server in messages: "broker" for MQTT, "server" for HTTPS/WSS.
ConnectionVerdict verifyFailure(long result, const BackendSettings& s, const QList<CertificateInfo>& chain,
                                QStringView peer)
{
    const QString leaf = chain.isEmpty() ? QStringLiteral("the server's certificate") : shortName(chain.first());
    const QString where = hostPort(s);
    const QString reason = QString::fromLatin1(X509_verify_cert_error_string(result));
    ConnectionVerdict v;
    switch (result) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        v = failure(QStringLiteral("tls.unknown-ca"),
                    QStringLiteral("%1 presented %2 issued by %3, which the configured CA %4 did not sign (unknown "
                                   "CA): wrong %5, or the wrong CA file")
                        .arg(where, leaf, chain.isEmpty() ? QStringLiteral("?") : chain.first().issuer,
                             s.tls.caFile.isEmpty() ? QStringLiteral("(system store)") : s.tls.caFile, peer));
        break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        v = failure(QStringLiteral("tls.server-expired"),
                    QStringLiteral("%1 presented %2, which expired on %3")
                        .arg(where, leaf, chain.isEmpty() ? QString() : chain.first().notAfter));
        break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        v = failure(QStringLiteral("tls.server-not-yet-valid"),
                    QStringLiteral("%1 presented %2, which is not valid before %3 (check both clocks)")
                        .arg(where, leaf, chain.isEmpty() ? QString() : chain.first().notBefore));
        break;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        v = failure(QStringLiteral("tls.wrong-host"),
                    QStringLiteral("%1 presented %2 for %3, not for \"%4\" (host name verification failed): wrong "
                                   "address, or a certificate made for another host")
                        .arg(where, leaf, chain.isEmpty() ? QString() : chain.first().names.join(QStringLiteral(", ")),
                             s.host()));
        break;
    case X509_V_ERR_CERT_REVOKED:
        v = failure(QStringLiteral("tls.server-revoked"),
                    QStringLiteral("%1 presented %2, which the revocation list %3 lists as revoked")
                        .arg(where, leaf, s.tls.crlFile));
        break;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
        v = failure(QStringLiteral("tls.crl-missing"),
                    QStringLiteral("the revocation list %1 has no CRL from the CA that issued %2 of %3")
                        .arg(s.tls.crlFile, leaf, where));
        break;
    case X509_V_ERR_CRL_HAS_EXPIRED:
        v = failure(QStringLiteral("tls.crl-expired"),
                    QStringLiteral("the revocation list %1 is out of date (next update has passed); fetch a new one")
                        .arg(s.tls.crlFile));
        break;
    default:
        v = failure(QStringLiteral("tls.verify-failed"),
                    QStringLiteral("%1 presented %2, which failed verification: %3").arg(where, leaf, reason));
    }
    v.serverChain = chain;
    return v;
}

/// Maps an alert or error seen while talking TLS to a sentence about our side of the handshake.
ConnectionVerdict handshakeFailure(const QString& sslError, const BackendSettings& s, bool afterHandshake,
                                   QStringView peer)
{
    const QString where = hostPort(s);
    const QString cert = s.tls.certFile.isEmpty() ? QStringLiteral("(none configured)") : s.tls.certFile;
    if (sslError.contains(u"certificate required"))
        return failure(
            QStringLiteral("tls.no-client-certificate"),
            QStringLiteral("%1 requires a client certificate and none is configured (tls.certFile)").arg(where));
    if (sslError.contains(u"certificate revoked"))
        return failure(QStringLiteral("tls.client-revoked"),
                       QStringLiteral("%1 refused our client certificate %2: it has been revoked").arg(where, cert));
    if (sslError.contains(u"certificate expired"))
        return failure(QStringLiteral("tls.client-expired"),
                       QStringLiteral("%1 refused our client certificate %2: it has expired").arg(where, cert));
    if (sslError.contains(u"unknown ca") || sslError.contains(u"bad certificate") ||
        sslError.contains(u"certificate unknown"))
        return failure(QStringLiteral("tls.client-refused"),
                       QStringLiteral("%1 refused our client certificate %2 (%3): the %4 does not trust its issuer")
                           .arg(where, cert, sslError, peer));
    if (sslError.contains(u"wrong version number") || sslError.contains(u"packet length too long") ||
        sslError.contains(u"record layer failure") || (!afterHandshake && sslError.contains(u"unexpected eof")))
        return failure(QStringLiteral("tls.not-tls"),
                       QStringLiteral("%1 did not answer with TLS (%2): is it a plain-TCP (unencrypted) port?")
                           .arg(where, sslError));
    if (sslError.contains(u"protocol version") || sslError.contains(u"unsupported protocol"))
        return failure(
            QStringLiteral("tls.old-protocol"),
            QStringLiteral("%1 offers only TLS versions older than 1.2, which are refused (%2)").arg(where, sslError));
    if (sslError.isEmpty() && !afterHandshake)
        return failure(QStringLiteral("tls.not-tls"),
                       QStringLiteral("%1 closed the connection during the TLS handshake without a TLS answer: is it a "
                                      "plain-TCP (unencrypted) port?")
                           .arg(where));
    return failure(QStringLiteral("tls.handshake-failed"),
                   QStringLiteral("TLS with %1 failed: %2")
                       .arg(where, sslError.isEmpty() ? QStringLiteral("connection closed") : sslError));
}

void appendMqttString(QByteArray& out, const QByteArray& text)
{
    out.append(static_cast<char>((text.size() >> 8) & 0xff));
    out.append(static_cast<char>(text.size() & 0xff));
    out.append(text);
}

QByteArray mqttConnectPacket(const QString& clientId, const QString& username, const QString& password)
{
    QByteArray body;
    appendMqttString(body, "MQTT");
    body.append(char{4}); // protocol level 3.1.1
    char flags = 0x02;    // clean session
    if (!username.isEmpty())
        flags = static_cast<char>(flags | 0x80);
    if (!password.isEmpty())
        flags = static_cast<char>(flags | 0x40);
    body.append(flags);
    body.append(char{0});
    body.append(char{10}); // keep alive: 10 s
    appendMqttString(body, clientId.toUtf8());
    if (!username.isEmpty())
        appendMqttString(body, username.toUtf8());
    if (!password.isEmpty())
        appendMqttString(body, password.toUtf8());
    QByteArray packet(1, char(0x10));
    qsizetype remaining = body.size();
    do { // variable-length "remaining length"
        char byte = static_cast<char>(remaining % 128);
        remaining /= 128;
        if (remaining > 0)
            byte = static_cast<char>(byte | 0x80);
        packet.append(byte);
    } while (remaining > 0);
    return packet + body;
}

QString connackMessage(int code, const BackendSettings& s, bool hasPassword)
{
    switch (code) {
    case 1:
        return QStringLiteral("%1 refused MQTT 3.1.1 (unacceptable protocol version)").arg(hostPort(s));
    case 2:
        return QStringLiteral("%1 rejected the client id \"%2\"").arg(hostPort(s), s.clientId);
    case 3:
        return QStringLiteral("%1 says the MQTT service is unavailable").arg(hostPort(s));
    case 4:
        return QStringLiteral("%1 refused the user name \"%2\" or its password (bad user name or password)")
            .arg(hostPort(s), s.username);
    case 5:
        return hasPassword ? QStringLiteral("%1 refused user \"%2\": bad user name or password, or not authorised")
                                 .arg(hostPort(s), s.username)
                           : QStringLiteral("%1 refused the connection: not authorised (does it need a user name and "
                                            "password, or a different client certificate?)")
                                 .arg(hostPort(s));
    default:
        return QStringLiteral("%1 refused the connection (CONNACK code %2)").arg(hostPort(s)).arg(code);
    }
}

} // namespace

QList<CertificateInfo> readCertificates(const QString& pemPath, QString* error)
{
    QList<CertificateInfo> certificates;
    const QByteArray pem = readFile(pemPath, error);
    Bio bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())), &BIO_free);
    while (X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        Cert cert(raw, &X509_free);
        certificates.append(describe(cert.get()));
    }
    ERR_clear_error();
    if (certificates.isEmpty() && error && error->isEmpty())
        *error = QStringLiteral("%1 holds no PEM certificate").arg(pemPath);
    return certificates;
}

namespace {

/// A TLS connection whose server passed verification, for a protocol check to talk over. Members are
/// declared so that they are freed in the right order: the SSL, then the socket, then the context.
struct TlsConnection
{
    SslContext context{nullptr, &SSL_CTX_free};
    Socket socket;
    std::unique_ptr<VerifyRecord> record;
    Ssl ssl{nullptr, &SSL_free};
    ConnectionVerdict verdict; ///< the server's chain, the protocol and the cipher; not yet ok
};

/// The part every backend's check shares: reads the client certificate and key, opens TCP with our
/// own timeout, and performs the TLS handshake with the pinned CA, the host name and the CRL; with
/// TLS 1.3 it also waits briefly for the server's verdict on our certificate. peer names the server
/// in messages ("broker", "server"); closedAfterHandshake explains a server that closes the
/// connection right after the handshake without an alert (it is told whether the server had asked
/// for a client certificate that we did not have).
using ClosedAfterHandshake = std::function<ConnectionVerdict(bool certificateRequested)>;
std::variant<TlsConnection, ConnectionVerdict> openTls(const BackendSettings& s, const ConnectionSecrets& secrets,
                                                       const QElapsedTimer& clock, int timeoutMs,
                                                       const std::atomic<bool>* cancel, QStringView peer,
                                                       const ClosedAfterHandshake& closedAfterHandshake)
{
    SslContext context(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
    SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, &recordChain);
    SSL_CTX_set_client_cert_cb(context.get(), &noteCertificateRequest);

    QString fileError;
    if (!s.tls.caFile.isEmpty()) {
        const QByteArray caPem = readFile(s.tls.caFile, &fileError);
        if (caPem.isEmpty())
            return failure(QStringLiteral("config.ca-unreadable"),
                           QStringLiteral("cannot read the CA file %1: %2").arg(s.tls.caFile, fileError));
        if (SSL_CTX_load_verify_locations(context.get(), QFile::encodeName(s.tls.caFile).constData(), nullptr) != 1)
            return failure(QStringLiteral("config.ca-invalid"),
                           QStringLiteral("the CA file %1 holds no usable PEM certificate (%2)")
                               .arg(s.tls.caFile, takeSslError()));
    } else {
        SSL_CTX_set_default_verify_paths(context.get());
    }
    if (!s.tls.crlFile.isEmpty()) {
        const QByteArray crlPem = readFile(s.tls.crlFile, &fileError);
        if (crlPem.isEmpty())
            return failure(QStringLiteral("config.crl-unreadable"),
                           QStringLiteral("cannot read the revocation list %1: %2").arg(s.tls.crlFile, fileError));
        Bio bio(BIO_new_mem_buf(crlPem.constData(), static_cast<int>(crlPem.size())), &BIO_free);
        X509_STORE* store = SSL_CTX_get_cert_store(context.get());
        int loaded = 0;
        while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
            X509_STORE_add_crl(store, crl);
            X509_CRL_free(crl);
            ++loaded;
        }
        ERR_clear_error();
        if (loaded == 0)
            return failure(QStringLiteral("config.crl-invalid"),
                           QStringLiteral("the revocation list %1 holds no PEM CRL").arg(s.tls.crlFile));
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    }
    if (!s.tls.certFile.isEmpty()) {
        const QByteArray certPem = readFile(s.tls.certFile, &fileError);
        if (certPem.isEmpty())
            return failure(QStringLiteral("config.cert-unreadable"),
                           QStringLiteral("cannot read the client certificate %1: %2").arg(s.tls.certFile, fileError));
        Bio certBio(BIO_new_mem_buf(certPem.constData(), static_cast<int>(certPem.size())), &BIO_free);
        Cert cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr), &X509_free);
        if (!cert)
            return failure(QStringLiteral("config.cert-invalid"),
                           QStringLiteral("the client certificate %1 is not a PEM certificate").arg(s.tls.certFile));
        if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0)
            return failure(QStringLiteral("tls.client-expired"),
                           QStringLiteral("our client certificate %1 (%2) expired on %3; %4 will refuse it")
                               .arg(s.tls.certFile, shortName(describe(cert.get())),
                                    timeText(X509_get0_notAfter(cert.get())), hostPort(s)));
        const QByteArray keyPem = readFile(s.tls.keyFile, &fileError);
        if (keyPem.isEmpty())
            return failure(QStringLiteral("config.key-unreadable"),
                           QStringLiteral("cannot read the client key %1: %2").arg(s.tls.keyFile, fileError));
        const QByteArray passphrase = secrets.keyPassphrase.toUtf8();
        Bio keyBio(BIO_new_mem_buf(keyPem.constData(), static_cast<int>(keyPem.size())), &BIO_free);
        Pkey key(
            PEM_read_bio_PrivateKey(keyBio.get(), nullptr, &passphraseCallback, const_cast<QByteArray*>(&passphrase)),
            &EVP_PKEY_free);
        if (!key) {
            const bool encrypted = keyPem.contains("ENCRYPTED");
            ERR_clear_error();
            if (encrypted && passphrase.isEmpty())
                return failure(QStringLiteral("config.key-passphrase-missing"),
                               QStringLiteral("the client key %1 is encrypted and no passphrase is configured")
                                   .arg(s.tls.keyFile));
            return failure(
                encrypted ? QStringLiteral("config.key-passphrase-wrong") : QStringLiteral("config.key-invalid"),
                encrypted ? QStringLiteral("the client key %1 cannot be decrypted: wrong passphrase").arg(s.tls.keyFile)
                          : QStringLiteral("the client key %1 is not a PEM private key").arg(s.tls.keyFile));
        }
        if (SSL_CTX_use_certificate(context.get(), cert.get()) != 1 ||
            SSL_CTX_use_PrivateKey(context.get(), key.get()) != 1 || SSL_CTX_check_private_key(context.get()) != 1) {
            ERR_clear_error();
            return failure(QStringLiteral("config.key-mismatch"),
                           QStringLiteral("the client key %1 does not belong to the certificate %2")
                               .arg(s.tls.keyFile, s.tls.certFile));
        }
    }

    // TCP, with our own timeout (a silent firewall would otherwise hang for minutes).
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const QByteArray host = s.host().toUtf8();
    const QByteArray port = QByteArray::number(s.port());
    if (const int rc = ::getaddrinfo(host.constData(), port.constData(), &hints, &found); rc != 0)
        return failure(
            QStringLiteral("net.unknown-host"),
            QStringLiteral("cannot resolve host \"%1\": %2").arg(s.host(), QString::fromLocal8Bit(gai_strerror(rc))));
    AddrInfo addresses(found, &freeaddrinfo);
    Socket socket(::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket.fd() < 0)
        return failure(QStringLiteral("net.socket"), QString::fromLocal8Bit(std::strerror(errno)));
    if (::connect(socket.fd(), found->ai_addr, found->ai_addrlen) != 0 && errno != EINPROGRESS)
        return failure(
            QStringLiteral("net.unreachable"),
            QStringLiteral("cannot connect to %1: %2").arg(hostPort(s), QString::fromLocal8Bit(std::strerror(errno))));
    if (!waitFor(socket.fd(), POLLOUT, clock, timeoutMs, cancel))
        return failure(QStringLiteral("net.timeout"),
                       QStringLiteral("no answer from %1 within %2 s (host down, or a firewall drops the traffic)")
                           .arg(hostPort(s))
                           .arg(timeoutMs / 1000.0, 0, 'g', 3));
    int socketError = 0;
    socklen_t length = sizeof socketError;
    ::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &socketError, &length);
    if (socketError != 0)
        return failure(socketError == ECONNREFUSED ? QStringLiteral("net.refused") : QStringLiteral("net.unreachable"),
                       socketError == ECONNREFUSED
                           ? QStringLiteral("nothing accepts connections on %1 (connection refused): is the %2 "
                                            "running, and is this its TLS port?")
                                 .arg(hostPort(s), peer)
                           : QStringLiteral("cannot connect to %1: %2")
                                 .arg(hostPort(s), QString::fromLocal8Bit(std::strerror(socketError))));

    // TLS: the pinned CA, the host name, the CRL, TLS 1.2 or later.
    Ssl ssl(SSL_new(context.get()), &SSL_free);
    auto record = std::make_unique<VerifyRecord>(); // on the heap: OpenSSL keeps its address
    SSL_set_ex_data(ssl.get(), verifyRecordIndex(), record.get());
    SSL_set_fd(ssl.get(), socket.fd());
    if (QHostAddress(s.host()).isNull()) // SNI carries names only, never addresses
        SSL_set_tlsext_host_name(ssl.get(), host.constData());
    if (s.tls.verifyHostname)
        SSL_set1_host(ssl.get(), host.constData());
    while (true) {
        const int rc = SSL_connect(ssl.get());
        if (rc == 1)
            break;
        const int error = SSL_get_error(ssl.get(), rc);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            if (!waitFor(socket.fd(), error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, clock, timeoutMs, cancel))
                return failure(QStringLiteral("tls.timeout"),
                               QStringLiteral("%1 accepted TCP but did not complete a TLS handshake within the timeout "
                                              "(is it a plain-TCP port, or overloaded?)")
                                   .arg(hostPort(s)));
            continue;
        }
        const long verifyResult = SSL_get_verify_result(ssl.get());
        const QString sslError = takeSslError();
        if (verifyResult != X509_V_OK)
            return verifyFailure(verifyResult, s, record->chain, peer);
        ConnectionVerdict v = handshakeFailure(sslError, s, false, peer);
        v.serverChain = record->chain;
        return v;
    }
    ConnectionVerdict verdict;
    verdict.serverChain = record->chain;
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get()); chain && verdict.serverChain.isEmpty()) {
        for (int i = 0; i < sk_X509_num(chain); ++i)
            verdict.serverChain.append(describe(sk_X509_value(chain, i)));
    }
    verdict.protocol = QString::fromLatin1(SSL_get_version(ssl.get()));
    verdict.cipher = QString::fromLatin1(SSL_get_cipher_name(ssl.get()));

    // With TLS 1.3 the server judges our certificate after the handshake has completed on our side:
    // it answers with session tickets, or with an alert that says why it refused us. Read that
    // answer before writing, because writing into a closed connection would lose the alert.
    if (SSL_version(ssl.get()) >= TLS1_3_VERSION) {
        pollfd p{socket.fd(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(std::min<qint64>(300, std::max<qint64>(0, timeoutMs - clock.elapsed())))) >
            0) {
            char ignored[16];
            const int rc = SSL_read(ssl.get(), ignored, sizeof ignored);
            const int error = SSL_get_error(ssl.get(), rc);
            if (rc <= 0 && error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
                ConnectionVerdict v = handshakeFailure(takeSslError(), s, true, peer);
                if (v.code == u"tls.handshake-failed")
                    v = closedAfterHandshake(record->certificateRequested);
                v.serverChain = verdict.serverChain;
                return v;
            }
        }
    }

    TlsConnection connection;
    connection.context = std::move(context);
    connection.socket = std::move(socket);
    connection.record = std::move(record);
    connection.ssl = std::move(ssl);
    connection.verdict = std::move(verdict);
    return connection;
}

} // namespace

ConnectionVerdict checkMqttConnection(const BackendSettings& s, const ConnectionSecrets& secrets, int timeoutMs,
                                      const std::atomic<bool>* cancel)
{
    QElapsedTimer clock;
    clock.start();
    ERR_clear_error();
    if (const QString invalid = validateBackend(s); !invalid.isEmpty())
        return failure(QStringLiteral("config.invalid"), invalid);
    if (s.username.isEmpty() && !secrets.password.isEmpty())
        return failure(QStringLiteral("config.password-without-user"),
                       QStringLiteral("backend \"%1\": a password is stored but no user name is set (MQTT sends a "
                                      "password only with a user name)")
                           .arg(s.id));
    auto opened = openTls(s, secrets, clock, timeoutMs, cancel, u"broker", [&s](bool) {
        return failure(QStringLiteral("mqtt.closed"),
                       QStringLiteral("%1 closed the connection right after TLS: it refused this client "
                                      "(certificate not accepted) — see the broker's log")
                           .arg(hostPort(s)));
    });
    if (auto* refused = std::get_if<ConnectionVerdict>(&opened))
        return std::move(*refused);
    TlsConnection& tls = std::get<TlsConnection>(opened);
    const Socket& socket = tls.socket;
    const Ssl& ssl = tls.ssl;
    ConnectionVerdict& verdict = tls.verdict;

    // MQTT CONNECT / CONNACK.
    const QString checkId = (s.clientId.isEmpty() ? QStringLiteral("twinspect") : s.clientId) +
                            QStringLiteral("-check-") + QUuid::createUuid().toString(QUuid::Id128).left(8);
    const QByteArray connect = mqttConnectPacket(checkId, s.username, secrets.password);
    qsizetype written = 0;
    QByteArray received;
    const auto ioFailure = [&](int rc, bool writing) -> std::optional<ConnectionVerdict> {
        const int error = SSL_get_error(ssl.get(), rc);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            if (!waitFor(socket.fd(), error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, clock, timeoutMs, cancel))
                return failure(
                    QStringLiteral("mqtt.timeout"),
                    QStringLiteral("%1 completed TLS but did not answer the MQTT CONNECT in time").arg(hostPort(s)));
            return std::nullopt;
        }
        const QString sslError = takeSslError();
        if (!sslError.isEmpty() && !sslError.contains(u"unexpected eof"))
            return handshakeFailure(sslError, s, true, u"broker");
        return failure(QStringLiteral("mqtt.closed"),
                       QStringLiteral("%1 closed the connection %2 the MQTT CONNECT without a CONNACK: it refused this "
                                      "client (certificate not accepted, or an ACL) — see the broker's log")
                           .arg(hostPort(s), writing ? QStringLiteral("during") : QStringLiteral("after")));
    };
    while (written < connect.size()) {
        const int rc = SSL_write(ssl.get(), connect.constData() + written, static_cast<int>(connect.size() - written));
        if (rc > 0) {
            written += rc;
            continue;
        }
        if (auto f = ioFailure(rc, true)) {
            f->serverChain = verdict.serverChain;
            return *f;
        }
    }
    while (received.size() < 4) {
        char buffer[64];
        const int rc = SSL_read(ssl.get(), buffer, sizeof buffer);
        if (rc > 0) {
            received.append(buffer, rc);
            continue;
        }
        if (auto f = ioFailure(rc, false)) {
            f->serverChain = verdict.serverChain;
            return *f;
        }
    }
    if (static_cast<unsigned char>(received.at(0)) != 0x20 || received.at(1) != 2)
        return failure(QStringLiteral("mqtt.not-mqtt"),
                       QStringLiteral("%1 answered TLS but not MQTT (is this an MQTT port?)").arg(hostPort(s)));
    const int code = static_cast<unsigned char>(received.at(3));
    if (code != 0) {
        ConnectionVerdict v =
            failure(code == 4 || (code == 5 && !secrets.password.isEmpty()) ? QStringLiteral("auth.bad-password")
                                                                            : QStringLiteral("auth.not-authorized"),
                    connackMessage(code, s, !secrets.password.isEmpty()));
        v.serverChain = verdict.serverChain;
        return v;
    }
    const char disconnect[2] = {char(0xe0), 0};
    SSL_write(ssl.get(), disconnect, 2);
    SSL_shutdown(ssl.get());
    ERR_clear_error();
    verdict.ok = true;
    verdict.code = QStringLiteral("ok");
    verdict.message =
        QStringLiteral("%1: TLS (%2, %3) with %4 verified; MQTT CONNECT accepted")
            .arg(hostPort(s), verdict.protocol, verdict.cipher,
                 verdict.serverChain.isEmpty() ? QStringLiteral("server") : shortName(verdict.serverChain.first()));
    return verdict;
}

ConnectionVerdict checkHttpsConnection(const BackendSettings& s, const ConnectionSecrets& secrets, int timeoutMs,
                                       const std::atomic<bool>* cancel)
{
    QElapsedTimer clock;
    clock.start();
    ERR_clear_error();
    if (const QString invalid = validateBackend(s); !invalid.isEmpty())
        return failure(QStringLiteral("config.invalid"), invalid);
    // Servers built on Qt (and some others) judge the client after the handshake and close without
    // an alert: say what the closing most likely means.
    auto opened = openTls(s, secrets, clock, timeoutMs, cancel, u"server", [&s](bool certificateRequested) {
        if (certificateRequested)
            return failure(QStringLiteral("tls.no-client-certificate"),
                           QStringLiteral("%1 asked for a client certificate, none is configured (tls.certFile), and "
                                          "it closed the connection")
                               .arg(hostPort(s)));
        if (!s.tls.certFile.isEmpty())
            return failure(QStringLiteral("tls.client-refused"),
                           QStringLiteral("%1 closed the connection right after TLS, refusing our client certificate "
                                          "%2 (issued by a CA it does not trust, revoked or expired?) — see the "
                                          "server's log")
                               .arg(hostPort(s), s.tls.certFile));
        return failure(QStringLiteral("tls.client-refused"),
                       QStringLiteral("%1 closed the connection right after TLS without saying why — see the "
                                      "server's log")
                           .arg(hostPort(s)));
    });
    if (auto* refused = std::get_if<ConnectionVerdict>(&opened))
        return std::move(*refused);
    TlsConnection& tls = std::get<TlsConnection>(opened);
    // Say goodbye properly, so that the server logs a completed check rather than a broken connection.
    SSL_shutdown(tls.ssl.get());
    ERR_clear_error();
    ConnectionVerdict verdict = std::move(tls.verdict);
    verdict.ok = true;
    verdict.code = QStringLiteral("ok");
    verdict.message =
        QStringLiteral("%1: TLS (%2, %3) with %4 verified")
            .arg(hostPort(s), verdict.protocol, verdict.cipher,
                 verdict.serverChain.isEmpty() ? QStringLiteral("server") : shortName(verdict.serverChain.first()));
    return verdict;
}

} // namespace twinspect::telemetry
