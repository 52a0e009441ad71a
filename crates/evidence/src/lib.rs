//! Evidence files (REC-3, REC-4): audio/video recordings, photos and scans, kept as
//! content-addressed blobs on an object store — a local directory by default, S3-compatible
//! storage (MinIO, Ceph, cloud OSS) for scale.
//!
//! A file is streamed and hashed as it arrives and is never held whole in memory. It is first
//! written under a staging name and then moved to its content address
//! (`evidence/<alg>/<first two hex digits>/<hex>`), so the same bytes are stored once and a file
//! changed behind the platform's back no longer matches the hash the ledger recorded.
//!
//! Invariants: no database, no rule. Whether a file is acceptable (size, kind, lateness) is the
//! domain's decision; this crate only stores bytes and tells what their hash is.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use std::fmt::Display;
use std::sync::Arc;
use zhifa_ledger::{ContentHash, ContentHasher, HashAlg};

/// Why an evidence file could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The upload carried no bytes.
    #[error("the file is empty")]
    Empty,
    /// The upload exceeded the configured limit; nothing was kept.
    #[error("the file exceeds the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// The client's body stream broke off.
    #[error("the upload was interrupted: {0}")]
    Body(String),
    /// The location given in the configuration is not understood.
    #[error("evidence store location: {0}")]
    Config(String),
    /// The object store failed.
    #[error("object store: {0}")]
    Storage(#[from] object_store::Error),
}

pub type Result<T> = std::result::Result<T, EvidenceError>;

/// Where evidence files live; cheap to clone.
#[derive(Clone, Debug)]
pub struct EvidenceStore {
    inner: Arc<dyn ObjectStore>,
    location: String,
}

/// What a check of a stored file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileCheck {
    /// The stored bytes still hash to the recorded value.
    Intact,
    /// No object at the file's content address.
    Missing,
    /// The stored bytes hash to something else (or have another length).
    Changed { actual: ContentHash },
}

impl EvidenceStore {
    /// A directory on local disk (created if missing).
    pub fn local(dir: &std::path::Path) -> Result<EvidenceStore> {
        std::fs::create_dir_all(dir)
            .map_err(|e| EvidenceError::Config(format!("{}: {e}", dir.display())))?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(EvidenceStore {
            inner: Arc::new(fs),
            location: format!("file://{}", dir.display()),
        })
    }

    /// `file:///abs/dir`, a plain directory path, or `s3://bucket[/prefix]`. S3 settings come
    /// from the usual environment variables (`AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP` for an endpoint on plain HTTP),
    /// so no secret appears on a command line or in a log.
    pub fn from_url(url: &str) -> Result<EvidenceStore> {
        Self::from_url_with(url, &[])
    }

