//! Keys of signed notes: algorithms, key ids, signing keys and verifier keys (C2SP signed-note
//! key text `name+hash+base64`).

use super::*;

/// Signature algorithm of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAlg {
    /// Ed25519, signed-note type 0x01.
    Ed25519,
    /// SM2 with SM3, type `0xff "sm2-sm3"`.
    Sm2,
    /// Ed25519 timestamped witness cosignature, type 0x04.
    CosignatureV1,
}

impl KeyAlg {
    /// Signature type identifier bytes (the key-id and vkey prefix).
    pub fn type_id(self) -> &'static [u8] {
        match self {
            KeyAlg::Ed25519 => &[TYPE_ED25519],
            KeyAlg::CosignatureV1 => &[TYPE_COSIGNATURE_V1],
            KeyAlg::Sm2 => SM2_TYPE_ID,
        }
    }

    fn from_key_bytes(b: &[u8]) -> Option<(KeyAlg, &[u8])> {
        if let Some(rest) = b.strip_prefix(SM2_TYPE_ID) {
            return Some((KeyAlg::Sm2, rest));
        }
        match *b.first()? {
            TYPE_ED25519 => Some((KeyAlg::Ed25519, &b[1..])),
            TYPE_COSIGNATURE_V1 => Some((KeyAlg::CosignatureV1, &b[1..])),
            _ => None,
        }
    }
}

/// Signed-note key ID: the first 4 bytes (big-endian) of
/// `SHA-256(name || 0x0A || type id || public key)`.
pub fn key_id(name: &str, alg: KeyAlg, public_key: &[u8]) -> u32 {
    let mut h = sha2::Sha256::new();
    h.update(name.as_bytes());
    h.update([0x0a]);
    h.update(alg.type_id());
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Problems with keys and key text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Key names must be non-empty and contain no Unicode spaces or `+`.
    #[error("invalid key name {0:?}")]
    BadName(String),
    /// The key text is not `name+hexid+base64` (or `PRIVATE+KEY+…`).
    #[error("malformed key text: {0}")]
    Malformed(String),
    /// The key id in the text does not match the key.
    #[error("key id in text does not match the key")]
    KeyIdMismatch,
    /// Key bytes are not a valid key for the algorithm.
    #[error("invalid {0:?} key bytes")]
    BadKey(KeyAlg),
    /// The operation needs a different key type.
    #[error("operation not supported by a {0:?} key")]
    WrongKeyType(KeyAlg),
    /// The system random source failed.
    #[error("random source failed: {0}")]
    Random(String),
}

/// Checks a key name per signed-note.
pub fn check_key_name(name: &str) -> Result<(), KeyError> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err(KeyError::BadName(name.into()));
    }
    // Control characters are not allowed anywhere in a note.
    if name.chars().any(|c| c.is_control()) {
        return Err(KeyError::BadName(name.into()));
    }
    Ok(())
}

#[derive(Clone)]
enum SecretInner {
    // Boxed: key material stays in one heap allocation that is zeroized on drop.
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Sm2(Box<sm2::dsa::SigningKey>),
}

/// A private signing key with its name (a log key, or a witness cosigning key).
#[derive(Clone)]
pub struct Signer {
    pub(crate) name: String,
    pub(crate) alg: KeyAlg,
    pub(crate) key_id: u32,
    inner: SecretInner,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        write!(
            f,
            "Signer({}, {:?}, {:08x})",
            self.name, self.alg, self.key_id
        )
    }
}

pub(crate) fn random32() -> Result<[u8; 32], KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(seed)
}

impl Signer {
    /// Generates a new key from the operating system's random source.
    pub fn generate(name: &str, alg: KeyAlg) -> Result<Signer, KeyError> {
        // An SM2 scalar must be in [1, n-1]; a random 256-bit value fails with probability
        // about 2^-32, so retrying is enough.
        for _ in 0..16 {
            match Signer::from_secret(name, alg, &random32()?) {
                Err(KeyError::BadKey(_)) => continue,
                r => return r,
            }
        }
        Err(KeyError::Random("could not draw a valid SM2 scalar".into()))
    }

