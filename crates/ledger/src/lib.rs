//! # zhifa-ledger — the tamper-evident record (REC-6)
//!
//! A pure core (no I/O, no database, no clock) for an append-only Merkle log whose signed
//! checkpoints let anyone outside detect any deletion, insertion, edit or reordering of the
//! enforcement record, and whose leaves commit to personal data only through salted hashes
//! so that data can be erased without breaking any proof.
//!
//! It follows Certificate Transparency (RFC 6962 / RFC 9162) and the C2SP specs used by
//! Trillian Tessera, Sunlight and Sigstore Rekor v2: `tlog-checkpoint`, `signed-note`,
//! `tlog-tiles`, `tlog-witness`, `tlog-cosignature`.
//!
//! ## Pieces
//!
//! | module | what |
//! |---|---|
//! | [`hash`] | [`HashAlg`] (SM3 default, SHA-256 option, fixed at log creation), RFC 6962 leaf (`0x00`) and node (`0x01`) hashing, evidence [`ContentHash`] |
//! | [`log`] | [`MerkleLog`]: append leaves, tree head, tile writes to persist, restart from tiles |
//! | [`tiles`] | C2SP tile ids/paths, [`TileReader`] (implemented by the store), [`MemoryTiles`], proofs read from tiles |
//! | [`merkle`] | inclusion / consistency proof verification (RFC 9162 §2.1.3–2.1.4), [`TreeHead`] |
//! | [`note`] | signed notes, [`Signer`] / [`VerifierKey`] (Ed25519, SM2, cosignature/v1), key ids, key text forms, [`TrustedKeys`] |
//! | [`checkpoint`] | [`Checkpoint`] text, signing, [`open_checkpoint`] |
//! | [`leaf`] | event → leaf: canonical JSON with salted commitments for personal fields; erasure |
//! | [`audit`] | offline verifier of a whole log, and of one leaf against a checkpoint |
//! | [`witness`] | tlog-witness state machine producing cosignatures |
//!
//! ## Typical use
//!
//! ```
//! use zhifa_ledger::*;
//!
//! // Create a log (SM3) and its signing key (store `to_private_text()` in a key file).
//! let key = Signer::generate("zhifa.example.gov.cn/ah", KeyAlg::Sm2).unwrap();
//! let mut log = MerkleLog::new(HashAlg::Sm3);
//! let mut store = MemoryTiles::new(); // the event store's tile table in production
//!
//! // Append leaves built from events, then persist the tile writes in the same transaction.
//! let salt = Salt::generate().unwrap();
//! let event = serde_json::json!({"type": "case_filed", "party": {"name": "张三"}});
//! let leaf = build_leaf(HashAlg::Sm3, &event, &["/party/name"], &salt).unwrap();
//! let (index, _leaf_hash) = log.append(&leaf.input);
//! for i in 0..10u64 { log.append(&i.to_be_bytes()); }
//! store.apply(log.take_tile_writes());
//!
//! // Sign a checkpoint (C2SP signed note).
//! let note = log.checkpoint("zhifa.example.gov.cn/ah").sign(&[&key]).unwrap().to_string();
//!
//! // Proofs read hashes from tiles.
//! let size = log.size();
//! let incl = tiles::prove_inclusion(HashAlg::Sm3, &store, index, size).unwrap();
//! let cons = tiles::prove_consistency(HashAlg::Sm3, &store, 5, size).unwrap();
//!
//! // Anyone with the verifier key checks them offline.
//! let keys: TrustedKeys = [key.verifier()].into_iter().collect();
//! let cp = open_checkpoint(&note, &keys, Some("zhifa.example.gov.cn/ah")).unwrap().checkpoint;
//! verify_inclusion(HashAlg::Sm3, &leaf.hash, index, cp.size, &incl, &cp.root).unwrap();
//! let old = tiles::root_from_tiles(HashAlg::Sm3, &store, 5).unwrap();
//! verify_consistency(HashAlg::Sm3, &old, &cp.tree_head(), &cons).unwrap();
//! ```
//!
//! ## Hashing
//!
//! `leaf hash = H(0x00 || leaf input)`, `node = H(0x01 || left || right)`, empty tree root
//! `H("")`, tree shape per RFC 6962 §2.1. With [`HashAlg::Sha256`] a log is an ordinary
//! RFC 6962 / C2SP log (checked against the `ct-merkle` crate in the tests) and any standard
//! client verifies it. [`HashAlg::Sm3`] swaps the function only. The checkpoint text does not
//! name the hash; verifiers configure it per origin, as they configure the keys.
//!
//! ## Leaf encoding
//!
//! `leaf input = "zhifa-leaf/1\n" || canonical JSON of the event`, in which each personal
//! field is replaced by `{"$commit":"<hex>"}` with
//! `commitment = H(0x02 || H(0x03 || event salt || JSON pointer) || canonical JSON of value)`.
//! Erasing the payload's personal values and the salt leaves the leaf input unchanged
//! ([`leaf::erase`]), so every proof stays valid. Evidence files enter as their content hash
//! ([`ContentHash`]: algorithm, hex, size in ordinary fields of the event). Details in [`leaf`].
//!
//! ## Signatures and keys
//!
//! Signed notes per C2SP `signed-note`: signature lines `— <name> base64(key id || sig)`, key
//! id = first 4 bytes of `SHA-256(name || 0x0A || type || public key)`, verifier keys
//! `name+hexid+base64(type || public key)`, private keys
//! `PRIVATE+KEY+name+hexid+base64(type || secret)`.
//!
//! - Ed25519: type `0x01`, standard.
//! - **SM2**: type `0xff` followed by the identifier `sm2-sm3` (the spec reserves `0xff` for
//!   unassigned types and recommends a following identifier), i.e. type bytes
//!   `ff 73 6d 32 2d 73 6d 33`. The signature is SM2 (GB/T 32918.2) with SM3 over the note
//!   text, with the default distinguishing ID `1234567812345678`, encoded as 64 bytes
//!   `r || s`. Public key: 65-byte uncompressed SEC1 point. Private key: 32-byte scalar.
//! - Witness cosignatures: `cosignature/v1`, type `0x04`, Ed25519 over
//!   `"cosignature/v1\ntime <t>\n" || checkpoint text`, signature `u64be(t) || sig`.
//!
//! Rotation: a checkpoint may carry several signatures; verifiers hold a [`TrustedKeys`] set
//! and accept a note when at least one trusted signature verifies and none fails.
//!
//! ## Storage: tiles
//!
//! The persistent tree is the set of C2SP tiles (256 hashes of 32 bytes; full tiles written
//! once, the right-edge partial tile of each level rewritten). That is 32 bytes per leaf for
//! level 0 plus 1/256 of that per level above: ≈ 32.13 bytes per leaf. [`MerkleLog`] keeps
//! O(log n) state and restarts by reading at most one tile per level. Proofs, historical
//! roots and the verifier read through [`TileReader`].
//!
//! ## Invariants and deliberate limits
//!
//! - No I/O, no database, no threads, no clock: time (witness cosignature timestamps) is
//!   passed in; randomness is used only by `Signer::generate` and `Salt::generate`.
//! - Append-only: there is no API to change or remove a leaf.
//! - An RFC 6962 inclusion proof does not bind the tree size on its own (a proof can verify
//!   for another size whose tree has the same shape along the path); the size is bound by
//!   the signed checkpoint. Always take size and root from one verified checkpoint.
//! - Tree sizes are limited to 2^62.
//! - Not done here: persistence and the atomic compare-and-swap of witness state, HTTP
//!   serving, choosing which fields are personal (the caller passes JSON pointers).

#![warn(missing_docs)]

pub mod audit;
pub mod checkpoint;
pub mod hash;
pub mod leaf;
pub mod log;
pub mod merkle;
pub mod note;
pub mod package;
pub mod tiles;
pub mod witness;

pub use audit::{
    AuditError, AuditParams, AuditReport, audit_leaf_hashes, audit_leaf_inputs,
    verify_leaf_in_checkpoint,
};
pub use checkpoint::{Checkpoint, VerifiedCheckpoint, open_checkpoint};
pub use hash::{ContentHash, ContentHasher, Hash, HashAlg};
pub use leaf::{Leaf, LeafError, Salt, build_leaf};
pub use log::{MerkleLog, RestoreError};
pub use merkle::{ProofError, TreeHead, verify_consistency, verify_inclusion};
pub use note::{KeyAlg, KeyError, NoteError, SignedNote, Signer, TrustedKeys, VerifierKey};
pub use package::{
    Package, PackageEntry, PackageError, PackageFile, PackageReport, verify_package,
};
pub use tiles::{MemoryTiles, TileId, TileReadError, TileReader, TileWrite};
pub use witness::{AddCheckpoint, Cosigned, Witness, WitnessError};
