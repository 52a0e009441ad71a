//! Offline verifier: recompute a whole log from its leaves and check it against stored tiles,
//! a signed checkpoint and, optionally, an older tree head the auditor kept.
//!
//! Runs in one streaming pass with O(log n) memory besides the tile store, about one node
//! hash per leaf. Errors name the first bad leaf index and what is wrong.

use std::borrow::Cow;

use crate::checkpoint::{Checkpoint, open_checkpoint};
use crate::hash::{HASH_LEN, Hash, HashAlg};
use crate::log::MerkleLog;
use crate::merkle::{self, ProofError, TreeHead};
use crate::note::{NoteError, TrustedKeys, VerifiedSignature};
use crate::tiles::{TILE_HEIGHT, TILE_WIDTH, TileId, TileReadError, TileReader};

/// What to verify against.
#[derive(Clone, Copy)]
pub struct AuditParams<'a> {
    /// Hash algorithm of the log.
    pub alg: HashAlg,
    /// Expected origin line (recommended: rejects a checkpoint of another log).
    pub origin: Option<&'a str>,
    /// The log's trusted signing keys.
    pub keys: &'a TrustedKeys,
    /// The signed checkpoint to verify (note text).
    pub checkpoint: &'a str,
    /// An older tree head the auditor verified and kept earlier, if any.
    pub trusted: Option<TreeHead>,
}

/// What a successful audit established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    /// The verified checkpoint.
    pub checkpoint: Checkpoint,
    /// Signatures that verified.
    pub signatures: Vec<VerifiedSignature>,
    /// Leaves recomputed and checked (= checkpoint size).
    pub leaves_checked: u64,
    /// Stored tiles compared with the recomputed ones (0 without tiles).
    pub tiles_checked: u64,
    /// Leaves given beyond the checkpoint size: not covered by this checkpoint, not verified.
    pub leaves_beyond_checkpoint: u64,
    /// True if the trusted older tree head was checked to be a prefix of this log.
    pub consistent_with_trusted: bool,
    /// Evidence files re-read and re-hashed against the hashes their leaves commit to (set by
    /// the caller that can reach the files; 0 here).
    pub evidence_checked: u64,
}

