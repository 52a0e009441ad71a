//! C2SP tlog-tiles: tile coordinates and paths, tile contents, the [`TileReader`] storage
//! trait, an in-memory store, and proof generation that reads hashes from tiles.
//!
//! A tile at level `L`, index `N` holds up to 256 consecutive tree hashes at tree height `8L`:
//! entry `i` is `MTH(D[(N*256+i) * 256^L .. (N*256+i+1) * 256^L])`. Level-0 tiles hold leaf
//! hashes. Tiles are the *only* persistent tree state: every other node is recomputed from at
//! most one tile (≤ 255 hashes), and the right frontier is rebuilt from the partial tiles
//! (see [`crate::log::MerkleLog::restore`]).
//!
//! Storage model for the server: one row per `(level, index)` holding the tile's current
//! bytes. A full tile (8192 bytes) is written once and never changes; the rightmost tile of
//! each level is partial and is rewritten as it grows. A request for the partial tile
//! `tile/L/N.p/W` is served from the first `W*32` bytes of that row, whether it has since
//! grown or become full, because tree hashes never change once complete.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use crate::hash::{HASH_LEN, Hash, HashAlg};
use crate::merkle::{self, NodeSource, ProofError, TreeHead};

/// Hashes per full tile (tile height 8).
pub const TILE_WIDTH: u64 = 256;
/// Tree levels per tile level.
pub const TILE_HEIGHT: u32 = 8;
/// Bytes in a full tile.
pub const FULL_TILE_BYTES: usize = TILE_WIDTH as usize * HASH_LEN;

/// Coordinates of a tile: level, index within the level, and width (1..=256 hashes; 256 is a
/// full tile).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// Tile level (tree height / 8).
    pub level: u8,
    /// Index of the tile within its level.
    pub index: u64,
    /// Number of hashes (1..=256).
    pub width: u16,
}

impl TileId {
    /// True for a 256-wide tile.
    pub fn is_full(&self) -> bool {
        self.width as u64 == TILE_WIDTH
    }

    /// Bytes of this tile: `width * 32`.
    pub fn byte_len(&self) -> usize {
        self.width as usize * HASH_LEN
    }

    /// Relative URL path, e.g. `tile/0/x001/x234/067` or `tile/1/005.p/17`.
    pub fn path(&self) -> String {
        let mut s = format!("tile/{}/{}", self.level, encode_index(self.index));
        if !self.is_full() {
            s.push_str(&format!(".p/{}", self.width));
        }
        s
    }

