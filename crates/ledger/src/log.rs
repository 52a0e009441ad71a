//! The append side of a log: a compact in-memory state (right frontier plus the partial tile
//! at each level) that turns appended leaves into tile writes and tree heads.

use crate::hash::{HASH_LEN, Hash, HashAlg};
use crate::merkle::{MAX_TREE_SIZE, ProofError, TreeHead};
use crate::tiles::{
    self, FULL_TILE_BYTES, TILE_HEIGHT, TILE_WIDTH, TileId, TileReadError, TileReader, TileWrite,
};

/// Maximum number of tile levels (8 levels × 8 = 64 tree levels).
const MAX_LEVELS: usize = 8;

/// Append-only Merkle log state.
///
/// Memory is O(log n): the perfect subtrees on the right edge (≤ 62) and the rightmost
/// partial tile of each level (≤ 255 hashes each). Appending one leaf costs one node hash
/// amortised (plus the leaf hash if given the leaf input). Restart reads at most one tile per
/// level ([`MerkleLog::restore`]); nothing is rehashed from the leaves.
#[derive(Clone, Debug)]
pub struct MerkleLog {
    alg: HashAlg,
    size: u64,
    // Perfect subtrees on the right edge, tallest first: (height, hash).
    frontier: Vec<(u32, Hash)>,
    // edge[level]: hashes of the rightmost, not yet full tile at that level.
    edge: Vec<Vec<u8>>,
    // Full tiles completed since the last `take_tile_writes`.
    completed: Vec<TileWrite>,
    // Levels whose partial tile changed since the last `take_tile_writes`.
    dirty: [bool; MAX_LEVELS],
}

/// Failure restoring a log from its tiles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// A partial tile the size requires could not be read.
    #[error(transparent)]
    Tile(#[from] TileReadError),
    /// The tree size is too large.
    #[error("tree size {0} is too large")]
    SizeTooLarge(u64),
    /// The restored root does not match the expected tree head (wrong tiles or wrong size).
    #[error("restored root for size {size} does not match the expected root")]
    RootMismatch {
        /// Size restored.
        size: u64,
    },
}

impl MerkleLog {
    /// An empty log.
    pub fn new(alg: HashAlg) -> Self {
        MerkleLog {
            alg,
            size: 0,
            frontier: Vec::new(),
            edge: vec![Vec::new(); MAX_LEVELS],
            completed: Vec::new(),
            dirty: [false; MAX_LEVELS],
        }
    }

    /// Rebuilds the state for a tree of `size` leaves from stored tiles: reads the partial
    /// tile of each level (≤ 8 reads, each ≤ 255 hashes) and recomputes the right frontier from
    /// them. If `expect` is given (the last signed tree head), the restored root must match it.
    pub fn restore<R: TileReader + ?Sized>(
        alg: HashAlg,
        size: u64,
        reader: &R,
        expect: Option<&TreeHead>,
    ) -> Result<Self, RestoreError> {
        if size > MAX_TREE_SIZE {
            return Err(RestoreError::SizeTooLarge(size));
        }
        let mut log = MerkleLog::new(alg);
        log.size = size;
        for level in (0..tiles::tile_levels(size)).rev() {
            let shift = TILE_HEIGHT * level as u32;
            let hashes = size >> shift;
            let count = (hashes % TILE_WIDTH) as usize;
            if count == 0 {
                continue;
            }
            let tile = TileId {
                level,
                index: hashes / TILE_WIDTH,
                width: count as u16,
            };
            let bytes = reader
                .read_tile(tile)?
                .ok_or(TileReadError::Missing(tile))?;
            if bytes.len() < count * HASH_LEN {
                return Err(TileReadError::TooShort {
                    tile,
                    have: bytes.len(),
                }
                .into());
            }
            let row: Vec<Hash> = tiles::tile_hashes(&bytes[..count * HASH_LEN]).collect();
            // The partial tile splits into perfect subtrees by the bits of `count`.
            let mut off = 0usize;
            for b in (0..TILE_HEIGHT).rev() {
                let n = 1usize << b;
                if count & n != 0 {
                    let mut chunk = row[off..off + n].to_vec();
                    let h = tiles::perfect_root(alg, &mut chunk);
                    log.frontier.push((level as u32 * TILE_HEIGHT + b, h));
                    off += n;
                }
            }
            log.edge[level as usize] = bytes[..count * HASH_LEN].to_vec();
        }
        if let Some(e) = expect
            && (e.size != size || log.root() != e.root)
        {
            return Err(RestoreError::RootMismatch { size });
        }
        Ok(log)
    }

