// The tamper-evident ledger (REC-6): erasure, witnessing, checkpoints, proofs, audit, packages.
// Part of the backend: `include!`d by backend.rs (compiled once per engine).

/// The ledger's projections: the logs this instance witnesses (REC-6).
const LEDGER_TABLES: &[&str] = &["witnessed_logs"];

impl Backend {
    /// An erasure projects into no table (its effect is on the stored payloads it rewrote,
    /// which the other projections are rebuilt from); the witness events project into
    /// `witnessed_logs` through the domain's `WitnessedLog` state.
    async fn project_ledger(
        tx: &mut sqlx::Transaction<'static, Db>,
        event: &Event,
        version: i64,
    ) -> Result<bool> {
        let state = match event {
            Event::PersonalDataErased { .. } => return Ok(true),
            Event::WitnessedLogRegistered { .. } => {
                zhifa_domain::ledger::WitnessedLog::registered(event)
                    .ok_or_else(|| StoreError::Corrupt("witness registration".into()))?
            }
            Event::WitnessCheckpointCosigned { origin, .. } => {
                let row = sqlx::query("SELECT doc FROM witnessed_logs WHERE origin = $1")
                    .bind(origin.as_str())
                    .fetch_one(&mut **tx)
                    .await?;
                decode::<zhifa_domain::ledger::WitnessedLog>(&row.try_get::<String, _>(0)?)?
                    .evolve(event)
            }
            _ => return Ok(false),
        };
        sqlx::query(
            "INSERT INTO witnessed_logs (origin, version, doc) VALUES ($1, $2, $3) \
             ON CONFLICT (origin) DO UPDATE SET version = excluded.version, doc = excluded.doc",
        )
        .bind(state.origin.as_str())
        .bind(version)
        .bind(erased::Doc::doc(&state))
        .execute(&mut **tx)
        .await?;
        Ok(true)
    }

    /// REC-6 erasure in one transaction, on the append path: every personal value equal to
    /// `subject` is replaced by the salted commitment its leaf already holds and the salt is
    /// deleted; the erasure is recorded as `PersonalDataErased` (appended, with its leaf, to
    /// `record.stream` at `record.expected`); the projections are rebuilt from the rewritten
    /// log. All of it commits or none of it: a refused append (a stale expected version, say)
    /// leaves every payload as it was. Returns the rewritten sequence numbers (empty: nothing
    /// held the value, nothing was written).
    pub(crate) async fn erase(&self, subject: &str, record: &Erasure) -> Result<Vec<i64>> {
        let subject = subject.trim();
        if subject.len() < 6 {
            return Err(StoreError::Ledger(
                "subject too short to erase safely".into(),
            ));
        }
        let (_gate, mut tx, mut seq, mut ledger) = self.begin_append().await?;
        let erased = Self::erase_in(&mut tx, ledger.alg, subject).await?;
        if erased.is_empty() {
            tx.rollback().await?;
            return Ok(erased);
        }
        let cmd = NewEvent {
            stream: record.stream.clone(),
            expected: record.expected,
            agency_id: Uuid::nil(),
            actor: record.actor.clone(),
            events: vec![Event::PersonalDataErased {
                events: erased.clone(),
                reason: record.reason.clone(),
            }],
            side_effects: vec![],
        };
        let now = now_micros();
        let (_, leaves) = match Self::append_isolated(
            &mut tx,
            std::slice::from_ref(&cmd),
            &mut seq,
            now,
            ledger.alg,
        )
        .await
        {
            Ok(r) => r,
            Err(e) => {
                tx.rollback().await?;
                return Err(e);
            }
        };
        for leaf in &leaves {
            ledger.log.append(leaf);
        }
        Self::replay_all(&mut tx).await?;
        self.commit_append(tx, ledger).await?;
        Ok(erased)
    }