    /// Parses a path produced by [`TileId::path`] (without the log prefix).
    pub fn parse_path(path: &str) -> Result<TileId, TilePathError> {
        let rest = path
            .strip_prefix("tile/")
            .ok_or_else(|| TilePathError(path.into()))?;
        let (level, rest) = rest
            .split_once('/')
            .ok_or_else(|| TilePathError(path.into()))?;
        if level == "entries" {
            return Err(TilePathError(path.into()));
        }
        let level = parse_decimal(level)
            .filter(|l| *l <= 63)
            .ok_or_else(|| TilePathError(path.into()))? as u8;
        let (index, width) = parse_index_width(rest).ok_or_else(|| TilePathError(path.into()))?;
        Ok(TileId {
            level,
            index,
            width,
        })
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// A tile path that does not follow the C2SP tlog-tiles grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed tile path {0:?}")]
pub struct TilePathError(pub String);

/// Encodes a tile index as zero-padded 3-digit path elements, all but the last prefixed by
/// `x` (`1234067` → `x001/x234/067`).
pub fn encode_index(mut n: u64) -> String {
    let mut parts = vec![format!("{:03}", n % 1000)];
    n /= 1000;
    while n > 0 {
        parts.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join("/")
}

/// A C2SP decimal: digits only, no leading zero, within 64 bits.
pub(crate) fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

fn parse_index_width(s: &str) -> Option<(u64, u16)> {
    let (idx, width) = match s.split_once(".p/") {
        Some((i, w)) => {
            let w = parse_decimal(w)?;
            if !(1..=255).contains(&w) {
                return None;
            }
            (i, w as u16)
        }
        None => (s, TILE_WIDTH as u16),
    };
    let elems: Vec<&str> = idx.split('/').collect();
    let mut n: u64 = 0;
    for (k, e) in elems.iter().enumerate() {
        let last = k + 1 == elems.len();
        let digits = if last { *e } else { e.strip_prefix('x')? };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n = n
            .checked_mul(1000)?
            .checked_add(digits.parse::<u64>().ok()?)?;
    }
    // Reject non-canonical encodings such as `x000/005`.
    if encode_index(n) != idx {
        return None;
    }
    Some((n, width))
}

/// Path of an entry bundle, `tile/entries/<N>[.p/<W>]`.
pub fn entries_path(index: u64, width: u16) -> String {
    let mut s = format!("tile/entries/{}", encode_index(index));
    if width as u64 != TILE_WIDTH {
        s.push_str(&format!(".p/{width}"));
    }
    s
}

/// Encodes an entry bundle: each leaf input as a big-endian `u16` length then the bytes.
/// Fails on an entry longer than 65535 bytes (the C2SP format's limit).
pub fn encode_entry_bundle<I, E>(entries: I) -> Result<Vec<u8>, TilePathError>
where
    I: IntoIterator<Item = E>,
    E: AsRef<[u8]>,
{
    let mut out = Vec::new();
    for e in entries {
        let e = e.as_ref();
        let len = u16::try_from(e.len())
            .map_err(|_| TilePathError(format!("entry of {} bytes exceeds 65535", e.len())))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Decodes an entry bundle into its leaf inputs.
pub fn decode_entry_bundle(mut data: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        if data.len() < 2 {
            return None;
        }
        let len = u16::from_be_bytes([data[0], data[1]]) as usize;
        if data.len() < 2 + len {
            return None;
        }
        out.push(&data[2..2 + len]);
        data = &data[2 + len..];
    }
    Some(out)
}

/// Number of tile levels a tree of `size` has (levels with at least one hash).
pub fn tile_levels(size: u64) -> u8 {
    let mut l = 0u8;
    while l < 8 && (size >> (TILE_HEIGHT * l as u32)) > 0 {
        l += 1;
    }
    l
}

/// Width of tile `(level, index)` in a tree of `size`, or `None` if that tile is empty.
pub fn tile_width(level: u8, index: u64, size: u64) -> Option<u16> {
    let hashes = size.checked_shr(TILE_HEIGHT * level as u32).unwrap_or(0);
    let start = index.checked_mul(TILE_WIDTH)?;
    if hashes <= start {
        return None;
    }
    Some((hashes - start).min(TILE_WIDTH) as u16)
}

/// The partial (rightmost, not full) tiles of a tree of `size`, lowest level first. These are
/// the only tiles that change when the tree grows.
pub fn partial_tiles(size: u64) -> Vec<TileId> {
    (0..tile_levels(size))
        .filter_map(|level| {
            let hashes = size >> (TILE_HEIGHT * level as u32);
            let w = hashes % TILE_WIDTH;
            (w > 0).then_some(TileId {
                level,
                index: hashes / TILE_WIDTH,
                width: w as u16,
            })
        })
        .collect()
}

/// Every tile of a tree of `size` (full and partial), level by level. A tree of size 70,000
/// has 273 full + 1 partial level-0 tiles, 1 full + 1 partial level-1 tile and one partial
/// level-2 tile.
pub fn all_tiles(size: u64) -> impl Iterator<Item = TileId> {
    (0..tile_levels(size)).flat_map(move |level| {
        let hashes = size >> (TILE_HEIGHT * level as u32);
        let n = hashes.div_ceil(TILE_WIDTH);
        (0..n).map(move |index| TileId {
            level,
            index,
            width: (hashes - index * TILE_WIDTH).min(TILE_WIDTH) as u16,
        })
    })
}

/// Splits tile bytes into hashes (trailing partial bytes are ignored).
pub fn tile_hashes(bytes: &[u8]) -> impl Iterator<Item = Hash> + '_ {
    bytes
        .chunks_exact(HASH_LEN)
        .map(|c| Hash(c.try_into().expect("chunks_exact yields 32 bytes")))
}

/// The hash a full tile contributes to the level above: the MTH of its 256 entries (a perfect
/// subtree of height 8). `None` unless `bytes` is exactly a full tile.
pub fn tile_root(alg: HashAlg, bytes: &[u8]) -> Option<Hash> {
    if bytes.len() != FULL_TILE_BYTES {
        return None;
    }
    let mut buf: Vec<Hash> = tile_hashes(bytes).collect();
    Some(perfect_root(alg, &mut buf))
}

/// Root of a perfect subtree given its bottom row (length a power of two); clobbers `row`.
pub(crate) fn perfect_root(alg: HashAlg, row: &mut [Hash]) -> Hash {
    debug_assert!(row.len().is_power_of_two());
    let mut n = row.len();
    while n > 1 {
        for i in 0..n / 2 {
            row[i] = alg.node_hash(&row[2 * i], &row[2 * i + 1]);
        }
        n /= 2;
    }
    row[0]
}

/// A failure reading a tile from storage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileReadError {
    /// The tile is not stored.
    #[error("tile {0} is missing")]
    Missing(TileId),
    /// The stored tile is narrower than required.
    #[error("tile {tile} is too short: {have} bytes stored")]
    TooShort {
        /// The tile asked for.
        tile: TileId,
        /// Bytes available.
        have: usize,
    },
    /// The storage backend failed.
    #[error("tile storage error: {0}")]
    Storage(String),
}

/// Read access to stored tiles. The event store implements this over its tile table; the
/// offline verifier and tests use [`MemoryTiles`].
///
/// `read_tile` returns the tile's *current* stored bytes: at least `tile.width * 32` bytes,
/// possibly more (the row may have grown or become full since; callers use the prefix).
/// Return `Ok(None)` if no row exists.
///
/// The trait is synchronous so proof code stays pure. An async store first fetches the tiles
/// named by [`inclusion_proof_tiles`] / [`consistency_proof_tiles`] / [`root_tiles`] (a handful
/// of rows), puts them in a [`MemoryTiles`], then calls the proof function on it.
pub trait TileReader {
    /// Current bytes of tile `(tile.level, tile.index)`.
    fn read_tile(&self, tile: TileId) -> Result<Option<Cow<'_, [u8]>>, TileReadError>;
}

impl<T: TileReader + ?Sized> TileReader for &T {
    fn read_tile(&self, tile: TileId) -> Result<Option<Cow<'_, [u8]>>, TileReadError> {
        (**self).read_tile(tile)
    }
}

/// Bytes to serve for `tile` (e.g. parsed from a request path with [`TileId::parse_path`]):
/// exactly `tile.width * 32` bytes, the prefix of the stored row. The caller must only serve
/// tiles within its latest checkpoint's size ([`tile_width`]) so no unsigned state leaks.
pub fn read_tile_exact<R: TileReader + ?Sized>(
    reader: &R,
    tile: TileId,
) -> Result<Vec<u8>, TileReadError> {
    let bytes = reader
        .read_tile(tile)?
        .ok_or(TileReadError::Missing(tile))?;
    if bytes.len() < tile.byte_len() {
        return Err(TileReadError::TooShort {
            tile,
            have: bytes.len(),
        });
    }
    Ok(bytes[..tile.byte_len()].to_vec())
}

/// One tile to persist: upsert `bytes` at `(tile.level, tile.index)`.
#[derive(Clone, PartialEq, Eq)]
pub struct TileWrite {
    /// Coordinates; `width` is the new width.
    pub tile: TileId,
    /// Concatenated hashes, `tile.width * 32` bytes.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for TileWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TileWrite({}, {} bytes)", self.tile, self.bytes.len())
    }
}

