//! RFC 6962 / RFC 9162 Merkle tree math: tree heads, proof generation over any source of
//! subtree hashes, and proof verification.
//!
//! Node coordinates: `(height, index)` names the perfect subtree covering leaves
//! `[index << height, (index + 1) << height)`. Tiles store the hashes at heights that are
//! multiples of 8; every other hash is recomputed from them.

use serde::{Deserialize, Serialize};

use crate::hash::{Hash, HashAlg};

/// Largest tree size this crate accepts. Keeps every `index << height` and `size + 1`
/// computation far from overflow.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// A tree head: the size of the tree and its RFC 6962 root hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TreeHead {
    /// Number of leaves.
    pub size: u64,
    /// Merkle Tree Hash of the first `size` leaves.
    pub root: Hash,
}

/// Why a proof was rejected or could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// Old size larger than new size in a consistency proof.
    #[error("old size {old} is larger than new size {new}")]
    OldLargerThanNew {
        /// Older (smaller) tree size.
        old: u64,
        /// Newer tree size.
        new: u64,
    },
    /// The tree size exceeds [`MAX_TREE_SIZE`].
    #[error("tree size {0} is too large")]
    SizeTooLarge(u64),
    /// The proof has the wrong number of hashes for the claimed sizes.
    #[error("proof has {got} hashes, expected {expected}")]
    WrongLength {
        /// Hashes in the proof.
        got: usize,
        /// Hashes required.
        expected: usize,
    },
    /// The recomputed root differs from the expected one.
    #[error("proof does not verify: recomputed root differs")]
    RootMismatch,
    /// For equal sizes the roots must be equal.
    #[error("same tree size {size} with different roots (fork)")]
    Fork {
        /// The shared size.
        size: u64,
    },
    /// A hash the proof needs could not be read from tile storage.
    #[error(transparent)]
    Tile(#[from] crate::tiles::TileReadError),
}

/// `largest power of two strictly less than n`, for n >= 2 (RFC 6962 `k`).
#[inline]
pub(crate) fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// A source of perfect-subtree hashes: the in-memory leaves (tests), tile storage, or a
/// recorder that only notes which tiles would be read.
pub(crate) trait NodeSource {
    fn subtree(&mut self, height: u32, index: u64) -> Result<Hash, ProofError>;
    fn alg(&self) -> HashAlg;
}

/// MTH of `D[lo..hi]`, where `lo` is aligned so that the binary decomposition of `hi - lo`
/// from the highest bit gives aligned perfect subtrees (true for every range RFC 6962's
/// recursion produces, and for `[0, n)`).
pub(crate) fn range_hash<S: NodeSource>(src: &mut S, lo: u64, hi: u64) -> Result<Hash, ProofError> {
    debug_assert!(hi > lo);
    let n = hi - lo;
    let mut parts: [Hash; 64] = [Hash::default(); 64];
    let mut count = 0;
    let mut start = lo;
    for b in (0..64u32).rev() {
        if n & (1u64 << b) != 0 {
            debug_assert_eq!(start % (1u64 << b), 0, "unaligned range");
            parts[count] = src.subtree(b, start >> b)?;
            count += 1;
            start += 1u64 << b;
        }
    }
    let alg = src.alg();
    let mut acc = parts[count - 1];
    for p in parts[..count - 1].iter().rev() {
        acc = alg.node_hash(p, &acc);
    }
    Ok(acc)
}

/// Root hash of the first `size` leaves.
pub(crate) fn root_at<S: NodeSource>(src: &mut S, size: u64) -> Result<Hash, ProofError> {
    if size == 0 {
        Ok(src.alg().empty_root())
    } else {
        range_hash(src, 0, size)
    }
}

fn path_rec<S: NodeSource>(
    src: &mut S,
    m: u64,
    lo: u64,
    hi: u64,
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    let n = hi - lo;
    if n == 1 {
        return Ok(());
    }
    let k = split_point(n);
    if m - lo < k {
        path_rec(src, m, lo, lo + k, out)?;
        out.push(range_hash(src, lo + k, hi)?);
    } else {
        path_rec(src, m, lo + k, hi, out)?;
        out.push(range_hash(src, lo, lo + k)?);
    }
    Ok(())
}

/// RFC 6962 §2.1.1 `PATH(m, D[n])`, bottom-up.
pub(crate) fn inclusion_path<S: NodeSource>(
    src: &mut S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    check_size(size)?;
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let mut out = Vec::with_capacity(64);
    path_rec(src, index, 0, size, &mut out)?;
    Ok(out)
}

fn subproof_rec<S: NodeSource>(
    src: &mut S,
    m: u64,
    lo: u64,
    hi: u64,
    complete: bool,
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    if m == hi {
        if !complete {
            out.push(range_hash(src, lo, hi)?);
        }
        return Ok(());
    }
    let k = split_point(hi - lo);
    if m - lo <= k {
        subproof_rec(src, m, lo, lo + k, complete, out)?;
        out.push(range_hash(src, lo + k, hi)?);
    } else {
        subproof_rec(src, m, lo + k, hi, false, out)?;
        out.push(range_hash(src, lo, lo + k)?);
    }
    Ok(())
}