/// The first thing found wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// The checkpoint is not well formed (or is for another origin).
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    /// No signature on the checkpoint is from a trusted key.
    #[error("checkpoint not signed by a trusted key (signed by: {})", .names.join(", "))]
    UnknownKey {
        /// Names on the signature lines.
        names: Vec<String>,
    },
    /// A signature from a trusted key does not verify.
    #[error("bad checkpoint signature from {name} ({key_id:08x})")]
    BadSignature {
        /// Key name.
        name: String,
        /// Key ID.
        key_id: u32,
    },
    /// The checkpoint is smaller than the trusted older one: the log was rolled back.
    #[error("rollback: checkpoint size {size} is below the trusted size {trusted_size}")]
    Rollback {
        /// Checkpoint size.
        size: u64,
        /// Trusted size.
        trusted_size: u64,
    },
    /// Same size as the trusted tree head but a different root.
    #[error("fork: size {size} has root {root} but the trusted root is {trusted_root}")]
    Fork {
        /// The size.
        size: u64,
        /// Checkpoint root.
        root: Hash,
        /// Trusted root.
        trusted_root: Hash,
    },
    /// The first `size` leaves no longer hash to the trusted older root: history before the
    /// trusted size was rewritten (leaves and tiles changed together).
    #[error(
        "history rewritten: the first {trusted_size} leaves hash to {computed}, the trusted root is {trusted_root}"
    )]
    TrustedRootMismatch {
        /// Trusted size.
        trusted_size: u64,
        /// Root recomputed from the leaves.
        computed: Hash,
        /// Trusted root.
        trusted_root: Hash,
    },
    /// Leaf `index` differs from the logged leaf hash.
    #[error("leaf {index} was edited: hash {actual}, the log recorded {expected}")]
    EditedLeaf {
        /// Leaf index.
        index: u64,
        /// Hash stored in the log's tiles.
        expected: Hash,
        /// Hash of the leaf given.
        actual: Hash,
    },
    /// The leaf logged at `index` is missing from the sequence (later leaves moved up by one).
    #[error("leaf {index} is missing (the next leaves are shifted)")]
    MissingLeaf {
        /// Index of the missing leaf.
        index: u64,
    },
    /// An extra leaf was inserted at `index` (later leaves moved down by one).
    #[error("a leaf was inserted at index {index}")]
    InsertedLeaf {
        /// Index of the inserted leaf.
        index: u64,
    },
    /// The evidence file whose content hash leaf `index` commits to is missing or changed.
    #[error("evidence file of leaf {index}: {problem}")]
    EvidenceFile {
        /// Leaf index of the event that recorded the file.
        index: u64,
        /// What is wrong (missing, or the hash it has now).
        problem: String,
    },
    /// Leaves `index` and `index + 1` are swapped.
    #[error("leaves {index} and {} are swapped", .index + 1)]
    SwappedLeaves {
        /// First of the two.
        index: u64,
    },
    /// The sequence ends before the checkpoint size.
    #[error("leaves {index}..{size} are missing (the sequence ends early)")]
    MissingTail {
        /// First missing index (= number of leaves given).
        index: u64,
        /// Checkpoint size.
        size: u64,
    },
    /// A stored tile hash differs from the one recomputed from the leaves.
    #[error("stored tile {tile} entry {entry} differs from the recomputed hash")]
    TileMismatch {
        /// The tile.
        tile: TileId,
        /// First differing entry.
        entry: u16,
    },
    /// A tile the checkpoint size requires is not stored.
    #[error(transparent)]
    Tile(#[from] TileReadError),
    /// The root recomputed from the leaves differs from the checkpoint's root.
    #[error("root mismatch at size {size}: leaves hash to {computed}, checkpoint says {expected}")]
    RootMismatch {
        /// Size.
        size: u64,
        /// Checkpoint root.
        expected: Hash,
        /// Recomputed root.
        computed: Hash,
    },
}

impl AuditError {
    /// The leaf index the error names, for errors about one place in the log.
    pub fn leaf_index(&self) -> Option<u64> {
        match self {
            AuditError::EditedLeaf { index, .. }
            | AuditError::MissingLeaf { index }
            | AuditError::InsertedLeaf { index }
            | AuditError::SwappedLeaves { index }
            | AuditError::MissingTail { index, .. }
            | AuditError::EvidenceFile { index, .. } => Some(*index),
            _ => None,
        }
    }
}

impl From<NoteError> for AuditError {
    fn from(e: NoteError) -> Self {
        match e {
            NoteError::Malformed(m) => AuditError::Malformed(m),
            NoteError::UnknownKey { names } => AuditError::UnknownKey { names },
            NoteError::BadSignature { name, key_id } => AuditError::BadSignature { name, key_id },
        }
    }
}

struct Level0<'a> {
    reader: &'a dyn TileReader,
    size: u64,
    index: u64,
    bytes: Option<Cow<'a, [u8]>>,
    /// Level-0 tiles read and compared leaf by leaf so far.
    loaded: u64,
}

impl<'a> Level0<'a> {
    fn tile(&self, t: u64) -> TileId {
        TileId {
            level: 0,
            index: t,
            width: crate::tiles::tile_width(0, t, self.size).unwrap_or(0),
        }
    }