/// In-memory tile store: for tests, the offline verifier and benchmarks.
#[derive(Clone, Debug, Default)]
pub struct MemoryTiles {
    // levels[level][index]; tiles are dense from index 0 in a real log.
    levels: Vec<Vec<Vec<u8>>>,
}

impl MemoryTiles {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Upserts one tile.
    pub fn put(&mut self, tile: TileId, bytes: Vec<u8>) {
        let l = tile.level as usize;
        if self.levels.len() <= l {
            self.levels.resize_with(l + 1, Vec::new);
        }
        let level = &mut self.levels[l];
        let i = tile.index as usize;
        if level.len() <= i {
            level.resize_with(i + 1, Vec::new);
        }
        level[i] = bytes;
    }

    /// Applies writes produced by [`crate::log::MerkleLog::take_tile_writes`].
    pub fn apply<I: IntoIterator<Item = TileWrite>>(&mut self, writes: I) {
        for w in writes {
            self.put(w.tile, w.bytes);
        }
    }

    /// Stored bytes of `(level, index)`, if any.
    pub fn get(&self, level: u8, index: u64) -> Option<&[u8]> {
        self.levels
            .get(level as usize)?
            .get(index as usize)
            .filter(|b| !b.is_empty())
            .map(Vec::as_slice)
    }

