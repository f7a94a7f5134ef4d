// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "crypto/sha256.h"

#include <QByteArray>

#include <vector>

namespace twinspect::audit {

using crypto::Digest;

/// RFC 9162 hashing: leaves and interior nodes are domain-separated so one can't pose as the other.
Digest leafHash(crypto::Sha256& sha, QByteArrayView entryBytes);
Digest nodeHash(crypto::Sha256& sha, const Digest& left, const Digest& right);

/// The right edge of an RFC 9162 Merkle tree: one root per perfect subtree, largest first
/// (the binary digits of the size). Appending costs about two hashes; the root folds the edge.
class CompactRange
{
public:
    void append(crypto::Sha256& sha, const Digest& leaf);
    Digest root(crypto::Sha256& sha) const;
    quint64 size() const { return m_size; }
    /// Serialised subtree roots, for storing next to a checkpoint (restart without a full rescan).
    QByteArray serialise() const;
    /// Rebuilds from serialise() output; false if the byte count does not fit `size`.
    bool restore(quint64 size, const QByteArray& bytes);

private:
    std::vector<Digest> m_roots;
    quint64 m_size = 0;
};

/// The hash of the empty tree (SHA-256 of nothing), RFC 9162 §2.1.1.
Digest emptyTreeRoot();

/// A whole tree kept level by level, for inclusion proofs in exports. Promoting the last odd node
/// of a level unchanged gives exactly the RFC 9162 tree.
class MerkleTree
{
public:
    explicit MerkleTree(std::vector<Digest> leaves);
    Digest root() const;
    quint64 size() const { return m_levels.empty() ? 0 : m_levels.front().size(); }
    /// Audit path for leaf `index` in the tree of all leaves.
    std::vector<Digest> inclusionProof(quint64 index) const;

private:
    std::vector<std::vector<Digest>> m_levels;
};

/// Checks an audit path (RFC 9162 §2.1.3.2).
bool verifyInclusion(const Digest& leaf, quint64 index, quint64 treeSize, const std::vector<Digest>& proof,
                     const Digest& root);

} // namespace twinspect::audit
