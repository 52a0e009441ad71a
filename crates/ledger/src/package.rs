//! Self-verifying packages (REC-5, REC-6): some records of a log, each with the exact leaf it
//! is, an inclusion proof against one signed checkpoint, and the evidence files those records
//! name. An outsider checks a package offline: signatures, every proof, every file's hash.
//! Exported case files use this format; so does the proof of a single record.
//!
//! On disk a package is a directory holding `manifest.json` (a [`Package`]) and the files under
//! the relative paths the manifest gives (`files/…`). A manifest alone is also a package: its
//! records are proven, its files are reported as not supplied.

use crate::audit::AuditError;
use crate::checkpoint::{Checkpoint, open_checkpoint};
use crate::hash::{ContentHash, Hash, HashAlg};
use crate::merkle::{ProofError, verify_inclusion};
use crate::note::TrustedKeys;
use serde::{Deserialize, Serialize};

/// The `format` value of this version of the package.
pub const FORMAT: &str = "zhifa-package/1";

/// A package's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Always [`FORMAT`].
    pub format: String,
    /// What the package holds, for people (e.g. the case or record it proves).
    pub title: String,
    /// The log's origin line.
    pub origin: String,
    /// The log's hash.
    pub hash: HashAlg,
    /// The signed checkpoint (signed note) every proof is against.
    pub checkpoint: String,
    /// The log's verifier keys as published (`name+keyid+base64`). An auditor should compare
    /// them with the keys they obtained independently (`--trusted-keys`).
    pub verifier_keys: Vec<String>,
    /// The records, in log order.
    pub entries: Vec<PackageEntry>,
    /// Evidence files named by the records.
    #[serde(default)]
    pub files: Vec<PackageFile>,
}

/// One record: the leaf input (the JSON text the leaf hash covers) and its inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageEntry {
    /// Leaf index (= event sequence number − 1).
    pub index: u64,
    /// The leaf input, exactly as hashed: `zhifa-leaf/1` and a newline, then the event as
    /// canonical JSON with personal data as salted commitments.
    pub leaf: String,
    /// Inclusion proof in the checkpoint's tree, RFC 9162 order.
    pub proof: Vec<Hash>,
}

/// An evidence file: where it is in the package and the hash its record committed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageFile {
    /// Leaf index of the record that received the file.
    pub index: u64,
    /// Path inside the package directory (relative, `/`-separated, no `..`).
    pub path: String,
    /// The file's name as handed in.
    pub name: String,
    /// Its content hash.
    pub content: ContentHash,
}

/// What a successful check covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageReport {
    /// The checkpoint every proof was checked against.
    pub checkpoint: Checkpoint,
    /// Records proven.
    pub entries: usize,
    /// Files re-hashed and matching.
    pub files_checked: usize,
    /// Files named by the manifest but not supplied (their hashes are still proven).
    pub files_not_supplied: Vec<String>,
}

/// The first thing wrong with a package.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackageError {
    /// Not a package of this format, or inconsistent in itself.
    #[error("malformed package: {0}")]
    Malformed(String),
    /// The checkpoint does not verify with the trusted keys.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] AuditError),
    /// A record is not in the log as the checkpoint describes it.
    #[error("record at leaf {index}: {problem}")]
    Entry {
        /// Leaf index.
        index: u64,
        /// What failed.
        problem: String,
    },
    /// A file does not match the hash its record committed to.
    #[error("evidence file {path} (leaf {index}): {problem}")]
    File {
        /// Leaf index of its record.
        index: u64,
        /// Path in the package.
        path: String,
        /// What failed.
        problem: String,
    },
}

impl PackageError {
    /// The leaf index the error names, if any.
    pub fn leaf_index(&self) -> Option<u64> {
        match self {
            PackageError::Entry { index, .. } | PackageError::File { index, .. } => Some(*index),
            _ => None,
        }
    }
}

/// Is `path` a safe relative path inside the package?
pub fn is_safe_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

/// The keys to check a package with: those the auditor trusts, or else the package's own.
pub fn package_keys(pkg: &Package) -> Result<TrustedKeys, PackageError> {
    TrustedKeys::from_text(&pkg.verifier_keys.join("\n"))
        .map_err(|e| PackageError::Malformed(format!("verifier keys: {e}")))
}

