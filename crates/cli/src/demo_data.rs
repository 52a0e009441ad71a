//! What `zhifa demo` loads: the generated dataset (through the domain's rules) and a few evidence
//! files handed in by the demo officer (REC-4), one of them late.

use anyhow::{Context, Result};
use std::path::Path;
use zhifa_store::Store;

/// A few real, small evidence files handed in by the demo officer, through the same rule as an
/// upload (REC-4): a WAV recording, an SVG sketch of the scene, a text record, and one recording
/// handed in 30 hours after it was made, so the late flag shows.
pub(crate) async fn seed_demo_evidence(
    store: &Store,
    files: &zhifa_evidence::EvidenceStore,
) -> Result<usize> {
    use zhifa_domain::evidence::{
        EvidenceDraft, EvidenceKind, StoredFile, decide_receive_evidence,
    };
    let user = store
        .user_by_username("officer")
        .await?
        .context("the demo has its officer account")?;
    let (agency, _) = store
        .agency(user.agency_id)
        .await?
        .context("the officer's agency")?;
    let actor = zhifa_domain::auth::Actor {
        user_id: user.id,
        username: user.username.clone(),
        agency_id: user.agency_id,
        roles: user.roles.clone(),
    };
    let now = time::OffsetDateTime::now_utc();
    // (kind, file name, media type, hours since recording, description, bytes)
    type DemoFile = (
        EvidenceKind,
        &'static str,
        &'static str,
        i64,
        &'static str,
        Vec<u8>,
    );
    let items: Vec<DemoFile> = vec![
        (
            EvidenceKind::Audio,
            "询问录音（演示）.wav",
            "audio/wav",
            3,
            "对超市负责人的询问录音（演示用合成音）",
            demo_wav(440.0, 3),
        ),
        (
            EvidenceKind::Photo,
            "现场检查示意图（演示）.svg",
            "image/svg+xml",
            3,
            "现场货架与过期食品位置示意",
            DEMO_SVG.as_bytes().to_vec(),
        ),
        (
            EvidenceKind::Document,
            "询问笔录（演示）.txt",
            "text/plain",
            2,
            "询问笔录扫描件的文字版（演示）",
            DEMO_RECORD.as_bytes().to_vec(),
        ),
        (
            EvidenceKind::Audio,
            "现场录音（演示，逾期上传）.wav",
            "audio/wav",
            30,
            "录制后 30 小时才上传，平台照常接收并标记逾期（REC-4）",
            demo_wav(330.0, 2),
        ),
    ];
    let n = items.len();
    for (kind, name, media, hours_ago, description, bytes) in items {
        let content = files
            .put_stream(
                store.ledger_alg(),
                futures_util::stream::iter([Ok::<_, std::convert::Infallible>(
                    bytes::Bytes::from(bytes),
                )]),
                u64::MAX,
            )
            .await?;
        let e = decide_receive_evidence(
            &actor,
            &agency,
            EvidenceDraft {
                kind,
                file_name: name.into(),
                media_type: media.into(),
                recorded_at: Some(now - time::Duration::hours(hours_ago)),
                description: description.into(),
            },
            StoredFile {
                hash_alg: content.alg.name().into(),
                hash: content.hash.to_hex(),
                size: content.size,
            },
            uuid::Uuid::now_v7(),
            now,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        store
            .append(zhifa_domain::NewEvent {
                stream: zhifa_domain::StreamId::evidence(e.id),
                expected: zhifa_domain::event::Expected::NoStream,
                agency_id: agency.id,
                actor: actor.clone(),
                events: vec![zhifa_domain::Event::EvidenceReceived((&e).into())],
                side_effects: vec![],
            })
            .await?;
    }
    Ok(n)
}

/// A mono 16-bit 8 kHz WAV of a tone.
fn demo_wav(freq: f64, seconds: u32) -> Vec<u8> {
    let rate = 8_000u32;
    let samples = rate * seconds;
    let mut w = Vec::with_capacity(44 + 2 * samples as usize);
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(36 + 2 * samples).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&16u32.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes()); // PCM
    w.extend_from_slice(&1u16.to_le_bytes()); // mono
    w.extend_from_slice(&rate.to_le_bytes());
    w.extend_from_slice(&(rate * 2).to_le_bytes());
    w.extend_from_slice(&2u16.to_le_bytes());
    w.extend_from_slice(&16u16.to_le_bytes());
    w.extend_from_slice(b"data");
    w.extend_from_slice(&(2 * samples).to_le_bytes());
    for i in 0..samples {
        let t = f64::from(i) / f64::from(rate);
        let v = (t * freq * std::f64::consts::TAU).sin() * 8_000.0;
        w.extend_from_slice(&(v as i16).to_le_bytes());
    }
    w
}