    /// As [`EvidenceStore::from_url`], with S3 settings given explicitly (names as in
    /// `object_store`'s `AmazonS3ConfigKey`, e.g. `endpoint`, `access_key_id`, `allow_http`)
    /// on top of the environment's.
    pub fn from_url_with(url: &str, s3_options: &[(&str, &str)]) -> Result<EvidenceStore> {
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = match rest.split_once('/') {
                Some((b, p)) => (b, p.trim_matches('/')),
                None => (rest, ""),
            };
            if bucket.is_empty() {
                return Err(EvidenceError::Config(format!("no bucket in {url}")));
            }
            let mut builder = object_store::aws::AmazonS3Builder::from_env();
            for (k, v) in s3_options {
                let key: object_store::aws::AmazonS3ConfigKey = k
                    .parse()
                    .map_err(|_| EvidenceError::Config(format!("unknown S3 setting {k}")))?;
                builder = builder.with_config(key, *v);
            }
            let s3 = builder.with_bucket_name(bucket).build()?;
            let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
            };
            return Ok(EvidenceStore {
                inner,
                location: url.to_string(),
            });
        }
        if url.contains("://") && !url.starts_with("file://") {
            return Err(EvidenceError::Config(format!(
                "unsupported scheme in {url} (use file:// or s3://)"
            )));
        }
        let path = url.strip_prefix("file://").unwrap_or(url);
        EvidenceStore::local(std::path::Path::new(path))
    }

    /// Where the files are, for messages (never contains credentials).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The object key of a file with this content hash.
    pub fn key_of(content: &ContentHash) -> String {
        let hex = content.hash.to_hex();
        format!("evidence/{}/{}/{}", content.alg.name(), &hex[..2], hex)
    }

    /// Streams `body` into the store while hashing it with `alg`; refuses an empty body and
    /// one longer than `max_bytes` (nothing is kept in either case). Memory use is bounded by
    /// the upload part size, whatever the file's length.
    pub async fn put_stream<S, E>(
        &self,
        alg: HashAlg,
        body: S,
        max_bytes: u64,
    ) -> Result<ContentHash>
    where
        S: Stream<Item = std::result::Result<Bytes, E>>,
        E: Display,
    {
        let staging = ObjectPath::from(format!("staging/{}", uuid::Uuid::now_v7()));
        let upload = self.inner.put_multipart(&staging).await?;
        let mut writer = WriteMultipart::new(upload);
        let mut hasher = ContentHasher::new(alg);
        let mut body = std::pin::pin!(body);
        let mut failure = None;
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    failure = Some(EvidenceError::Body(e.to_string()));
                    break;
                }
            };
            hasher.update(&chunk);
            if hasher.size() > max_bytes {
                failure = Some(EvidenceError::TooLarge { limit: max_bytes });
                break;
            }
            if let Err(e) = writer.wait_for_capacity(4).await {
                failure = Some(e.into());
                break;
            }
            writer.put(chunk);
        }
        if failure.is_none() && hasher.size() == 0 {
            failure = Some(EvidenceError::Empty);
        }
        if let Some(e) = failure {
            if let Err(abort) = writer.abort().await {
                tracing::warn!(error = %abort, "aborting a refused evidence upload failed");
            }
            // Some stores (the local one) may have materialised the staging object already.
            let _ = self.inner.delete(&staging).await;
            return Err(e);
        }
        writer.finish().await?;
        let content = hasher.finalize();
        let key = ObjectPath::from(Self::key_of(&content));
        // Content-addressed: if the same bytes are already stored, the rename replaces them
        // with identical content. A rename, not a copy: on a local disk the file is moved, not
        // written a second time (S3 has no rename; there it is a copy and a delete).
        if let Err(e) = self.inner.rename(&staging, &key).await {
            let _ = self.inner.delete(&staging).await;
            return Err(e.into());
        }
        Ok(content)
    }

    /// Streams the stored file (for download).
    pub async fn open(
        &self,
        content: &ContentHash,
    ) -> Result<Option<impl Stream<Item = Result<Bytes>> + Send + 'static>> {
        match self
            .inner
            .get(&ObjectPath::from(Self::key_of(content)))
            .await
        {
            Ok(r) => Ok(Some(
                r.into_stream().map(|c| c.map_err(EvidenceError::from)),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Re-reads the stored file and hashes it again (the offline verifier's evidence check).
    pub async fn check(&self, content: &ContentHash) -> Result<FileCheck> {
        let Some(mut stream) = self.open(content).await? else {
            return Ok(FileCheck::Missing);
        };
        let mut hasher = ContentHasher::new(content.alg);
        while let Some(chunk) = stream.next().await {
            hasher.update(&chunk?);
        }
        let actual = hasher.finalize();
        Ok(if actual == *content {
            FileCheck::Intact
        } else {
            FileCheck::Changed { actual }
        })
    }

    /// Overwrites the object at a file's content address. Only for tamper tests and for
    /// repairing a damaged copy from a backup; the platform itself never rewrites evidence.
    pub async fn overwrite_for_test(&self, content: &ContentHash, bytes: Vec<u8>) -> Result<()> {
        self.inner
            .put(&ObjectPath::from(Self::key_of(content)), bytes.into())
            .await?;
        Ok(())
    }

    /// Deletes the object at a file's content address (tamper tests only).
    pub async fn delete_for_test(&self, content: &ContentHash) -> Result<()> {
        self.inner
            .delete(&ObjectPath::from(Self::key_of(content)))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(data: &[u8], size: usize) -> impl Stream<Item = std::result::Result<Bytes, String>> {
        let v: Vec<std::result::Result<Bytes, String>> = data
            .chunks(size.max(1))
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        futures_util::stream::iter(v)
    }

    #[tokio::test]
    async fn stores_under_the_content_hash_and_detects_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::local(dir.path()).unwrap();
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let c = store
            .put_stream(HashAlg::Sm3, chunks(&data, 7_000), 1 << 20)
            .await
            .unwrap();
        assert_eq!(c.size, data.len() as u64);
        assert_eq!(c.hash, HashAlg::Sm3.digest(&data));
        let on_disk = dir.path().join(EvidenceStore::key_of(&c));
        assert_eq!(std::fs::read(&on_disk).unwrap(), data);
        assert_eq!(store.check(&c).await.unwrap(), FileCheck::Intact);
        // No staging leftovers.
        assert!(
            !dir.path().join("staging").exists()
                || std::fs::read_dir(dir.path().join("staging"))
                    .unwrap()
                    .count()
                    == 0
        );
        let mut changed = data.clone();
        changed[12_345] ^= 1;
        std::fs::write(&on_disk, &changed).unwrap();
        match store.check(&c).await.unwrap() {
            FileCheck::Changed { actual } => assert_eq!(actual.hash, HashAlg::Sm3.digest(&changed)),
            other => panic!("{other:?}"),
        }
        std::fs::remove_file(&on_disk).unwrap();
        assert_eq!(store.check(&c).await.unwrap(), FileCheck::Missing);
    }

    #[tokio::test]
    async fn refuses_empty_and_oversized_files_and_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::local(dir.path()).unwrap();
        let e = store
            .put_stream(HashAlg::Sha256, chunks(&[], 10), 100)
            .await
            .unwrap_err();
        assert!(matches!(e, EvidenceError::Empty), "{e}");
        let e = store
            .put_stream(HashAlg::Sha256, chunks(&[7u8; 101], 10), 100)
            .await
            .unwrap_err();
        assert!(matches!(e, EvidenceError::TooLarge { limit: 100 }), "{e}");
        let files: Vec<_> = walk(dir.path());
        assert!(files.is_empty(), "left behind: {files:?}");
    }

    #[tokio::test]
    async fn an_interrupted_upload_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::local(dir.path()).unwrap();
        let body = futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"first part")),
            Err("connection reset".to_string()),
        ]);
        let e = store
            .put_stream(HashAlg::Sm3, body, 1 << 20)
            .await
            .unwrap_err();
        assert!(
            matches!(e, EvidenceError::Body(ref m) if m.contains("reset")),
            "{e}"
        );
        assert!(walk(dir.path()).is_empty());
    }

    #[test]
    fn locations_are_parsed() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}", dir.path().display());
        assert_eq!(EvidenceStore::from_url(&url).unwrap().location(), url);
        assert!(matches!(
            EvidenceStore::from_url("ftp://x/y"),
            Err(EvidenceError::Config(_))
        ));
        assert!(matches!(
            EvidenceStore::from_url("s3://"),
            Err(EvidenceError::Config(_))
        ));
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
        out
    }
}