    /// Mutable access, for tests that corrupt storage.
    pub fn get_mut(&mut self, level: u8, index: u64) -> Option<&mut Vec<u8>> {
        self.levels.get_mut(level as usize)?.get_mut(index as usize)
    }

    /// Total bytes stored across all tiles.
    pub fn stored_bytes(&self) -> usize {
        self.levels.iter().flatten().map(Vec::len).sum()
    }

    /// Number of stored tiles (rows).
    pub fn tile_count(&self) -> usize {
        self.levels
            .iter()
            .flatten()
            .filter(|b| !b.is_empty())
            .count()
    }
}

impl TileReader for MemoryTiles {
    fn read_tile(&self, tile: TileId) -> Result<Option<Cow<'_, [u8]>>, TileReadError> {
        Ok(self.get(tile.level, tile.index).map(Cow::Borrowed))
    }
}

/// [`NodeSource`] reading hashes from tiles, caching each tile it reads for the duration of
/// one proof (a proof touches each tile at most a few times).
pub(crate) struct TileSource<'a, R: TileReader + ?Sized> {
    alg: HashAlg,
    reader: &'a R,
    size: u64,
    cache: HashMap<(u8, u64), Cow<'a, [u8]>>,
}

impl<'a, R: TileReader + ?Sized> TileSource<'a, R> {
    pub(crate) fn new(alg: HashAlg, reader: &'a R, size: u64) -> Self {
        TileSource {
            alg,
            reader,
            size,
            cache: HashMap::new(),
        }
    }
}

/// Where the hashes of perfect subtree `(height, index)` live: the tile, the first entry and
/// the number of entries (a power of two ≤ 128) whose perfect root is the wanted hash.
fn locate(height: u32, index: u64) -> (u8, u64, usize, usize) {
    let level = height / TILE_HEIGHT;
    let r = height % TILE_HEIGHT;
    let first = index << r;
    (
        level as u8,
        first / TILE_WIDTH,
        (first % TILE_WIDTH) as usize,
        1usize << r,
    )
}

impl<R: TileReader + ?Sized> NodeSource for TileSource<'_, R> {
    fn subtree(&mut self, height: u32, index: u64) -> Result<Hash, ProofError> {
        let (level, tindex, off, count) = locate(height, index);
        let width = tile_width(level, tindex, self.size).unwrap_or(0);
        let tile = TileId {
            level,
            index: tindex,
            width,
        };
        if !self.cache.contains_key(&(level, tindex)) {
            let bytes = self
                .reader
                .read_tile(tile)?
                .ok_or(TileReadError::Missing(tile))?;
            self.cache.insert((level, tindex), bytes);
        }
        let bytes = &self.cache[&(level, tindex)];
        let need = (off + count) * HASH_LEN;
        if bytes.len() < need {
            return Err(TileReadError::TooShort {
                tile,
                have: bytes.len(),
            }
            .into());
        }
        let mut row: Vec<Hash> = tile_hashes(&bytes[off * HASH_LEN..need]).collect();
        Ok(perfect_root(self.alg, &mut row))
    }
    fn alg(&self) -> HashAlg {
        self.alg
    }
}

/// Inclusion proof for leaf `index` in the tree of `size`, reading hashes from tiles.
pub fn prove_inclusion<R: TileReader + ?Sized>(
    alg: HashAlg,
    reader: &R,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    merkle::inclusion_path(&mut TileSource::new(alg, reader, size), index, size)
}

