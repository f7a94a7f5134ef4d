// SPDX-License-Identifier: Apache-2.0
#include "merkle.h"

namespace twinspect::audit {

Digest leafHash(crypto::Sha256& sha, QByteArrayView entryBytes)
{
    return sha.add(static_cast<unsigned char>(0x00)).add(entryBytes).finish();
}

Digest nodeHash(crypto::Sha256& sha, const Digest& left, const Digest& right)
{
    return sha.add(static_cast<unsigned char>(0x01)).add(left).add(right).finish();
}

Digest emptyTreeRoot()
{
    return crypto::Sha256::hash(QByteArrayView());
}

void CompactRange::append(crypto::Sha256& sha, const Digest& leaf)
{
    m_roots.push_back(leaf);
    ++m_size;
    // Each trailing 0 bit of the new size means two equal subtrees to merge.
    for (quint64 s = m_size; (s & 1) == 0; s >>= 1) {
        const Digest right = m_roots.back();
        m_roots.pop_back();
        m_roots.back() = nodeHash(sha, m_roots.back(), right);
    }
}

Digest CompactRange::root(crypto::Sha256& sha) const
{
    if (m_roots.empty())
        return emptyTreeRoot();
    Digest acc = m_roots.back();
    for (auto it = m_roots.rbegin() + 1; it != m_roots.rend(); ++it)
        acc = nodeHash(sha, *it, acc);
    return acc;
}

QByteArray CompactRange::serialise() const
{
    QByteArray out;
    out.reserve(static_cast<qsizetype>(m_roots.size() * 32));
    for (const Digest& d : m_roots)
        out += crypto::toBytes(d);
    return out;
}

bool CompactRange::restore(quint64 size, const QByteArray& bytes)
{
    const int count = __builtin_popcountll(size);
    if (bytes.size() != count * 32)
        return false;
    m_roots.clear();
    for (int i = 0; i < count; ++i)
        m_roots.push_back(*crypto::digestFromBytes(bytes.mid(i * 32, 32)));
    m_size = size;
    return true;
}

MerkleTree::MerkleTree(std::vector<Digest> leaves)
{
    crypto::Sha256 sha;
    m_levels.push_back(std::move(leaves));
    while (m_levels.back().size() > 1) {
        const std::vector<Digest>& below = m_levels.back();
        std::vector<Digest> level;
        level.reserve((below.size() + 1) / 2);
        for (size_t i = 0; i + 1 < below.size(); i += 2)
            level.push_back(nodeHash(sha, below[i], below[i + 1]));
        if (below.size() % 2 == 1)
            level.push_back(below.back());
        m_levels.push_back(std::move(level));
    }
}

Digest MerkleTree::root() const
{
    if (m_levels.empty() || m_levels.front().empty())
        return emptyTreeRoot();
    return m_levels.back().front();
}

std::vector<Digest> MerkleTree::inclusionProof(quint64 index) const
{
    std::vector<Digest> proof;
    for (size_t level = 0; level + 1 < m_levels.size(); ++level) {
        const std::vector<Digest>& nodes = m_levels[level];
        const quint64 sibling = index ^ 1;
        if (sibling < nodes.size())
            proof.push_back(nodes[sibling]);
        index >>= 1;
    }
    return proof;
}

bool verifyInclusion(const Digest& leaf, quint64 index, quint64 treeSize, const std::vector<Digest>& proof,
                     const Digest& root)
{
    if (index >= treeSize)
        return false;
    crypto::Sha256 sha;
    quint64 fn = index;
    quint64 sn = treeSize - 1;
    Digest r = leaf;
    for (const Digest& p : proof) {
        if (sn == 0)
            return false;
        if ((fn & 1) == 1 || fn == sn) {
            r = nodeHash(sha, p, r);
            if ((fn & 1) == 0) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = nodeHash(sha, r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

} // namespace twinspect::audit
