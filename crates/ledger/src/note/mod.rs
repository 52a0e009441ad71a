//! C2SP signed notes: parsing and formatting, signing keys, verifier keys, key ids, and a set
//! of trusted keys (which makes key rotation a matter of trusting old and new keys at once).
//!
//! Signature types:
//! - `0x01` Ed25519 (standard, RFC 8032 over the note text).
//! - `0x04` Ed25519 `cosignature/v1` (C2SP tlog-cosignature), used by witnesses.
//! - `0xff` followed by the ASCII identifier `sm2-sm3`: SM2 signature (GB/T 32918.2) with SM3
//!   and the default distinguishing ID `1234567812345678` over the note text. The signed-note
//!   spec reserves `0xff` for signature types it does not assign and recommends following it
//!   with a longer identifier, so the SM2 "type" is the 8 bytes `0xff "sm2-sm3"`. Public key:
//!   65-byte uncompressed SEC1 point; signature: 64 bytes `r || s` (big-endian, not DER);
//!   private key: 32-byte big-endian scalar.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::Digest as _;

/// Signature type byte of Ed25519 signed-note signatures.
pub const TYPE_ED25519: u8 = 0x01;
/// Signature type byte of Ed25519 `cosignature/v1` cosignatures.
pub const TYPE_COSIGNATURE_V1: u8 = 0x04;
/// Signature type byte reserved by signed-note for unassigned types; used for SM2.
pub const TYPE_EXTENDED: u8 = 0xff;
/// Full type identifier of SM2-with-SM3 signatures: `0xff || "sm2-sm3"`.
pub const SM2_TYPE_ID: &[u8] = b"\xffsm2-sm3";
/// SM2 distinguishing identifier (GB/T 32918 default).
pub const SM2_DIST_ID: &str = "1234567812345678";

/// Largest number of signature lines accepted in one note.
pub const MAX_SIGNATURES: usize = 100;
/// Largest note accepted, in bytes.
pub const MAX_NOTE_BYTES: usize = 1 << 20;

mod keys;
pub use keys::*;

/// A signature that does not verify (or is not well formed for the key type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("signature does not verify")]
pub struct InvalidSignature;

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// Key name.
    pub name: String,
    /// Key ID.
    pub key_id: u32,
    /// Signature bytes (after the 4-byte key id).
    pub sig: Vec<u8>,
}

impl NoteSignature {
    /// The line `— <name> <base64(key id || sig)>\n`.
    pub fn to_line(&self) -> String {
        let mut b = self.key_id.to_be_bytes().to_vec();
        b.extend_from_slice(&self.sig);
        format!("\u{2014} {} {}\n", self.name, B64.encode(b))
    }

    /// Parses one signature line (with or without its final newline).
    pub fn parse_line(line: &str) -> Result<NoteSignature, NoteError> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let rest = line
            .strip_prefix("\u{2014} ")
            .ok_or_else(|| NoteError::Malformed("signature line must start with \"— \"".into()))?;
        let (name, b) = rest
            .split_once(' ')
            .ok_or_else(|| NoteError::Malformed("signature line has no signature".into()))?;
        check_key_name(name).map_err(|e| NoteError::Malformed(e.to_string()))?;
        let bytes = B64
            .decode(b)
            .map_err(|e| NoteError::Malformed(format!("signature base64: {e}")))?;
        if bytes.len() < 5 {
            return Err(NoteError::Malformed("signature too short".into()));
        }
        Ok(NoteSignature {
            name: name.into(),
            key_id: u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
            sig: bytes[4..].to_vec(),
        })
    }
}

/// Problems with a note or its signatures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Not a well-formed signed note.
    #[error("malformed note: {0}")]
    Malformed(String),
    /// No signature is from a trusted key (the names seen are listed).
    #[error("no signature from a trusted key (signed by: {})", .names.join(", "))]
    UnknownKey {
        /// Names on the signature lines.
        names: Vec<String>,
    },
    /// A signature from a trusted key does not verify: the note must be rejected.
    #[error("bad signature from trusted key {name} ({key_id:08x})")]
    BadSignature {
        /// Key name.
        name: String,
        /// Key ID.
        key_id: u32,
    },
}

/// A note text with its signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text, ending in a newline.
    pub text: String,
    /// Signature lines in order.
    pub signatures: Vec<NoteSignature>,
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed(
            "note text must end in a newline".into(),
        ));
    }
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed("control character in note".into()));
    }
    Ok(())
}

impl SignedNote {
    /// A note with no signatures yet.
    pub fn new(text: impl Into<String>) -> Result<SignedNote, NoteError> {
        let text = text.into();
        check_text(&text)?;
        Ok(SignedNote {
            text,
            signatures: Vec::new(),
        })
    }

