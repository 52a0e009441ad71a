//! C2SP tlog-checkpoint: the note body `origin\nsize\nbase64(root)\n[extensions…]`.

use crate::hash::Hash;
use crate::merkle::TreeHead;
use crate::note::{KeyError, NoteError, SignedNote, Signer, TrustedKeys, VerifiedSignature};

/// An (unsigned) checkpoint body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Log identity, e.g. `zhifa.example.gov.cn/ah/log`.
    pub origin: String,
    /// Tree size.
    pub size: u64,
    /// Root hash at that size.
    pub root: Hash,
    /// Optional extension lines (not recommended; opaque).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint for `head` with no extension lines.
    pub fn new(origin: &str, head: TreeHead) -> Checkpoint {
        Checkpoint {
            origin: origin.into(),
            size: head.size,
            root: head.root,
            extensions: Vec::new(),
        }
    }

    /// The tree head it states.
    pub fn tree_head(&self) -> TreeHead {
        TreeHead {
            size: self.size,
            root: self.root,
        }
    }

    /// Note text: origin, decimal size, base64 root, extension lines, each ending in `\n`.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            self.root.to_base64()
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// The checkpoint a signed note carries, signatures not checked (for reading one's own
    /// stored notes; outsiders use [`open_checkpoint`]).
    pub fn from_note(note: &str) -> Result<Checkpoint, NoteError> {
        Checkpoint::parse_text(&SignedNote::parse(note)?.text)
    }

    /// Parses note text (the part above the blank line).
    pub fn parse_text(text: &str) -> Result<Checkpoint, NoteError> {
        let bad = |m: &str| NoteError::Malformed(format!("checkpoint: {m}"));
        let body = text
            .strip_suffix('\n')
            .ok_or_else(|| bad("text must end in a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| bad("empty origin"))?;
        let size = lines.next().ok_or_else(|| bad("missing size"))?;
        let size = crate::tiles::parse_decimal(size)
            .ok_or_else(|| bad("size must be a 64-bit decimal without leading zeroes"))?;
        let root = lines.next().ok_or_else(|| bad("missing root hash"))?;
        let root = Hash::from_base64(root).ok_or_else(|| bad("root is not base64 of 32 bytes"))?;
        let extensions: Vec<String> = lines.map(String::from).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(bad("empty extension line"));
        }
        Ok(Checkpoint {
            origin: origin.into(),
            size,
            root,
            extensions,
        })
    }

    /// Signs with one or more keys (several during key rotation). Ed25519 and SM2 keys only.
    pub fn sign(&self, signers: &[&Signer]) -> Result<SignedNote, KeyError> {
        let mut note =
            SignedNote::new(self.to_text()).map_err(|e| KeyError::Malformed(e.to_string()))?;
        for s in signers {
            note.sign(s)?;
        }
        Ok(note)
    }
}

/// A checkpoint whose signatures were verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCheckpoint {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// The note as received (all signature lines, including ones not verified).
    pub note: SignedNote,
    /// Signatures that verified against trusted keys.
    pub verified: Vec<VerifiedSignature>,
}

/// Parses a signed checkpoint and verifies it with the log's trusted keys (signed-note rules).
/// If `origin` is given, the checkpoint must be for that log.
pub fn open_checkpoint(
    note: &str,
    keys: &TrustedKeys,
    origin: Option<&str>,
) -> Result<VerifiedCheckpoint, NoteError> {
    let parsed = SignedNote::parse(note)?;
    let checkpoint = Checkpoint::parse_text(&parsed.text)?;
    if let Some(o) = origin
        && o != checkpoint.origin
    {
        return Err(NoteError::Malformed(format!(
            "checkpoint origin {:?} is not {:?}",
            checkpoint.origin, o
        )));
    }
    let verified = parsed.verify(keys)?;
    Ok(VerifiedCheckpoint {
        checkpoint,
        note: parsed,
        verified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::KeyAlg;

    #[test]
    fn roundtrip_and_parse_errors() {
        let c = Checkpoint::parse_text(
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        )
        .unwrap();
        assert_eq!(c.size, 20852163);
        assert_eq!(Checkpoint::parse_text(&c.to_text()).unwrap(), c);
        for bad in [
            "o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n",
            "o\n1\n",
            "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
            "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
            "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        ] {
            assert!(Checkpoint::parse_text(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sign_and_open() {
        let k = Signer::generate("zhifa.example/log", KeyAlg::Sm2).unwrap();
        let c = Checkpoint {
            origin: "zhifa.example/log".into(),
            size: 3,
            root: Hash([7; 32]),
            extensions: vec![],
        };
        let note = c.sign(&[&k]).unwrap().to_string();
        let keys: TrustedKeys = [k.verifier()].into_iter().collect();
        let v = open_checkpoint(&note, &keys, Some("zhifa.example/log")).unwrap();
        assert_eq!(v.checkpoint, c);
        assert!(open_checkpoint(&note, &keys, Some("other")).is_err());
        // Changing the size line breaks the signature.
        let tampered = note.replacen("\n3\n", "\n2\n", 1);
        assert!(matches!(
            open_checkpoint(&tampered, &keys, None),
            Err(NoteError::BadSignature { .. })
        ));
    }
}