    fn read(&self, t: u64) -> Result<Cow<'a, [u8]>, AuditError> {
        let tile = self.tile(t);
        let bytes = self
            .reader
            .read_tile(tile)?
            .ok_or(TileReadError::Missing(tile))?;
        if bytes.len() < tile.byte_len() {
            return Err(TileReadError::TooShort {
                tile,
                have: bytes.len(),
            }
            .into());
        }
        Ok(bytes)
    }

    /// Stored hash of leaf `i` (hot path: the current tile is cached).
    fn leaf(&mut self, i: u64) -> Result<Hash, AuditError> {
        let t = i / TILE_WIDTH;
        if self.bytes.is_none() || self.index != t {
            self.bytes = Some(self.read(t)?);
            self.index = t;
            self.loaded += 1;
        }
        let off = (i % TILE_WIDTH) as usize * HASH_LEN;
        let b = self.bytes.as_deref().expect("tile loaded above");
        Ok(Hash(b[off..off + HASH_LEN].try_into().expect("32 bytes")))
    }

    /// Stored hash of leaf `i` without disturbing the cache (error path only).
    fn peek(&self, i: u64) -> Option<Hash> {
        if i >= self.size {
            return None;
        }
        let b = self.read(i / TILE_WIDTH).ok()?;
        let off = (i % TILE_WIDTH) as usize * HASH_LEN;
        Hash::from_slice(&b[off..off + HASH_LEN])
    }
}

fn compare_tile(reader: &dyn TileReader, tile: TileId, computed: &[u8]) -> Result<(), AuditError> {
    let stored = reader
        .read_tile(tile)?
        .ok_or(TileReadError::Missing(tile))?;
    if stored.len() < computed.len() {
        return Err(TileReadError::TooShort {
            tile,
            have: stored.len(),
        }
        .into());
    }
    if stored[..computed.len()] != *computed {
        let entry = stored
            .chunks(HASH_LEN)
            .zip(computed.chunks(HASH_LEN))
            .position(|(a, b)| a != b)
            .unwrap_or(0) as u16;
        return Err(AuditError::TileMismatch { tile, entry });
    }
    Ok(())
}

/// Verifies a whole log from its leaf hashes in order.
///
/// Steps: verify the checkpoint signature with `params.keys`; check size and root against the
/// trusted older tree head (rollback, fork); stream the leaves, comparing each with the stored
/// level-0 tile (locating an edited, missing, inserted or swapped leaf) and every recomputed
/// higher tile with the stored one; check the root at the trusted size and at the checkpoint
/// size. Without `tiles`, only roots can be compared, so a bad leaf is reported as a root
/// mismatch without an index.
pub fn audit_leaf_hashes<I>(
    params: &AuditParams<'_>,
    leaf_hashes: I,
    tiles: Option<&dyn TileReader>,
) -> Result<AuditReport, AuditError>
where
    I: IntoIterator<Item = Hash>,
{
    let opened = open_checkpoint(params.checkpoint, params.keys, params.origin)?;
    let cp = opened.checkpoint;
    let size = cp.size;
    if size > merkle::MAX_TREE_SIZE {
        return Err(AuditError::Malformed(format!("tree size {size} too large")));
    }
    if let Some(t) = params.trusted {
        if t.size > size {
            return Err(AuditError::Rollback {
                size,
                trusted_size: t.size,
            });
        }
        if t.size == size && t.root != cp.root {
            return Err(AuditError::Fork {
                size,
                root: cp.root,
                trusted_root: t.root,
            });
        }
    }
    let alg = params.alg;
    let mut log = MerkleLog::new(alg);
    let mut level0 = tiles.map(|reader| Level0 {
        reader,
        size,
        index: 0,
        bytes: None,
        loaded: 0,
    });
    let mut tiles_checked = 0u64;
    let mut it = leaf_hashes.into_iter().peekable();
    let check_trusted = |log: &MerkleLog| -> Result<(), AuditError> {
        if let Some(t) = params.trusted
            && t.size == log.size()
        {
            let computed = log.root();
            if computed != t.root {
                return Err(AuditError::TrustedRootMismatch {
                    trusted_size: t.size,
                    computed,
                    trusted_root: t.root,
                });
            }
        }
        Ok(())
    };
    check_trusted(&log)?;
    for i in 0..size {
        let Some(h) = it.next() else {
            return Err(AuditError::MissingTail { index: i, size });
        };
        if let Some(l0) = level0.as_mut() {
            let stored = l0.leaf(i)?;
            if stored != h {
                return Err(classify(i, h, it.peek().copied(), stored, l0.peek(i + 1)));
            }
        }
        log.append_leaf_hash(h);
        if log.has_completed() {
            for w in log.take_completed() {
                // Level 0 was compared leaf by leaf above.
                if w.tile.level > 0
                    && let Some(r) = tiles
                {
                    compare_tile(r, w.tile, &w.bytes)?;
                    tiles_checked += 1;
                }
            }
        }
        check_trusted(&log)?;
    }
    if let Some(r) = tiles {
        // The partial right edge of every level above 0.
        for level in 1..8u8 {
            let edge = log.edge(level as usize);
            if edge.is_empty() {
                continue;
            }
            let hashes = size >> (TILE_HEIGHT * level as u32);
            let tile = TileId {
                level,
                index: hashes / TILE_WIDTH,
                width: (hashes % TILE_WIDTH) as u16,
            };
            compare_tile(r, tile, edge)?;
            tiles_checked += 1;
        }
    }
    // Counted where they were compared: level 0 leaf by leaf, the others as they completed
    // or at the right edge.
    tiles_checked += level0.as_ref().map_or(0, |l0| l0.loaded);
    let computed = log.root();
    if computed != cp.root {
        return Err(AuditError::RootMismatch {
            size,
            expected: cp.root,
            computed,
        });
    }
    let beyond = it.count() as u64;
    Ok(AuditReport {
        checkpoint: cp,
        signatures: opened.verified,
        leaves_checked: size,
        tiles_checked,
        leaves_beyond_checkpoint: beyond,
        consistent_with_trusted: params.trusted.is_some(),
        evidence_checked: 0,
    })
}