/// Consistency proof from tree size `old` to `new`, reading hashes from tiles.
pub fn prove_consistency<R: TileReader + ?Sized>(
    alg: HashAlg,
    reader: &R,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, ProofError> {
    merkle::consistency_path(&mut TileSource::new(alg, reader, new), old, new)
}

/// Root hash of the tree at any `size` the tiles cover (current or historical).
pub fn root_from_tiles<R: TileReader + ?Sized>(
    alg: HashAlg,
    reader: &R,
    size: u64,
) -> Result<TreeHead, ProofError> {
    let root = merkle::root_at(&mut TileSource::new(alg, reader, size), size)?;
    Ok(TreeHead { size, root })
}

/// Hash of leaf `index` as stored in its level-0 tile.
pub fn leaf_hash_from_tiles<R: TileReader + ?Sized>(
    alg: HashAlg,
    reader: &R,
    index: u64,
    size: u64,
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    TileSource::new(alg, reader, size).subtree(0, index)
}

fn tiles_of(nodes: &[(u32, u64)], size: u64) -> Vec<TileId> {
    let mut out: Vec<TileId> = nodes
        .iter()
        .map(|&(h, i)| {
            let (level, index, _, _) = locate(h, i);
            TileId {
                level,
                index,
                width: tile_width(level, index, size).unwrap_or(0),
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Tiles (with the width a C2SP client would fetch at `size`) that
/// [`prove_inclusion`]`(index, size)` reads. Lets an async store prefetch them.
pub fn inclusion_proof_tiles(index: u64, size: u64) -> Vec<TileId> {
    let mut rec = merkle::Recorder::default();
    if merkle::inclusion_path(&mut rec, index, size).is_err() {
        return Vec::new();
    }
    rec.nodes.push((0, index));
    tiles_of(&rec.nodes, size)
}

/// Tiles that [`prove_consistency`]`(old, new)` reads.
pub fn consistency_proof_tiles(old: u64, new: u64) -> Vec<TileId> {
    let mut rec = merkle::Recorder::default();
    if merkle::consistency_path(&mut rec, old, new).is_err() {
        return Vec::new();
    }
    tiles_of(&rec.nodes, new)
}

/// Tiles that [`root_from_tiles`]`(size)` reads.
pub fn root_tiles(size: u64) -> Vec<TileId> {
    let mut rec = merkle::Recorder::default();
    let _ = merkle::root_at(&mut rec, size);
    tiles_of(&rec.nodes, size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_encoding() {
        assert_eq!(encode_index(0), "000");
        assert_eq!(encode_index(5), "005");
        assert_eq!(encode_index(1000), "x001/000");
        assert_eq!(encode_index(1234067), "x001/x234/067");
        let t = TileId {
            level: 0,
            index: 1234067,
            width: 256,
        };
        assert_eq!(t.path(), "tile/0/x001/x234/067");
        assert_eq!(TileId::parse_path(&t.path()).unwrap(), t);
        let p = TileId {
            level: 1,
            index: 5,
            width: 17,
        };
        assert_eq!(p.path(), "tile/1/005.p/17");
        assert_eq!(TileId::parse_path("tile/1/005.p/17").unwrap(), p);
        for bad in [
            "tile/0/5",
            "tile/0/x000/005",
            "tile/0/005.p/0",
            "tile/0/005.p/256",
            "tile/0/005.p/017",
            "tile/64/000",
            "tile/01/000",
            "tile/0/001/002",
            "tile/entries/000",
        ] {
            assert!(TileId::parse_path(bad).is_err(), "{bad}");
        }
        assert_eq!(entries_path(1234067, 3), "tile/entries/x001/x234/067.p/3");
    }

    #[test]
    fn spec_example_70000() {
        let tiles: Vec<TileId> = all_tiles(70_000).collect();
        let l0: Vec<_> = tiles.iter().filter(|t| t.level == 0).collect();
        assert_eq!(l0.len(), 274);
        assert_eq!(l0.iter().filter(|t| t.is_full()).count(), 273);
        assert_eq!(l0.last().unwrap().width, 112);
        let l1: Vec<_> = tiles.iter().filter(|t| t.level == 1).collect();
        assert_eq!(l1.len(), 2);
        assert_eq!(l1[1].width, 17);
        let l2: Vec<_> = tiles.iter().filter(|t| t.level == 2).collect();
        assert_eq!(l2.len(), 1);
        assert_eq!(l2[0].width, 1);
        assert_eq!(partial_tiles(70_000).len(), 3);
        // A tree of size 256: one full level-0 tile and a partial level-1 tile of width 1.
        let t256: Vec<TileId> = all_tiles(256).collect();
        assert_eq!(t256.len(), 2);
        assert!(t256[0].is_full());
        assert_eq!((t256[1].level, t256[1].width), (1, 1));
    }

    #[test]
    fn entry_bundles() {
        let b = encode_entry_bundle([b"a".as_slice(), b"", b"xyz"]).unwrap();
        assert_eq!(
            decode_entry_bundle(&b).unwrap(),
            vec![b"a".as_slice(), b"", b"xyz"]
        );
        assert!(decode_entry_bundle(&[0, 5, 1]).is_none());
        assert!(encode_entry_bundle([vec![0u8; 70_000]]).is_err());
    }
}