    /// The payload rewrite of an erasure, inside the caller's transaction.
    async fn erase_in(
        tx: &mut sqlx::Transaction<'static, Db>,
        alg: zhifa_ledger::HashAlg,
        subject: &str,
    ) -> Result<Vec<i64>> {
        use futures_util::TryStreamExt;
        let mut hits = Vec::new();
        {
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE payload LIKE $1 ORDER BY seq"
            )))
            .bind(format!("%{}%", subject.replace(['%', '_'], "")))
            .fetch(&mut **tx);
            while let Some(r) = rows.try_next().await? {
                hits.push(row_to_recorded(&r)?);
            }
        }
        let mut erased = Vec::new();
        for rec in hits {
            // An event is about the subject when one of its personal values is the subject;
            // then every personal value of it is erased (they describe the same person).
            if !zhifa_ledger::leaf::marked_values(&rec.payload, "/payload")
                .iter()
                .any(|(_, v)| v.as_str() == Some(subject))
            {
                continue;
            }
            let Some(row) = sqlx::query("SELECT salt FROM event_salts WHERE seq = $1")
                .bind(rec.seq)
                .fetch_optional(&mut **tx)
                .await?
            else {
                continue;
            };
            let salt = salt_from(&row.try_get::<Vec<u8>, _>(0)?)?;
            let payload = zhifa_ledger::leaf::redact_marked(alg, &rec.payload, "/payload", &salt)
                .map_err(|e| StoreError::Ledger(e.to_string()))?
                .0;
            // The one sanctioned rewrite of an event: its payload becomes its own commitment,
            // which the leaf already held.
            sqlx::query("UPDATE events SET payload = $1 WHERE seq = $2")
                .bind(payload.to_string())
                .bind(rec.seq)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM event_salts WHERE seq = $1")
                .bind(rec.seq)
                .execute(&mut **tx)
                .await?;
            erased.push(rec.seq);
        }
        Ok(erased)
    }

    /// Every followed log, with the latest head it cosigned.
    pub(crate) async fn witnessed_logs(&self) -> Result<Vec<WitnessedLogRow>> {
        let logs: Vec<zhifa_domain::ledger::WitnessedLog> = self
            .docs("SELECT doc FROM witnessed_logs ORDER BY origin", &[])
            .await?;
        Ok(logs
            .into_iter()
            .map(|l| WitnessedLogRow {
                origin: l.origin,
                hash: l.hash_alg,
                keys: l.verifier_keys.join("\n"),
                size: l.size as i64,
                root: l.root,
            })
            .collect())
    }

    /// One followed log's state and the version of its stream (what a cosignature expects).
    pub(crate) async fn witnessed_log(
        &self,
        origin: &str,
    ) -> Result<Option<(zhifa_domain::ledger::WitnessedLog, i64)>> {
        let row = sqlx::query("SELECT doc, version FROM witnessed_logs WHERE origin = $1")
            .bind(origin)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((
                decode(&r.try_get::<String, _>(0)?)?,
                r.try_get(1)?,
            ))),
        }
    }

    /// This instance's cosigning key (cosignature/v1), created on first use.
    pub(crate) async fn witness_key(&self) -> Result<String> {
        if let Some(r) = sqlx::query("SELECT v FROM ledger_meta WHERE k = 'witness_key'")
            .fetch_optional(&self.pool)
            .await?
        {
            return Ok(r.try_get(0)?);
        }
        let origin = self.ledger.lock().expect("ledger lock").origin.clone();
        let key = zhifa_ledger::Signer::generate(
            &format!("{origin}/witness"),
            zhifa_ledger::KeyAlg::CosignatureV1,
        )
        .map_err(|e| StoreError::Ledger(e.to_string()))?
        .to_private_text();
        sqlx::query(
            "INSERT INTO ledger_meta (k, v) VALUES ('witness_key', $1) ON CONFLICT (k) DO NOTHING",
        )
        .bind(key.as_str())
        .execute(&self.pool)
        .await?;
        let r = sqlx::query("SELECT v FROM ledger_meta WHERE k = 'witness_key'")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get(0)?)
    }

    pub(crate) async fn ledger_tile(&self, id: zhifa_ledger::TileId) -> Result<Option<Vec<u8>>> {
        Ok(
            sqlx::query("SELECT bytes FROM ledger_tiles WHERE level = $1 AND idx = $2")
                .bind(i64::from(id.level))
                .bind(id.index as i64)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get::<Vec<u8>, _>(0))
                .transpose()?,
        )
    }

    /// The stored checkpoint of exactly `size` leaves, if the signer kept one (checkpoints are
    /// thinned, so most sizes have none).
    pub(crate) async fn checkpoint_of_size(&self, size: i64) -> Result<Option<String>> {
        Ok(sqlx::query("SELECT note FROM checkpoints WHERE size = $1")
            .bind(size)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get::<String, _>(0))
            .transpose()?)
    }

    /// The latest stored checkpoint: (size, note, when written).
    async fn latest_checkpoint(&self) -> Result<Option<(i64, String, i64)>> {
        let row = sqlx::query("SELECT size, note, at FROM checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)),
            None => None,
        })
    }

    pub(crate) async fn issue_checkpoint(&self) -> Result<Option<String>> {
        let (last_size, last_note, last_at) = match self.latest_checkpoint().await? {
            Some((size, note, at)) => (size, Some(note), at),
            None => (-1, None, i64::MIN),
        };
        let ledger = self.ledger.lock().expect("ledger lock").clone();
        if ledger.log.size() as i64 <= last_size {
            return Ok(last_note);
        }
        let signers = self.signers().await?;
        let refs: Vec<&zhifa_ledger::Signer> = signers.iter().collect();
        let note = ledger
            .log
            .checkpoint(&ledger.origin)
            .sign(&refs)
            .map_err(|e| StoreError::Ledger(e.to_string()))?
            .to_string();
        let _gate = self.gate().await;
        // One transaction, so one durable commit, for the new row and the one it replaces.
        let mut tx = self.begin_write().await?;
        let now = now_micros();
        sqlx::query("INSERT INTO checkpoints (size, note, at) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING")
            .bind(ledger.log.size() as i64)
            .bind(note.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        // Under load a checkpoint is signed every ~10 ms; only the last of each second is kept
        // as history (what is served is the latest, and any older size stays provable from the
        // tiles), so the table grows by at most one row a second.
        if last_size >= 0 && last_at.div_euclid(1_000_000) == now.div_euclid(1_000_000) {
            sqlx::query("DELETE FROM checkpoints WHERE size = $1")
                .bind(last_size)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(note))
    }

    pub(crate) async fn ledger_info(&self) -> Result<LedgerInfo> {
        let (origin, alg, size) = {
            let l = self.ledger.lock().expect("ledger lock");
            (l.origin.clone(), l.alg, l.log.size() as i64)
        };
        let checkpoint = self.latest_checkpoint().await?.map(|(_, note, _)| note);
        Ok(LedgerInfo {
            origin,
            hash: alg.name().to_string(),
            size,
            checkpoint,
            verifier_keys: self.verifier_keys().await?,
        })
    }

    pub(crate) async fn inclusion_proof(
        &self,
        seq: i64,
        size: i64,
    ) -> Result<(u64, Vec<zhifa_ledger::Hash>)> {
        let alg = self.ledger.lock().expect("ledger lock").alg;
        if seq < 1 || seq > size {
            return Err(StoreError::Ledger(format!(
                "event {seq} is not in a tree of {size} leaves"
            )));
        }
        let index = (seq - 1) as u64;
        let tiles = self
            .tiles_for(zhifa_ledger::tiles::inclusion_proof_tiles(
                index,
                size as u64,
            ))
            .await?;
        let proof = zhifa_ledger::tiles::prove_inclusion(alg, &tiles, index, size as u64)
            .map_err(|e| StoreError::Ledger(e.to_string()))?;
        Ok((index, proof))
    }

    pub(crate) async fn consistency_proof(
        &self,
        old: i64,
        new: i64,
    ) -> Result<Vec<zhifa_ledger::Hash>> {
        let alg = self.ledger.lock().expect("ledger lock").alg;
        if old < 0 || old > new {
            return Err(StoreError::Ledger(format!(
                "no consistency proof from {old} to {new}"
            )));
        }
        let tiles = self
            .tiles_for(zhifa_ledger::tiles::consistency_proof_tiles(
                old as u64, new as u64,
            ))
            .await?;
        zhifa_ledger::tiles::prove_consistency(alg, &tiles, old as u64, new as u64)
            .map_err(|e| StoreError::Ledger(e.to_string()))
    }

    pub(crate) async fn audit(
        &self,
        trusted: Option<String>,
        evidence: Option<zhifa_evidence::EvidenceStore>,
    ) -> Result<std::result::Result<zhifa_ledger::AuditReport, zhifa_ledger::AuditError>> {
        use futures_util::TryStreamExt;
        let (alg, origin) = {
            let l = self.ledger.lock().expect("ledger lock");
            (l.alg, l.origin.clone())
        };
        let keys = self.trusted_keys().await?;
        // Only what was signed counts: an auditor never signs on the verifier's behalf.
        let Some((_, checkpoint, _)) = self.latest_checkpoint().await? else {
            return Err(StoreError::Ledger(
                "the log has no signed checkpoint yet".into(),
            ));
        };
        let trusted_head = match trusted {
            Some(note) => Some(
                zhifa_ledger::open_checkpoint(&note, &keys, Some(&origin))
                    .map_err(|e| StoreError::Ledger(format!("trusted checkpoint: {e}")))?
                    .checkpoint
                    .tree_head(),
            ),
            None => None,
        };
        let mut salts = std::collections::HashMap::new();
        let mut rows = sqlx::query("SELECT seq, salt FROM event_salts").fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            let bytes: Vec<u8> = r.try_get(1)?;
            // A salt of the wrong length is left out on purpose: the leaf then recomputes
            // differently and the audit names that leaf, which is what tampering should yield.
            if let Ok(salt) = salt_from(&bytes) {
                salts.insert(r.try_get::<i64, _>(0)?, salt);
            }
        }
        drop(rows);
        let mut inputs = Vec::new();
        // Evidence files claimed by the log: (leaf index, content hash), checked after the leaves.
        let mut files = Vec::new();
        let mut ev = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM events ORDER BY seq"
        )))
        .fetch(&self.pool);
        while let Some(r) = ev.try_next().await? {
            let rec = row_to_recorded(&r)?;
            if rec.kind == "EvidenceReceived"
                && let Some(c) = evidence_claim(&rec.payload)
            {
                files.push((inputs.len() as u64, c));
            }
            inputs.push(match leaf_input_of(alg, &rec, salts.get(&rec.seq)) {
                Ok(input) => input,
                // A personal value whose salt is gone was not erased through the ledger (an
                // erased one is a commitment): the record was altered. Its leaf cannot be
                // rebuilt, so it stands as an input no genuine leaf has, and the audit names
                // its index like any other altered record.
                Err(zhifa_ledger::LeafError::Unsalted(_)) => b"unsalted personal value".to_vec(),
                Err(e) => return Err(StoreError::Ledger(e.to_string())),
            });
        }
        drop(ev);
        let size = inputs.len() as u64;
        let tiles = self
            .tiles_for(zhifa_ledger::tiles::all_tiles(size).collect())
            .await?;
        let params = zhifa_ledger::audit::AuditParams {
            alg,
            origin: Some(&origin),
            keys: &keys,
            checkpoint: &checkpoint,
            trusted: trusted_head,
        };
        let mut result = zhifa_ledger::audit::audit_leaf_inputs(&params, inputs, Some(&tiles));
        let Some(store) = evidence else {
            return Ok(result);
        };
        // Each file the checkpoint covers is re-read and re-hashed, in log order, up to the
        // first leaf found wrong: the report names the first bad index, whichever kind it is.
        let covered = match &result {
            Ok(r) => r.checkpoint.size,
            Err(_) => size,
        };
        let stop_at = result
            .as_ref()
            .err()
            .and_then(|e| e.leaf_index())
            .unwrap_or(u64::MAX);
        let mut checked = 0u64;
        for (index, content) in files {
            if index >= covered || index >= stop_at {
                break;
            }
            let problem = match store
                .check(&content)
                .await
                .map_err(|e| StoreError::Ledger(format!("evidence store: {e}")))?
            {
                zhifa_evidence::FileCheck::Intact => {
                    checked += 1;
                    continue;
                }
                zhifa_evidence::FileCheck::Missing => format!(
                    "the file {}:{} is missing from {}",
                    content.alg,
                    content.hash,
                    store.location()
                ),
                zhifa_evidence::FileCheck::Changed { actual } => format!(
                    "the file was changed: it now hashes to {}:{} ({} bytes), the log recorded {}:{} ({} bytes)",
                    actual.alg, actual.hash, actual.size, content.alg, content.hash, content.size
                ),
            };
            result = Err(zhifa_ledger::AuditError::EvidenceFile { index, problem });
            break;
        }
        if let Ok(r) = &mut result {
            r.evidence_checked = checked;
        }
        Ok(result)
    }

    /// A self-verifying package of the events `seqs` (REC-5): each leaf with its inclusion
    /// proof against the latest signed checkpoint, and the evidence files they received.
    pub(crate) async fn export_package(
        &self,
        title: &str,
        seqs: &[i64],
    ) -> Result<zhifa_ledger::Package> {
        // The latest checkpoint the signer stored: exporting is a read and never signs.
        let note = self
            .latest_checkpoint()
            .await?
            .map(|(_, note, _)| note)
            .ok_or_else(|| StoreError::Ledger("the log has no signed checkpoint yet".into()))?;
        let keys = self.trusted_keys().await?;
        let (alg, origin) = {
            let l = self.ledger.lock().expect("ledger lock");
            (l.alg, l.origin.clone())
        };
        let size = zhifa_ledger::open_checkpoint(&note, &keys, Some(&origin))
            .map_err(|e| StoreError::Ledger(e.to_string()))?
            .checkpoint
            .size as i64;
        let mut seqs = seqs.to_vec();
        seqs.sort_unstable();
        seqs.dedup();
        let mut entries = Vec::with_capacity(seqs.len());
        let mut files = Vec::new();
        for seq in seqs {
            let (rec, leaf) = self
                .event_leaf(seq)
                .await?
                .ok_or_else(|| StoreError::Ledger(format!("no event {seq}")))?;
            let (index, proof) = self.inclusion_proof(seq, size).await?;
            if rec.kind == "EvidenceReceived"
                && let Some(content) = evidence_claim(&rec.payload)
            {
                let name = rec.payload["data"]["file_name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                // Named by hash (names may repeat), keeping a plain extension so the file opens.
                let ext = name
                    .rsplit_once('.')
                    .map(|(_, e)| e)
                    .filter(|e| e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
                    .map(|e| format!(".{}", e.to_ascii_lowercase()))
                    .unwrap_or_default();
                files.push(zhifa_ledger::PackageFile {
                    index,
                    path: format!("files/{}-{}{ext}", content.alg, content.hash),
                    name,
                    content,
                });
            }
            entries.push(zhifa_ledger::PackageEntry {
                index,
                leaf: String::from_utf8(leaf)
                    .map_err(|e| StoreError::Ledger(format!("leaf {seq} is not text: {e}")))?,
                proof,
            });
        }
        Ok(zhifa_ledger::Package {
            format: zhifa_ledger::package::FORMAT.to_string(),
            title: title.to_string(),
            origin,
            hash: alg,
            checkpoint: note,
            verifier_keys: self.verifier_keys().await?,
            entries,
            files,
        })
    }

    pub(crate) async fn witness_pushes(&self) -> Result<Vec<WitnessPushRow>> {
        let rows = sqlx::query(
            "SELECT witness, size, cosignature, pushed_at, last_error FROM witness_pushes ORDER BY witness",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(WitnessPushRow {
                    witness: r.try_get(0)?,
                    size: r.try_get(1)?,
                    cosignature: r.try_get(2)?,
                    pushed_at: r.try_get(3)?,
                    last_error: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Records the outcome of a push to a witness: a new cosigned size, or only the error (the
    /// last cosigned size and cosignature are kept).
    pub(crate) async fn record_witness_push(
        &self,
        witness: &str,
        outcome: &WitnessPushOutcome,
    ) -> Result<()> {
        let now = now_micros();
        match outcome {
            WitnessPushOutcome::Cosigned { size, cosignature } => {
                sqlx::query(
                    "INSERT INTO witness_pushes (witness, size, cosignature, pushed_at, last_error) \
                     VALUES ($1, $2, $3, $4, '') \
                     ON CONFLICT (witness) DO UPDATE SET size = excluded.size, \
                     cosignature = excluded.cosignature, pushed_at = excluded.pushed_at, last_error = ''",
                )
                .bind(witness)
                .bind(*size)
                .bind(cosignature.as_str())
                .bind(now)
                .execute(&self.pool)
                .await?;
            }
            WitnessPushOutcome::Failed(error) => {
                sqlx::query(
                    "INSERT INTO witness_pushes (witness, size, cosignature, pushed_at, last_error) \
                     VALUES ($1, 0, '', $2, $3) \
                     ON CONFLICT (witness) DO UPDATE SET pushed_at = excluded.pushed_at, last_error = excluded.last_error",
                )
                .bind(witness)
                .bind(now)
                .bind(error.as_str())
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }
}