const DEMO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="480" height="300" font-family="sans-serif" font-size="14">
<rect x="10" y="10" width="460" height="280" fill="#fff" stroke="#333"/>
<text x="20" y="34">现场检查示意图（演示）</text>
<rect x="40" y="60" width="120" height="200" fill="#eef" stroke="#335"/><text x="60" y="160">货架 A</text>
<rect x="200" y="60" width="120" height="200" fill="#fee" stroke="#a33"/><text x="215" y="150">货架 B</text>
<text x="205" y="172" fill="#a33">过期食品 12 件</text>
<rect x="360" y="220" width="90" height="50" fill="#efe" stroke="#353"/><text x="378" y="250">收银台</text>
</svg>
"##;

const DEMO_RECORD: &str = "询问笔录（演示）\n\n时间：演示数据\n地点：合肥市瑶海区某超市\n询问人：张明（执法证号见执法人员库）\n被询问人：超市负责人（演示）\n\n问：货架 B 上的食品是否已超过保质期？\n答：是，共 12 件，系盘点遗漏。\n\n（本文件为演示数据，不涉及真实当事人）\n";

/// The demo's sign-ins as (username, role, agency), for the banner.
pub(crate) type Accounts = Vec<(String, String, String)>;

/// Seeds an empty store with the demo dataset; returns the sign-ins for the banner and, when
/// `world` asks for it and the store was empty, the registry as the case generator sees it
/// (`zhifa demo --cases`).
pub(crate) async fn seed_demo(
    store: &Store,
    seed: u64,
    dir: &Path,
    world: bool,
) -> Result<(Accounts, Option<zhifa_demo::cases::CaseWorld>)> {
    let hash = |pw: &str| zhifa_server::auth::hash_password_blocking(pw);
    let demo = tokio::task::spawn_blocking(move || zhifa_demo::generate(seed, &hash)).await?;
    let accounts = demo
        .accounts
        .iter()
        .map(|a| {
            (
                a.username.clone(),
                a.role.label().to_string(),
                a.agency.clone(),
            )
        })
        .collect();
    if store.has_events().await? {
        println!("使用已有演示数据：{}", dir.display());
        return Ok((accounts, None));
    }
    let world = world.then(|| zhifa_demo::cases::CaseWorld::from_commands(&demo.commands));
    let t = std::time::Instant::now();
    let n = demo.commands.len();
    // Submit concurrently so the group-commit writer batches them into few transactions.
    let mut set = tokio::task::JoinSet::new();
    for cmd in demo.commands {
        let s = store.clone();
        set.spawn(async move { s.append(cmd).await });
        if set.len() >= 512
            && let Some(r) = set.join_next().await
        {
            r??;
        }
    }
    while let Some(r) = set.join_next().await {
        r??;
    }
    println!(
        "已生成演示数据：{} 个执法主体、{} 名执法人员、{} 个权力清单事项（{n} 条命令，用时 {:.1} 秒）",
        demo.agencies,
        demo.officers,
        demo.items,
        t.elapsed().as_secs_f64()
    );
    Ok((accounts, world))
}