    /// Builds a key from 32 secret bytes: the Ed25519 seed, or the SM2 private scalar.
    pub fn from_secret(name: &str, alg: KeyAlg, secret: &[u8]) -> Result<Signer, KeyError> {
        check_key_name(name)?;
        let inner = match alg {
            KeyAlg::Ed25519 | KeyAlg::CosignatureV1 => {
                let seed: [u8; 32] = secret.try_into().map_err(|_| KeyError::BadKey(alg))?;
                SecretInner::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed)))
            }
            KeyAlg::Sm2 => SecretInner::Sm2(Box::new(
                sm2::dsa::SigningKey::from_slice(SM2_DIST_ID, secret)
                    .map_err(|_| KeyError::BadKey(alg))?,
            )),
        };
        let mut s = Signer {
            name: name.into(),
            alg,
            key_id: 0,
            inner,
        };
        s.key_id = key_id(name, alg, &s.public_key_bytes());
        Ok(s)
    }

    /// Key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Algorithm.
    pub fn alg(&self) -> KeyAlg {
        self.alg
    }

    /// Key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    fn public_key_bytes(&self) -> Vec<u8> {
        match &self.inner {
            SecretInner::Ed25519(k) => k.verifying_key().to_bytes().to_vec(),
            SecretInner::Sm2(k) => k.verifying_key().to_sec1_bytes().to_vec(),
        }
    }

    fn secret_bytes(&self) -> Vec<u8> {
        match &self.inner {
            SecretInner::Ed25519(k) => k.to_bytes().to_vec(),
            SecretInner::Sm2(k) => k.to_bytes().to_vec(),
        }
    }

    /// The matching verifier key.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey::from_public(&self.name, self.alg, &self.public_key_bytes())
            .expect("a signer's own public key is valid")
    }

    /// Private key text, `PRIVATE+KEY+<name>+<hex key id>+<base64(type || secret)>` (the Go
    /// `sumdb/note` form), for storing the key in a file. Treat it as a secret.
    pub fn to_private_text(&self) -> String {
        let mut b = self.alg.type_id().to_vec();
        b.extend_from_slice(&self.secret_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id,
            B64.encode(b)
        )
    }

    /// Parses [`Signer::to_private_text`].
    pub fn from_private_text(text: &str) -> Result<Signer, KeyError> {
        let rest = text
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| KeyError::Malformed("missing PRIVATE+KEY+ prefix".into()))?;
        let (name, id, bytes) = split_key_text(rest)?;
        let (alg, secret) = KeyAlg::from_key_bytes(&bytes)
            .ok_or_else(|| KeyError::Malformed("unknown key type".into()))?;
        let s = Signer::from_secret(name, alg, secret)?;
        if s.key_id != id {
            return Err(KeyError::KeyIdMismatch);
        }
        Ok(s)
    }

    /// Signs note text with an Ed25519 or SM2 key. Cosigning keys must use
    /// [`Signer::cosign`] (their signed message differs).
    pub fn sign_note(&self, text: &str) -> Result<NoteSignature, KeyError> {
        use sm2::dsa::signature::Signer as _;
        let sig = match (&self.inner, self.alg) {
            (SecretInner::Ed25519(k), KeyAlg::Ed25519) => {
                ed25519_dalek::Signer::sign(k.as_ref(), text.as_bytes())
                    .to_bytes()
                    .to_vec()
            }
            (SecretInner::Sm2(k), KeyAlg::Sm2) => {
                let s: sm2::dsa::Signature = k.sign(text.as_bytes());
                s.to_bytes().to_vec()
            }
            _ => return Err(KeyError::WrongKeyType(self.alg)),
        };
        Ok(NoteSignature {
            name: self.name.clone(),
            key_id: self.key_id,
            sig,
        })
    }

    /// Produces a C2SP `cosignature/v1` over checkpoint note text at `timestamp` (POSIX
    /// seconds, supplied by the caller: this crate reads no clock).
    pub fn cosign(&self, checkpoint_text: &str, timestamp: u64) -> Result<NoteSignature, KeyError> {
        let SecretInner::Ed25519(k) = &self.inner else {
            return Err(KeyError::WrongKeyType(self.alg));
        };
        if self.alg != KeyAlg::CosignatureV1 {
            return Err(KeyError::WrongKeyType(self.alg));
        }
        if timestamp > i64::MAX as u64 {
            return Err(KeyError::Malformed(
                "cosignature timestamp exceeds 2^63-1".into(),
            ));
        }
        let msg = cosignature_message(checkpoint_text, timestamp);
        let s = ed25519_dalek::Signer::sign(k.as_ref(), msg.as_bytes());
        let mut sig = timestamp.to_be_bytes().to_vec();
        sig.extend_from_slice(&s.to_bytes());
        Ok(NoteSignature {
            name: self.name.clone(),
            key_id: self.key_id,
            sig,
        })
    }
}

pub(crate) fn cosignature_message(text: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{text}")
}

pub(crate) fn split_key_text(s: &str) -> Result<(&str, u32, Vec<u8>), KeyError> {
    let mut parts = s.splitn(3, '+');
    let (Some(name), Some(id), Some(b)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(KeyError::Malformed("expected name+keyid+key".into()));
    };
    check_key_name(name)?;
    if id.len() != 8 || !id.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(KeyError::Malformed("key id must be 8 hex digits".into()));
    }
    let id = u32::from_str_radix(id, 16).map_err(|e| KeyError::Malformed(e.to_string()))?;
    let bytes = B64
        .decode(b)
        .map_err(|e| KeyError::Malformed(format!("base64: {e}")))?;
    Ok((name, id, bytes))
}