    /// The log's hash algorithm.
    pub fn alg(&self) -> HashAlg {
        self.alg
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf input (hashes it with the RFC 6962 leaf prefix). Returns the leaf index
    /// and leaf hash.
    pub fn append(&mut self, leaf_input: &[u8]) -> (u64, Hash) {
        let h = self.alg.leaf_hash(leaf_input);
        (self.append_leaf_hash(h), h)
    }

    /// Appends an already computed leaf hash. Returns its index.
    pub fn append_leaf_hash(&mut self, leaf_hash: Hash) -> u64 {
        assert!(self.size < MAX_TREE_SIZE, "tree size limit reached");
        let index = self.size;
        self.size += 1;
        self.push_tile_entry(0, leaf_hash);
        let mut height = 0u32;
        let mut hash = leaf_hash;
        // Merge equal-height subtrees: one merge per trailing one bit of the old size.
        while let Some(&(h, left)) = self.frontier.last() {
            if h != height {
                break;
            }
            self.frontier.pop();
            hash = self.alg.node_hash(&left, &hash);
            height += 1;
            if height.is_multiple_of(TILE_HEIGHT) {
                self.push_tile_entry((height / TILE_HEIGHT) as usize, hash);
            }
        }
        self.frontier.push((height, hash));
        index
    }

    fn push_tile_entry(&mut self, level: usize, hash: Hash) {
        let row = &mut self.edge[level];
        row.extend_from_slice(&hash.0);
        self.dirty[level] = true;
        if row.len() == FULL_TILE_BYTES {
            let count = self.size >> (TILE_HEIGHT * level as u32);
            let tile = TileId {
                level: level as u8,
                index: (count - 1) / TILE_WIDTH,
                width: TILE_WIDTH as u16,
            };
            let bytes = std::mem::replace(row, Vec::with_capacity(FULL_TILE_BYTES));
            self.completed.push(TileWrite { tile, bytes });
        }
    }

    /// Current root hash (folds the frontier: ≤ 62 node hashes).
    pub fn root(&self) -> Hash {
        let mut it = self.frontier.iter().rev();
        let Some(&(_, mut acc)) = it.next() else {
            return self.alg.empty_root();
        };
        for (_, h) in it {
            acc = self.alg.node_hash(h, &acc);
        }
        acc
    }

    /// Current tree head.
    pub fn tree_head(&self) -> TreeHead {
        TreeHead {
            size: self.size,
            root: self.root(),
        }
    }

    /// Unsigned checkpoint for the current tree head.
    pub fn checkpoint(&self, origin: &str) -> crate::checkpoint::Checkpoint {
        crate::checkpoint::Checkpoint::new(origin, self.tree_head())
    }

    /// Tiles to persist since the last call: every full tile completed (write once) and the
    /// current partial tile of every level that changed (upsert). Persist them in the same
    /// transaction as the leaves, then sign a checkpoint for [`MerkleLog::tree_head`].
    pub fn take_tile_writes(&mut self) -> Vec<TileWrite> {
        let mut out = std::mem::take(&mut self.completed);
        for level in 0..MAX_LEVELS {
            if self.dirty[level] && !self.edge[level].is_empty() {
                let hashes = self.size >> (TILE_HEIGHT * level as u32);
                out.push(TileWrite {
                    tile: TileId {
                        level: level as u8,
                        index: hashes / TILE_WIDTH,
                        width: (hashes % TILE_WIDTH) as u16,
                    },
                    bytes: self.edge[level].clone(),
                });
            }
        }
        self.dirty = [false; MAX_LEVELS];
        out
    }

    /// Full tiles completed since the last call, without the partial ones (used by the
    /// streaming verifier, which checks partial tiles once at the end).
    pub(crate) fn take_completed(&mut self) -> Vec<TileWrite> {
        std::mem::take(&mut self.completed)
    }

    /// True if full tiles are waiting in [`MerkleLog::take_tile_writes`].
    pub(crate) fn has_completed(&self) -> bool {
        !self.completed.is_empty()
    }

    /// Current partial tile bytes of `level` (empty if none).
    pub(crate) fn edge(&self, level: usize) -> &[u8] {
        &self.edge[level]
    }

    /// Inclusion proof from a tile store (convenience over [`tiles::prove_inclusion`] at the
    /// current size).
    pub fn prove_inclusion<R: TileReader + ?Sized>(
        &self,
        reader: &R,
        index: u64,
    ) -> Result<Vec<Hash>, ProofError> {
        tiles::prove_inclusion(self.alg, reader, index, self.size)
    }

    /// Consistency proof from `old` to the current size, reading from a tile store.
    pub fn prove_consistency<R: TileReader + ?Sized>(
        &self,
        reader: &R,
        old: u64,
    ) -> Result<Vec<Hash>, ProofError> {
        tiles::prove_consistency(self.alg, reader, old, self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::merkle_root;
    use crate::tiles::MemoryTiles;

    #[test]
    fn append_restore_roots() {
        for alg in [HashAlg::Sm3, HashAlg::Sha256] {
            let mut log = MerkleLog::new(alg);
            let mut store = MemoryTiles::new();
            let mut leaves = Vec::new();
            let sizes = [
                0u64, 1, 2, 3, 255, 256, 257, 511, 512, 1000, 65535, 65536, 65537, 70_000,
            ];
            for &target in &sizes {
                while log.size() < target {
                    let (_, h) = log.append(&log.size().to_le_bytes());
                    leaves.push(h);
                }
                store.apply(log.take_tile_writes());
                let head = log.tree_head();
                if target <= 1000 || target == 70_000 {
                    assert_eq!(head.root, merkle_root(alg, &leaves), "size {target}");
                }
                let restored = MerkleLog::restore(alg, target, &store, Some(&head)).unwrap();
                assert_eq!(restored.root(), head.root);
                assert_eq!(
                    tiles::root_from_tiles(alg, &store, target).unwrap(),
                    head,
                    "root from tiles at {target}"
                );
            }
            // Every tile stored matches its definition.
            let n = log.size();
            for t in tiles::all_tiles(n) {
                let bytes = store.get(t.level, t.index).unwrap();
                assert_eq!(bytes.len(), t.byte_len(), "{t}");
                // A full tile row's hash is the entry one level up.
                if t.is_full() {
                    let up = tiles::read_tile_exact(
                        &store,
                        TileId {
                            level: t.level + 1,
                            index: t.index / 256,
                            width: (t.index % 256 + 1) as u16,
                        },
                    )
                    .unwrap();
                    let off = (t.index % 256) as usize * HASH_LEN;
                    assert_eq!(
                        tiles::tile_root(alg, bytes).unwrap().0,
                        up[off..off + HASH_LEN]
                    );
                }
            }
            // Serving an older, narrower partial tile is a prefix of the row.
            let t = TileId {
                level: 0,
                index: 0,
                width: 3,
            };
            assert_eq!(tiles::read_tile_exact(&store, t).unwrap().len(), 96);
            // Restored log continues identically.
            let mut a = MerkleLog::restore(alg, n, &store, None).unwrap();
            let mut b = log.clone();
            for i in 0..1000u64 {
                a.append(&i.to_be_bytes());
                b.append(&i.to_be_bytes());
            }
            assert_eq!(a.tree_head(), b.tree_head());
            assert_eq!(a.take_tile_writes(), b.take_tile_writes());
        }
    }

    #[test]
    fn historical_roots_from_tiles() {
        let alg = HashAlg::Sm3;
        let mut log = MerkleLog::new(alg);
        let mut store = MemoryTiles::new();
        let mut heads = vec![log.tree_head()];
        for i in 0..3000u64 {
            log.append(&i.to_be_bytes());
            if i % 7 == 0 {
                store.apply(log.take_tile_writes());
            }
            heads.push(log.tree_head());
        }
        store.apply(log.take_tile_writes());
        for h in heads.iter().step_by(13) {
            assert_eq!(tiles::root_from_tiles(alg, &store, h.size).unwrap(), *h);
        }
    }

    #[test]
    fn restore_detects_wrong_tiles() {
        let alg = HashAlg::Sm3;
        let mut log = MerkleLog::new(alg);
        let mut store = MemoryTiles::new();
        for i in 0..300u64 {
            log.append(&i.to_be_bytes());
        }
        store.apply(log.take_tile_writes());
        let head = log.tree_head();
        store.get_mut(0, 1).unwrap()[0] ^= 1;
        assert_eq!(
            MerkleLog::restore(alg, 300, &store, Some(&head)).unwrap_err(),
            RestoreError::RootMismatch { size: 300 }
        );
        assert!(matches!(
            MerkleLog::restore(alg, 600, &store, None),
            Err(RestoreError::Tile(_))
        ));
    }
}