    /// Signs the text with an Ed25519 or SM2 key and appends the signature.
    pub fn sign(&mut self, signer: &Signer) -> Result<(), KeyError> {
        self.signatures.push(signer.sign_note(&self.text)?);
        Ok(())
    }

    /// Parses a signed note. The text ends at the last blank line.
    pub fn parse(note: &str) -> Result<SignedNote, NoteError> {
        if note.len() > MAX_NOTE_BYTES {
            return Err(NoteError::Malformed("note too large".into()));
        }
        if note.chars().any(|c| c < ' ' && c != '\n') {
            return Err(NoteError::Malformed("control character in note".into()));
        }
        let split = note
            .rfind("\n\n")
            .ok_or_else(|| NoteError::Malformed("no blank line before signatures".into()))?;
        let text = &note[..split + 1];
        let sigs = &note[split + 2..];
        if !sigs.ends_with('\n') {
            return Err(NoteError::Malformed(
                "signature block must end in newline".into(),
            ));
        }
        let signatures = sigs
            .lines()
            .map(NoteSignature::parse_line)
            .collect::<Result<Vec<_>, _>>()?;
        if signatures.is_empty() {
            return Err(NoteError::Malformed("note has no signatures".into()));
        }
        if signatures.len() > MAX_SIGNATURES {
            return Err(NoteError::Malformed("too many signatures".into()));
        }
        Ok(SignedNote {
            text: text.into(),
            signatures,
        })
    }

    /// Adds signature lines (e.g. cosignatures returned by a witness), skipping duplicates.
    pub fn add_signatures<I: IntoIterator<Item = NoteSignature>>(&mut self, sigs: I) {
        for s in sigs {
            if !self.signatures.contains(&s) {
                self.signatures.push(s);
            }
        }
    }

    /// Verifies against a set of trusted keys (signed-note rules): signatures from unknown
    /// keys are ignored; a failing signature from a trusted key rejects the note; at least
    /// one trusted signature must verify.
    pub fn verify(&self, keys: &TrustedKeys) -> Result<Vec<VerifiedSignature>, NoteError> {
        let mut ok = Vec::new();
        for s in &self.signatures {
            for k in keys.matching(&s.name, s.key_id) {
                match k.verify(&self.text, &s.sig) {
                    Ok(ts) => ok.push(VerifiedSignature {
                        name: k.name.clone(),
                        key_id: k.key_id,
                        alg: k.alg,
                        timestamp: ts,
                    }),
                    Err(InvalidSignature) => {
                        return Err(NoteError::BadSignature {
                            name: s.name.clone(),
                            key_id: s.key_id,
                        });
                    }
                }
            }
        }
        if ok.is_empty() {
            return Err(NoteError::UnknownKey {
                names: self.signatures.iter().map(|s| s.name.clone()).collect(),
            });
        }
        Ok(ok)
    }
}

impl fmt::Display for SignedNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for s in &self.signatures {
            f.write_str(&s.to_line())?;
        }
        Ok(())
    }
}

/// A signature that verified against a trusted key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// Key name.
    pub name: String,
    /// Key ID.
    pub key_id: u32,
    /// Key algorithm.
    pub alg: KeyAlg,
    /// Timestamp of a `cosignature/v1`.
    pub timestamp: Option<u64>,
}

/// The set of keys a verifier trusts. Rotation: trust the old and the new key during the
/// overlap; a checkpoint may carry signatures from both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedKeys {
    keys: Vec<VerifierKey>,
}

impl TrustedKeys {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key (ignored if already present).
    pub fn add(&mut self, key: VerifierKey) -> &mut Self {
        if !self.keys.contains(&key) {
            self.keys.push(key);
        }
        self
    }

    /// Builds a set from verifier key texts, one per line (blank lines and `#` comments
    /// ignored) — the format of a trusted-keys file.
    pub fn from_text(text: &str) -> Result<TrustedKeys, KeyError> {
        let mut t = TrustedKeys::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            t.add(VerifierKey::from_text(line)?);
        }
        Ok(t)
    }

    /// The keys.
    pub fn keys(&self) -> &[VerifierKey] {
        &self.keys
    }

    /// Keys whose name and id both match.
    pub fn matching<'a>(&'a self, name: &'a str, id: u32) -> impl Iterator<Item = &'a VerifierKey> {
        self.keys
            .iter()
            .filter(move |k| k.name == name && k.key_id == id)
    }
}

