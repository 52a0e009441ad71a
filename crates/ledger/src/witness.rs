//! C2SP tlog-witness logic (no HTTP, no storage, no clock): a witness keeps, per log origin,
//! the latest tree head it cosigned; it accepts a newer checkpoint with a consistency proof
//! from that size and returns a `cosignature/v1`.
//!
//! Persistence and atomicity are the caller's: load the state, call
//! [`Witness::add_checkpoint`], and store the new [`TreeHead`] with a compare-and-swap on the
//! old size before returning the cosignature (tlog-witness requires this to prevent a race
//! from rolling the state back).

use std::collections::BTreeMap;

use crate::checkpoint::Checkpoint;
use crate::hash::{Hash, HashAlg};
use crate::merkle::{self, ProofError, TreeHead};
use crate::note::{KeyError, NoteError, NoteSignature, SignedNote, Signer, TrustedKeys};

/// Most consistency proof lines a request may carry (tlog-witness).
pub const MAX_PROOF_LINES: usize = 63;

/// An `add-checkpoint` request body: `old <size>\n`, proof lines, blank line, checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// Size of the previous checkpoint the client believes the witness holds.
    pub old_size: u64,
    /// Consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The signed checkpoint note.
    pub checkpoint: String,
}

impl AddCheckpoint {
    /// Request body text.
    pub fn to_body(&self) -> String {
        let mut s = format!("old {}\n", self.old_size);
        for p in &self.proof {
            s.push_str(&p.to_base64());
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }

    /// Parses a request body.
    pub fn parse(body: &str) -> Result<AddCheckpoint, WitnessError> {
        let bad = |m: &str| WitnessError::Malformed(m.into());
        let (head, checkpoint) = body
            .split_once("\n\n")
            .ok_or_else(|| bad("missing blank line before checkpoint"))?;
        let mut lines = head.split('\n');
        let old = lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .ok_or_else(|| bad("first line must be \"old <size>\""))?;
        let old_size = crate::tiles::parse_decimal(old)
            .ok_or_else(|| bad("old size must be a 64-bit decimal without leading zeroes"))?;
        let proof = lines
            .map(|l| Hash::from_base64(l).ok_or_else(|| bad("proof line is not a base64 hash")))
            .collect::<Result<Vec<_>, _>>()?;
        if proof.len() > MAX_PROOF_LINES {
            return Err(bad("too many proof lines"));
        }
        Ok(AddCheckpoint {
            old_size,
            proof,
            checkpoint: checkpoint.into(),
        })
    }
}

/// Why a witness refused a checkpoint. [`WitnessError::http_status`] gives the tlog-witness
/// status code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessError {
    /// Request or checkpoint is malformed (400).
    #[error("malformed request: {0}")]
    Malformed(String),
    /// The witness does not know this log (404).
    #[error("unknown log origin {0:?}")]
    UnknownOrigin(String),
    /// No signature from the log's trusted keys, or a bad one (403).
    #[error("checkpoint signature rejected: {0}")]
    Signature(NoteError),
    /// The checkpoint is smaller than the size the witness already cosigned (400): the log
    /// rolled back.
    #[error("rollback: witness holds size {latest}, checkpoint has size {submitted}")]
    Rollback {
        /// Size the witness holds.
        latest: u64,
        /// Size submitted.
        submitted: u64,
    },
    /// `old` is larger than the checkpoint size (400).
    #[error("old size {old} is larger than checkpoint size {size}")]
    OldSizeTooLarge {
        /// Old size in the request.
        old: u64,
        /// Checkpoint size.
        size: u64,
    },
    /// The client's old size is not the size the witness holds (409, body: `latest\n`).
    #[error("old size {old} does not match the latest cosigned size {latest}")]
    Conflict {
        /// Old size in the request.
        old: u64,
        /// Size the witness holds.
        latest: u64,
    },
    /// Same size as the witness holds but a different root: the log forked (409).
    #[error("fork: size {size} already cosigned with a different root")]
    Fork {
        /// The size.
        size: u64,
    },
    /// The consistency proof does not verify (422): a bad proof, or a fork at a larger size.
    #[error("consistency proof from {old} to {new} does not verify: {reason}")]
    BadProof {
        /// Old size.
        old: u64,
        /// New size.
        new: u64,
        /// Details.
        reason: ProofError,
    },
    /// The witness's own key cannot cosign.
    #[error("witness key: {0}")]
    Key(#[from] KeyError),
}

impl WitnessError {
    /// HTTP status per C2SP tlog-witness.
    pub fn http_status(&self) -> u16 {
        match self {
            WitnessError::Malformed(_)
            | WitnessError::Rollback { .. }
            | WitnessError::OldSizeTooLarge { .. } => 400,
            WitnessError::UnknownOrigin(_) => 404,
            WitnessError::Signature(_) => 403,
            WitnessError::Conflict { .. } | WitnessError::Fork { .. } => 409,
            WitnessError::BadProof { .. } => 422,
            WitnessError::Key(_) => 500,
        }
    }
}

/// What the witness knows about one log.
#[derive(Clone, Debug)]
pub struct WitnessedLog {
    /// Hash algorithm of the log's tree.
    pub alg: HashAlg,
    /// Keys that sign the log's checkpoints.
    pub keys: TrustedKeys,
    /// Latest cosigned tree head (`None`: never cosigned; old size must be 0).
    pub latest: Option<TreeHead>,
}

/// Successful `add-checkpoint`: the new state to persist and the cosignature to return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosigned {
    /// Origin of the log.
    pub origin: String,
    /// Tree head to persist as the latest (compare-and-swap against the old size).
    pub head: TreeHead,
    /// The cosignature.
    pub signature: NoteSignature,
}