#[derive(Clone)]
enum PublicInner {
    Ed25519(ed25519_dalek::VerifyingKey),
    Sm2(Box<sm2::dsa::VerifyingKey>),
}

/// A public verifier key with its name.
#[derive(Clone)]
pub struct VerifierKey {
    pub(crate) name: String,
    pub(crate) alg: KeyAlg,
    pub(crate) key_id: u32,
    public: Vec<u8>,
    inner: PublicInner,
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl PartialEq for VerifierKey {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name && self.alg == o.alg && self.public == o.public
    }
}
impl Eq for VerifierKey {}

impl VerifierKey {
    /// Builds a verifier key from raw public key bytes (Ed25519: 32 bytes; SM2: SEC1 point).
    pub fn from_public(name: &str, alg: KeyAlg, public: &[u8]) -> Result<VerifierKey, KeyError> {
        check_key_name(name)?;
        let inner = match alg {
            KeyAlg::Ed25519 | KeyAlg::CosignatureV1 => {
                let b: [u8; 32] = public.try_into().map_err(|_| KeyError::BadKey(alg))?;
                PublicInner::Ed25519(
                    ed25519_dalek::VerifyingKey::from_bytes(&b)
                        .map_err(|_| KeyError::BadKey(alg))?,
                )
            }
            KeyAlg::Sm2 => PublicInner::Sm2(Box::new(
                sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DIST_ID, public)
                    .map_err(|_| KeyError::BadKey(alg))?,
            )),
        };
        // Normalise to the canonical encoding so the key id is stable.
        let public = match &inner {
            PublicInner::Ed25519(k) => k.to_bytes().to_vec(),
            PublicInner::Sm2(k) => k.to_sec1_bytes().to_vec(),
        };
        Ok(VerifierKey {
            name: name.into(),
            alg,
            key_id: key_id(name, alg, &public),
            public,
            inner,
        })
    }

    /// Key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Algorithm.
    pub fn alg(&self) -> KeyAlg {
        self.alg
    }

    /// Key ID.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Raw public key bytes.
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// Signed-note verifier key text: `<name>+<hex key id>+<base64(type || public key)>`.
    pub fn to_text(&self) -> String {
        let mut b = self.alg.type_id().to_vec();
        b.extend_from_slice(&self.public);
        format!("{}+{:08x}+{}", self.name, self.key_id, B64.encode(b))
    }

    /// Parses [`VerifierKey::to_text`]; checks the key id.
    pub fn from_text(text: &str) -> Result<VerifierKey, KeyError> {
        let (name, id, bytes) = split_key_text(text.trim())?;
        let (alg, public) = KeyAlg::from_key_bytes(&bytes)
            .ok_or_else(|| KeyError::Malformed("unknown key type".into()))?;
        let k = VerifierKey::from_public(name, alg, public)?;
        if k.key_id != id {
            return Err(KeyError::KeyIdMismatch);
        }
        Ok(k)
    }

    /// Verifies one signature over note text. Returns the cosignature timestamp for
    /// `cosignature/v1` keys, `None` for the others.
    pub fn verify(&self, text: &str, sig: &[u8]) -> Result<Option<u64>, InvalidSignature> {
        use sm2::dsa::signature::Verifier as _;
        match (&self.inner, self.alg) {
            (PublicInner::Ed25519(k), KeyAlg::Ed25519) => {
                let s = ed25519_dalek::Signature::from_slice(sig).map_err(|_| InvalidSignature)?;
                k.verify_strict(text.as_bytes(), &s)
                    .map_err(|_| InvalidSignature)?;
                Ok(None)
            }
            (PublicInner::Ed25519(k), KeyAlg::CosignatureV1) => {
                if sig.len() != 8 + 64 {
                    return Err(InvalidSignature);
                }
                let ts = u64::from_be_bytes(sig[..8].try_into().map_err(|_| InvalidSignature)?);
                if ts > i64::MAX as u64 {
                    return Err(InvalidSignature);
                }
                let s = ed25519_dalek::Signature::from_slice(&sig[8..])
                    .map_err(|_| InvalidSignature)?;
                let msg = cosignature_message(text, ts);
                k.verify_strict(msg.as_bytes(), &s)
                    .map_err(|_| InvalidSignature)?;
                Ok(Some(ts))
            }
            (PublicInner::Sm2(k), KeyAlg::Sm2) => {
                let s = sm2::dsa::Signature::from_slice(sig).map_err(|_| InvalidSignature)?;
                k.verify(text.as_bytes(), &s)
                    .map_err(|_| InvalidSignature)?;
                Ok(None)
            }
            _ => Err(InvalidSignature),
        }
    }
}