/// Names what happened at the first index where the given leaf differs from the log.
fn classify(
    i: u64,
    got: Hash,
    next_got: Option<Hash>,
    stored: Hash,
    next_stored: Option<Hash>,
) -> AuditError {
    let got_is_next = next_stored == Some(got);
    let next_is_this = next_got == Some(stored);
    match (got_is_next, next_is_this) {
        (true, true) => AuditError::SwappedLeaves { index: i },
        (true, false) => AuditError::MissingLeaf { index: i },
        (false, true) => AuditError::InsertedLeaf { index: i },
        (false, false) => AuditError::EditedLeaf {
            index: i,
            expected: stored,
            actual: got,
        },
    }
}

/// Same as [`audit_leaf_hashes`] from leaf inputs (e.g. the event store's leaf bytes or the
/// entries of entry bundles); hashes each with the RFC 6962 leaf prefix.
pub fn audit_leaf_inputs<I, B>(
    params: &AuditParams<'_>,
    leaf_inputs: I,
    tiles: Option<&dyn TileReader>,
) -> Result<AuditReport, AuditError>
where
    I: IntoIterator<Item = B>,
    B: AsRef<[u8]>,
{
    let alg = params.alg;
    audit_leaf_hashes(
        params,
        leaf_inputs.into_iter().map(|b| alg.leaf_hash(b.as_ref())),
        tiles,
    )
}

/// Why a single-leaf proof (e.g. in an exported case file) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InclusionError {
    /// The checkpoint did not verify.
    #[error(transparent)]
    Checkpoint(#[from] AuditError),
    /// The proof did not verify.
    #[error(transparent)]
    Proof(#[from] ProofError),
}

/// Verifies that `leaf_input` is leaf `index` of the log whose signed checkpoint is given —
/// the check a case-file package (REC-5) carries for each event.
pub fn verify_leaf_in_checkpoint(
    alg: HashAlg,
    keys: &TrustedKeys,
    origin: Option<&str>,
    checkpoint: &str,
    leaf_input: &[u8],
    index: u64,
    proof: &[Hash],
) -> Result<Checkpoint, InclusionError> {
    let cp = open_checkpoint(checkpoint, keys, origin)
        .map_err(AuditError::from)?
        .checkpoint;
    merkle::verify_inclusion(
        alg,
        &alg.leaf_hash(leaf_input),
        index,
        cp.size,
        proof,
        &cp.root,
    )?;
    Ok(cp)
}