impl Cosigned {
    /// Response body: the cosignature line(s).
    pub fn response_body(&self) -> String {
        self.signature.to_line()
    }
}

/// A witness: its cosigning key and the logs it follows.
#[derive(Clone, Debug)]
pub struct Witness {
    key: Signer,
    logs: BTreeMap<String, WitnessedLog>,
}

impl Witness {
    /// A witness signing with `key` (must be a [`crate::note::KeyAlg::CosignatureV1`] key).
    pub fn new(key: Signer) -> Result<Witness, WitnessError> {
        if key.alg() != crate::note::KeyAlg::CosignatureV1 {
            return Err(KeyError::WrongKeyType(key.alg()).into());
        }
        Ok(Witness {
            key,
            logs: BTreeMap::new(),
        })
    }

    /// The witness's cosigning key.
    pub fn key(&self) -> &Signer {
        &self.key
    }

    /// Follows a log (or replaces its configuration), with the latest head loaded from storage.
    pub fn add_log(
        &mut self,
        origin: &str,
        alg: HashAlg,
        keys: TrustedKeys,
        latest: Option<TreeHead>,
    ) {
        self.logs
            .insert(origin.into(), WitnessedLog { alg, keys, latest });
    }

    /// State of one log.
    pub fn log(&self, origin: &str) -> Option<&WitnessedLog> {
        self.logs.get(origin)
    }