impl FromIterator<VerifierKey> for TrustedKeys {
    fn from_iter<I: IntoIterator<Item = VerifierKey>>(iter: I) -> Self {
        let mut t = TrustedKeys::new();
        for k in iter {
            t.add(k);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example_ed25519_note_verifies() {
        // The example from the Go sumdb/note documentation (PeterNeumann key).
        let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
        let note = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n\
                    \n\
                    \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
        let k = VerifierKey::from_text(vkey).unwrap();
        assert_eq!(k.to_text(), vkey);
        let keys: TrustedKeys = [k].into_iter().collect();
        let n = SignedNote::parse(note).unwrap();
        assert_eq!(n.to_string(), note);
        let v = n.verify(&keys).unwrap();
        assert_eq!(v[0].name, "PeterNeumann");
        let skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
        let s = Signer::from_private_text(skey).unwrap();
        assert_eq!(s.to_private_text(), skey);
        assert_eq!(s.verifier().to_text(), vkey);
        // Ed25519 is deterministic: re-signing gives the same line.
        assert_eq!(s.sign_note(&n.text).unwrap(), n.signatures[0]);
    }

    #[test]
    fn sm2_roundtrip_and_rejections() {
        let s = Signer::generate("zhifa.example/log", KeyAlg::Sm2).unwrap();
        let v = s.verifier();
        assert_eq!(v.public_key().len(), 65);
        let text = VerifierKey::from_text(&v.to_text()).unwrap();
        assert_eq!(text, v);
        let s2 = Signer::from_private_text(&s.to_private_text()).unwrap();
        assert_eq!(s2.key_id(), s.key_id());
        let mut note = SignedNote::new("hello\n").unwrap();
        note.sign(&s).unwrap();
        let keys: TrustedKeys = [v.clone()].into_iter().collect();
        let parsed = SignedNote::parse(&note.to_string()).unwrap();
        assert_eq!(parsed.verify(&keys).unwrap().len(), 1);
        // Tampered text.
        let mut bad = parsed.clone();
        bad.text = "hellp\n".into();
        assert!(matches!(
            bad.verify(&keys),
            Err(NoteError::BadSignature { .. })
        ));
        // Unknown key.
        let other = Signer::generate("zhifa.example/log", KeyAlg::Ed25519).unwrap();
        let keys2: TrustedKeys = [other.verifier()].into_iter().collect();
        assert!(matches!(
            parsed.verify(&keys2),
            Err(NoteError::UnknownKey { .. })
        ));
        // Wrong key id in text.
        let mut t = v.to_text();
        let pos = t.find('+').unwrap() + 1;
        t.replace_range(
            pos..pos + 1,
            if &t[pos..pos + 1] == "0" { "1" } else { "0" },
        );
        assert_eq!(
            VerifierKey::from_text(&t).unwrap_err(),
            KeyError::KeyIdMismatch
        );
    }

    #[test]
    fn rotation_two_signatures() {
        let old = Signer::generate("log.example", KeyAlg::Sm2).unwrap();
        let new = Signer::generate("log.example", KeyAlg::Ed25519).unwrap();
        let mut note = SignedNote::new("a\nb\n").unwrap();
        note.sign(&old).unwrap();
        note.sign(&new).unwrap();
        for keys in [
            [old.verifier()].into_iter().collect::<TrustedKeys>(),
            [new.verifier()].into_iter().collect(),
            [old.verifier(), new.verifier()].into_iter().collect(),
        ] {
            assert!(note.verify(&keys).is_ok());
        }
    }

    #[test]
    fn bad_names_and_notes() {
        assert!(Signer::generate("a b", KeyAlg::Ed25519).is_err());
        assert!(Signer::generate("a+b", KeyAlg::Ed25519).is_err());
        assert!(Signer::generate("", KeyAlg::Ed25519).is_err());
        assert!(SignedNote::parse("text\n").is_err());
        assert!(SignedNote::parse("text\n\n").is_err());
        assert!(SignedNote::parse("text\n\n- x AAAAAAA=\n").is_err());
        assert!(SignedNote::new("no newline").is_err());
    }

    #[test]
    fn cosignature_matches_spec_shape() {
        let w = Signer::generate("witness.example/w1", KeyAlg::CosignatureV1).unwrap();
        let body =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let sig = w.cosign(body, 1679315147).unwrap();
        assert_eq!(sig.sig.len(), 72);
        assert_eq!(&sig.sig[..8], &1679315147u64.to_be_bytes());
        let keys: TrustedKeys = [w.verifier()].into_iter().collect();
        let note = SignedNote {
            text: body.into(),
            signatures: vec![sig],
        };
        assert_eq!(note.verify(&keys).unwrap()[0].timestamp, Some(1679315147));
        assert!(w.sign_note(body).is_err());
    }
}