/// RFC 6962 §2.1.2 `PROOF(m, D[n])`. Empty when `old == 0` or `old == new`.
pub(crate) fn consistency_path<S: NodeSource>(
    src: &mut S,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, ProofError> {
    check_size(new)?;
    if old > new {
        return Err(ProofError::OldLargerThanNew { old, new });
    }
    let mut out = Vec::with_capacity(64);
    if old != 0 && old != new {
        subproof_rec(src, old, 0, new, true, &mut out)?;
    }
    Ok(out)
}

fn check_size(size: u64) -> Result<(), ProofError> {
    if size > MAX_TREE_SIZE {
        Err(ProofError::SizeTooLarge(size))
    } else {
        Ok(())
    }
}

/// Number of hashes in an inclusion proof for `index` in a tree of `size` (RFC 9162 shape).
pub fn inclusion_proof_len(index: u64, size: u64) -> usize {
    if index >= size {
        return 0;
    }
    // Levels where the path has a sibling: the bits above the common prefix of index and
    // size-1, plus every level below it.
    let last = size - 1;
    let inner = 64 - (index ^ last).leading_zeros() as usize;
    let border = (index >> inner).count_ones() as usize;
    inner + border
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
///
/// RFC 6962 proofs do not bind the tree size on their own: a proof may also verify for another
/// size whose tree has the same shape along the path. The size is bound by the signed
/// checkpoint that carries `root`, so always take `size` and `root` from the same verified
/// [`TreeHead`].
pub fn verify_inclusion(
    alg: HashAlg,
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    check_size(size)?;
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_proof_len(index, size);
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            got: proof.len(),
            expected,
        });
    }
    let mut f = index;
    let mut s = size - 1;
    let mut r = *leaf_hash;
    for p in proof {
        if s == 0 {
            return Err(ProofError::RootMismatch);
        }
        if f & 1 == 1 || f == s {
            r = alg.node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = alg.node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s == 0 && r == *root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// Verifies a consistency proof between two tree heads (RFC 9162 §2.1.4.2), with the edge
/// cases spelled out: from size 0 every tree is consistent (empty proof); equal sizes need
/// equal roots (empty proof) or it is a fork.
pub fn verify_consistency(
    alg: HashAlg,
    old: &TreeHead,
    new: &TreeHead,
    proof: &[Hash],
) -> Result<(), ProofError> {
    check_size(new.size)?;
    if old.size > new.size {
        return Err(ProofError::OldLargerThanNew {
            old: old.size,
            new: new.size,
        });
    }
    if old.size == 0 || old.size == new.size {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength {
                got: proof.len(),
                expected: 0,
            });
        }
        if old.size == new.size && old.root != new.root {
            return Err(ProofError::Fork { size: old.size });
        }
        if old.size == 0 && old.root != alg.empty_root() {
            return Err(ProofError::RootMismatch);
        }
        return Ok(());
    }
    let expected = consistency_proof_len(old.size, new.size);
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            got: proof.len(),
            expected,
        });
    }
    let mut path: &[Hash] = proof;
    let seed;
    // If the old size is a power of two, the old root is itself the first node of the path.
    if old.size.is_power_of_two() {
        seed = old.root;
    } else {
        seed = path[0];
        path = &path[1..];
    }
    let mut f = old.size - 1;
    let mut s = new.size - 1;
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let mut fr = seed;
    let mut sr = seed;
    for c in path {
        if s == 0 {
            return Err(ProofError::RootMismatch);
        }
        if f & 1 == 1 || f == s {
            fr = alg.node_hash(c, &fr);
            sr = alg.node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = alg.node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s == 0 && fr == old.root && sr == new.root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// Number of hashes in a consistency proof from `old` to `new` (0 < old < new).
pub fn consistency_proof_len(old: u64, new: u64) -> usize {
    if old == 0 || old >= new {
        return 0;
    }
    let mut rec = Recorder::default();
    // The recorder never fails and returns dummy hashes; only the count matters.
    consistency_path(&mut rec, old, new).map_or(0, |p| p.len())
}

/// A [`NodeSource`] that returns zero hashes and remembers which subtrees were asked for.
#[derive(Default)]
pub(crate) struct Recorder {
    pub(crate) nodes: Vec<(u32, u64)>,
}

impl NodeSource for Recorder {
    fn subtree(&mut self, height: u32, index: u64) -> Result<Hash, ProofError> {
        self.nodes.push((height, index));
        Ok(Hash::default())
    }
    fn alg(&self) -> HashAlg {
        HashAlg::Sha256
    }
}

/// A [`NodeSource`] over an in-memory slice of leaf hashes (reference implementation).
pub(crate) struct LeafSlice<'a> {
    pub(crate) alg: HashAlg,
    pub(crate) leaves: &'a [Hash],
}

impl NodeSource for LeafSlice<'_> {
    fn subtree(&mut self, height: u32, index: u64) -> Result<Hash, ProofError> {
        let lo = (index << height) as usize;
        let hi = lo + (1usize << height);
        let mut level: Vec<Hash> = self.leaves[lo..hi].to_vec();
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|c| self.alg.node_hash(&c[0], &c[1]))
                .collect();
        }
        Ok(level[0])
    }
    fn alg(&self) -> HashAlg {
        self.alg
    }
}