    /// Handles an `add-checkpoint` request at time `now` (POSIX seconds). On success the
    /// in-memory state is updated; the caller persists [`Cosigned::head`] atomically.
    pub fn add_checkpoint(
        &mut self,
        req: &AddCheckpoint,
        now: u64,
    ) -> Result<Cosigned, WitnessError> {
        let note = SignedNote::parse(&req.checkpoint)
            .map_err(|e| WitnessError::Malformed(e.to_string()))?;
        let cp = Checkpoint::parse_text(&note.text)
            .map_err(|e| WitnessError::Malformed(e.to_string()))?;
        let log = self
            .logs
            .get_mut(&cp.origin)
            .ok_or_else(|| WitnessError::UnknownOrigin(cp.origin.clone()))?;
        note.verify(&log.keys).map_err(WitnessError::Signature)?;
        let latest_size = log.latest.map_or(0, |h| h.size);
        if req.old_size > cp.size {
            if req.old_size == latest_size {
                return Err(WitnessError::Rollback {
                    latest: latest_size,
                    submitted: cp.size,
                });
            }
            return Err(WitnessError::OldSizeTooLarge {
                old: req.old_size,
                size: cp.size,
            });
        }
        if req.old_size != latest_size {
            return Err(WitnessError::Conflict {
                old: req.old_size,
                latest: latest_size,
            });
        }
        let new = cp.tree_head();
        if let Some(old) = log.latest {
            if old.size == new.size && old.root != new.root {
                return Err(WitnessError::Fork { size: old.size });
            }
            merkle::verify_consistency(log.alg, &old, &new, &req.proof).map_err(|reason| {
                WitnessError::BadProof {
                    old: old.size,
                    new: new.size,
                    reason,
                }
            })?;
        } else if !req.proof.is_empty() {
            return Err(WitnessError::BadProof {
                old: 0,
                new: new.size,
                reason: ProofError::WrongLength {
                    got: req.proof.len(),
                    expected: 0,
                },
            });
        }
        let signature = self.key.cosign(&note.text, now)?;
        log.latest = Some(new);
        Ok(Cosigned {
            origin: cp.origin,
            head: new,
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::MerkleLog;
    use crate::note::KeyAlg;
    use crate::tiles::MemoryTiles;

    const ORIGIN: &str = "zhifa.example/county-log";

    struct Fixture {
        log: MerkleLog,
        tiles: MemoryTiles,
        key: Signer,
        witness: Witness,
    }

    fn fixture() -> Fixture {
        let key = Signer::generate(ORIGIN, KeyAlg::Sm2).unwrap();
        let wkey =
            Signer::generate("zhifa.example/province-witness", KeyAlg::CosignatureV1).unwrap();
        let mut witness = Witness::new(wkey).unwrap();
        witness.add_log(
            ORIGIN,
            HashAlg::Sm3,
            [key.verifier()].into_iter().collect(),
            None,
        );
        Fixture {
            log: MerkleLog::new(HashAlg::Sm3),
            tiles: MemoryTiles::new(),
            key,
            witness,
        }
    }

    impl Fixture {
        fn grow(&mut self, n: u64) -> String {
            for _ in 0..n {
                let i = self.log.size();
                self.log.append(&i.to_be_bytes());
            }
            self.tiles.apply(self.log.take_tile_writes());
            self.log
                .checkpoint(ORIGIN)
                .sign(&[&self.key])
                .unwrap()
                .to_string()
        }
        fn request(&self, old: u64, cp: String) -> AddCheckpoint {
            AddCheckpoint {
                old_size: old,
                proof: self.log.prove_consistency(&self.tiles, old).unwrap(),
                checkpoint: cp,
            }
        }
    }

    #[test]
    fn happy_path_and_cosignature_verifies() {
        let mut f = fixture();
        let cp = f.grow(10);
        let req = f.request(0, cp.clone());
        let req = AddCheckpoint::parse(&req.to_body()).unwrap();
        let out = f.witness.add_checkpoint(&req, 1_764_115_200).unwrap();
        assert_eq!(out.head.size, 10);
        // Client side: attach the cosignature and verify with the witness key.
        let mut note = SignedNote::parse(&cp).unwrap();
        note.add_signatures([out.signature.clone()]);
        let wkeys: TrustedKeys = [f.witness.key().verifier()].into_iter().collect();
        let v = note.verify(&wkeys).unwrap();
        assert_eq!(v[0].timestamp, Some(1_764_115_200));
        assert!(
            out.response_body()
                .starts_with("\u{2014} zhifa.example/province-witness ")
        );

        let cp2 = f.grow(300);
        let out2 = f
            .witness
            .add_checkpoint(&f.request(10, cp2.clone()), 1_764_115_260)
            .unwrap();
        assert_eq!(out2.head.size, 310);
        // Same checkpoint again: old == size, same root, empty proof: accepted.
        f.witness
            .add_checkpoint(&f.request(310, cp2), 1_764_115_270)
            .unwrap();
    }

    #[test]
    fn refusals() {
        let mut f = fixture();
        let cp = f.grow(20);
        f.witness.add_checkpoint(&f.request(0, cp), 1).unwrap();

        // Conflict: client thinks the witness is at 0.
        let cp30 = f.grow(10);
        let e = f
            .witness
            .add_checkpoint(&f.request(0, cp30.clone()), 2)
            .unwrap_err();
        assert_eq!(e, WitnessError::Conflict { old: 0, latest: 20 });
        assert_eq!(e.http_status(), 409);

        // Bad proof.
        let mut req = f.request(20, cp30.clone());
        req.proof[0].0[0] ^= 1;
        let e = f.witness.add_checkpoint(&req, 3).unwrap_err();
        assert!(matches!(e, WitnessError::BadProof { .. }));
        assert_eq!(e.http_status(), 422);

        // Unknown origin.
        let other = Signer::generate("other.example/log", KeyAlg::Ed25519).unwrap();
        let c = Checkpoint::new("other.example/log", f.log.tree_head());
        let req = AddCheckpoint {
            old_size: 0,
            proof: vec![],
            checkpoint: c.sign(&[&other]).unwrap().to_string(),
        };
        assert_eq!(
            f.witness.add_checkpoint(&req, 4).unwrap_err().http_status(),
            404
        );

        // Signed by an untrusted key.
        let intruder = Signer::generate(ORIGIN, KeyAlg::Sm2).unwrap();
        let req = AddCheckpoint {
            old_size: 20,
            proof: f.log.prove_consistency(&f.tiles, 20).unwrap(),
            checkpoint: f
                .log
                .checkpoint(ORIGIN)
                .sign(&[&intruder])
                .unwrap()
                .to_string(),
        };
        let e = f.witness.add_checkpoint(&req, 5).unwrap_err();
        assert!(matches!(
            e,
            WitnessError::Signature(NoteError::UnknownKey { .. })
        ));
        assert_eq!(e.http_status(), 403);

        // Fork: same size 20, different root, signed by the real log key.
        let forked = Checkpoint {
            origin: ORIGIN.into(),
            size: 20,
            root: Hash([9; 32]),
            extensions: vec![],
        };
        let req = AddCheckpoint {
            old_size: 20,
            proof: vec![],
            checkpoint: forked.sign(&[&f.key]).unwrap().to_string(),
        };
        let e = f.witness.add_checkpoint(&req, 6).unwrap_err();
        assert_eq!(e, WitnessError::Fork { size: 20 });

        // Rollback: a correctly signed checkpoint of size 10 < 20.
        let small = Checkpoint {
            origin: ORIGIN.into(),
            size: 10,
            root: Hash([1; 32]),
            extensions: vec![],
        };
        let req = AddCheckpoint {
            old_size: 20,
            proof: vec![],
            checkpoint: small.sign(&[&f.key]).unwrap().to_string(),
        };
        let e = f.witness.add_checkpoint(&req, 7).unwrap_err();
        assert_eq!(
            e,
            WitnessError::Rollback {
                latest: 20,
                submitted: 10
            }
        );
        assert_eq!(e.http_status(), 400);

        // Fork at a larger size: a different history of 30 leaves fails the proof.
        let mut alt = MerkleLog::new(HashAlg::Sm3);
        let mut alt_tiles = MemoryTiles::new();
        for i in 0..30u64 {
            alt.append(&(i + 1000).to_be_bytes());
        }
        alt_tiles.apply(alt.take_tile_writes());
        let req = AddCheckpoint {
            old_size: 20,
            proof: alt.prove_consistency(&alt_tiles, 20).unwrap(),
            checkpoint: alt.checkpoint(ORIGIN).sign(&[&f.key]).unwrap().to_string(),
        };
        assert!(matches!(
            f.witness.add_checkpoint(&req, 8).unwrap_err(),
            WitnessError::BadProof { .. }
        ));

        // State unchanged by refusals; the honest checkpoint still goes through.
        assert_eq!(f.witness.log(ORIGIN).unwrap().latest.unwrap().size, 20);
        f.witness.add_checkpoint(&f.request(20, cp30), 9).unwrap();
    }

    #[test]
    fn parse_errors() {
        assert!(AddCheckpoint::parse("old 01\n\nx").is_err());
        assert!(AddCheckpoint::parse("old 1\nnot-base64\n\nx").is_err());
        assert!(AddCheckpoint::parse("new 1\n\nx").is_err());
        assert!(AddCheckpoint::parse("old 1\n").is_err());
    }
}