/// Checks a package: the checkpoint's signatures with `keys`, every record's inclusion proof,
/// that every file is named by its record, and each supplied file's hash. `file_hash` re-hashes
/// a file of the package (`Ok(None)`: not supplied). Stops at the first problem, in log order.
pub fn verify_package(
    pkg: &Package,
    keys: &TrustedKeys,
    file_hash: &mut dyn FnMut(&PackageFile) -> Result<Option<ContentHash>, String>,
) -> Result<PackageReport, PackageError> {
    if pkg.format != FORMAT {
        return Err(PackageError::Malformed(format!(
            "format {:?}, expected {FORMAT:?}",
            pkg.format
        )));
    }
    let cp = open_checkpoint(&pkg.checkpoint, keys, Some(&pkg.origin))
        .map_err(AuditError::from)?
        .checkpoint;
    let alg = pkg.hash;
    let mut last: Option<u64> = None;
    let mut leaves = std::collections::BTreeMap::new();
    for e in &pkg.entries {
        if last.is_some_and(|l| e.index <= l) {
            return Err(PackageError::Malformed(format!(
                "records out of log order at leaf {}",
                e.index
            )));
        }
        last = Some(e.index);
        let bad = |problem: String| PackageError::Entry {
            index: e.index,
            problem,
        };
        verify_inclusion(
            alg,
            &alg.leaf_hash(e.leaf.as_bytes()),
            e.index,
            cp.size,
            &e.proof,
            &cp.root,
        )
        .map_err(|p| match p {
            ProofError::IndexOutOfRange { .. } => bad(format!(
                "beyond the checkpoint's {} records",
                cp.size
            )),
            other => bad(format!(
                "not in the signed log as given (the record was changed, or the proof is wrong: {other})"
            )),
        })?;
        let json = std::str::from_utf8(crate::leaf::LEAF_V1_PREFIX)
            .ok()
            .and_then(|p| e.leaf.strip_prefix(p))
            .ok_or_else(|| bad("leaf is not a zhifa-leaf/1 record".into()))?;
        let v: serde_json::Value =
            serde_json::from_str(json).map_err(|err| bad(format!("leaf is not JSON: {err}")))?;
        if v.get("seq").and_then(|s| s.as_u64()) != Some(e.index + 1) {
            return Err(bad("leaf's seq does not match its index".into()));
        }
        leaves.insert(e.index, v);
    }
    let mut files_checked = 0;
    let mut not_supplied = Vec::new();
    let mut files: Vec<&PackageFile> = pkg.files.iter().collect();
    files.sort_by_key(|f| f.index);
    for f in files {
        let bad = |problem: String| PackageError::File {
            index: f.index,
            path: f.path.clone(),
            problem,
        };
        if !is_safe_path(&f.path) {
            return Err(bad("path leaves the package".into()));
        }
        let Some(leaf) = leaves.get(&f.index) else {
            return Err(bad("no record of the package received this file".into()));
        };
        let data = &leaf["payload"]["data"];
        let recorded = ContentHash::from_parts(
            data["hash_alg"].as_str().unwrap_or_default(),
            data["hash"].as_str().unwrap_or_default(),
            data["size"].as_u64().unwrap_or_default(),
        );
        if recorded != Some(f.content) {
            return Err(bad(
                "its record does not commit to this hash and size".into()
            ));
        }
        match file_hash(f).map_err(&bad)? {
            None => not_supplied.push(f.path.clone()),
            Some(actual) if actual == f.content => files_checked += 1,
            Some(actual) => {
                return Err(bad(format!(
                    "the file was changed: it hashes to {}:{} ({} bytes), its record committed to {}:{} ({} bytes)",
                    actual.alg,
                    actual.hash,
                    actual.size,
                    f.content.alg,
                    f.content.hash,
                    f.content.size
                )));
            }
        }
    }
    Ok(PackageReport {
        checkpoint: cp,
        entries: pkg.entries.len(),
        files_checked,
        files_not_supplied: not_supplied,
    })
}