/// Reference RFC 6962 `MTH` over a slice of leaf hashes (recursive definition). Quadratic-free
/// but allocation-heavy: for tests and small trees.
pub fn merkle_root(alg: HashAlg, leaf_hashes: &[Hash]) -> Hash {
    let mut src = LeafSlice {
        alg,
        leaves: leaf_hashes,
    };
    root_at(&mut src, leaf_hashes.len() as u64).expect("in-memory source cannot fail")
}

/// Inclusion proof over an in-memory slice of leaf hashes (for tests and small trees; the
/// server uses [`crate::tiles::prove_inclusion`]).
pub fn inclusion_proof_from_leaves(
    alg: HashAlg,
    leaf_hashes: &[Hash],
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    if size > leaf_hashes.len() as u64 {
        return Err(ProofError::IndexOutOfRange {
            index: size,
            size: leaf_hashes.len() as u64,
        });
    }
    inclusion_path(
        &mut LeafSlice {
            alg,
            leaves: leaf_hashes,
        },
        index,
        size,
    )
}

/// Consistency proof over an in-memory slice of leaf hashes (for tests and small trees).
pub fn consistency_proof_from_leaves(
    alg: HashAlg,
    leaf_hashes: &[Hash],
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, ProofError> {
    if new > leaf_hashes.len() as u64 {
        return Err(ProofError::OldLargerThanNew {
            old: new,
            new: leaf_hashes.len() as u64,
        });
    }
    consistency_path(
        &mut LeafSlice {
            alg,
            leaves: leaf_hashes,
        },
        old,
        new,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(alg: HashAlg, n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| alg.leaf_hash(&(i as u64).to_be_bytes()))
            .collect()
    }

    /// Literal transcription of RFC 6962 §2.1 MTH, independent of `range_hash`.
    fn mth(alg: HashAlg, d: &[Hash]) -> Hash {
        match d.len() {
            0 => alg.empty_root(),
            1 => d[0],
            n => {
                let k = split_point(n as u64) as usize;
                alg.node_hash(&mth(alg, &d[..k]), &mth(alg, &d[k..]))
            }
        }
    }

    #[test]
    fn root_matches_recursive_definition() {
        for alg in [HashAlg::Sm3, HashAlg::Sha256] {
            let l = leaves(alg, 70);
            for n in 0..=70 {
                assert_eq!(merkle_root(alg, &l[..n]), mth(alg, &l[..n]), "n={n}");
            }
        }
    }

    #[test]
    fn proof_lengths() {
        let alg = HashAlg::Sha256;
        let l = leaves(alg, 40);
        for n in 1..=40u64 {
            for i in 0..n {
                let p = inclusion_proof_from_leaves(alg, &l, i, n).unwrap();
                assert_eq!(p.len(), inclusion_proof_len(i, n), "i={i} n={n}");
            }
        }
    }

    #[test]
    fn all_small_proofs_verify() {
        for alg in [HashAlg::Sm3, HashAlg::Sha256] {
            let l = leaves(alg, 33);
            let roots: Vec<Hash> = (0..=33).map(|n| merkle_root(alg, &l[..n])).collect();
            for n in 1..=33u64 {
                for i in 0..n {
                    let p = inclusion_proof_from_leaves(alg, &l, i, n).unwrap();
                    verify_inclusion(alg, &l[i as usize], i, n, &p, &roots[n as usize]).unwrap();
                }
                for m in 0..=n {
                    let p = consistency_proof_from_leaves(alg, &l, m, n).unwrap();
                    let old = TreeHead {
                        size: m,
                        root: roots[m as usize],
                    };
                    let new = TreeHead {
                        size: n,
                        root: roots[n as usize],
                    };
                    verify_consistency(alg, &old, &new, &p).unwrap();
                }
            }
        }
    }

    #[test]
    fn fork_detected() {
        let alg = HashAlg::Sm3;
        let a = TreeHead {
            size: 5,
            root: alg.digest(b"a"),
        };
        let b = TreeHead {
            size: 5,
            root: alg.digest(b"b"),
        };
        assert_eq!(
            verify_consistency(alg, &a, &b, &[]),
            Err(ProofError::Fork { size: 5 })
        );
    }
}
