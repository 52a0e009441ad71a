//! Discretion benchmarks (裁量基准), REG-6.

use super::{Category, ItemVersion, Severity};
use crate::auth::{Actor, Permission};
use crate::error::{DomainError, optional, required};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DiscretionEntry {
    pub severity: Severity,
    /// 违法情节
    pub circumstance: String,
    /// Lower bound of the fine in fen (分).
    pub min_fine_fen: i64,
    /// Upper bound of the fine in fen (分).
    pub max_fine_fen: i64,
    /// 其他处罚种类 (警告、没收违法所得…)
    pub other_measures: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DiscretionBenchmark {
    pub item_id: Uuid,
    pub entries: Vec<DiscretionEntry>,
}

/// Largest fine accepted, 10^12 fen (一百亿元): anything above is a typing error, not a benchmark.
pub const MAX_FINE_FEN: i64 = 1_000_000_000_000;

/// REG-6: benchmarks are structured ranges per circumstance; ranges are sane and do not decrease
/// as severity grows, so a heavier circumstance can never carry a lighter range.
pub fn decide_set_benchmark(
    actor: &Actor,
    item: &ItemVersion,
    entries: &[DiscretionEntry],
) -> Result<DiscretionBenchmark, DomainError> {
    actor.require(Permission::SetBenchmark)?;
    if item.category != Category::Penalty {
        return Err(DomainError::invalid(
            "item_id",
            "not_penalty",
            format!(
                "裁量基准适用于行政处罚事项，「{}」属于{}",
                item.name,
                item.category.label()
            ),
        )
        .rule("REG-6"));
    }
    if entries.is_empty() {
        return Err(DomainError::invalid(
            "entries",
            "required",
            "至少需要一档裁量基准",
        ));
    }
    let mut out = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let field = |f: &str| format!("entries[{i}].{f}");
        if e.min_fine_fen < 0 || e.max_fine_fen < 0 {
            return Err(DomainError::invalid(
                &field("min_fine_fen"),
                "negative",
                "罚款金额不能为负数",
            )
            .rule("REG-6"));
        }
        if e.max_fine_fen > MAX_FINE_FEN {
            return Err(DomainError::invalid(
                &field("max_fine_fen"),
                "too_large",
                "罚款上限超出合理范围",
            )
            .rule("REG-6"));
        }
        if e.min_fine_fen > e.max_fine_fen {
            return Err(DomainError::invalid(
                &field("min_fine_fen"),
                "min_above_max",
                "罚款下限不能高于上限",
            )
            .rule("REG-6"));
        }
        out.push(DiscretionEntry {
            severity: e.severity,
            circumstance: required(&field("circumstance"), &e.circumstance, 500)?,
            min_fine_fen: e.min_fine_fen,
            max_fine_fen: e.max_fine_fen,
            other_measures: optional(&field("other_measures"), &e.other_measures, 200)?,
        });
    }
    out.sort_by_key(|e| e.severity);
    // Every pair, not only neighbours: with two entries of one severity, the heavier severity
    // must not fall below either of them.
    let pairs = (0..out.len()).flat_map(|i| (i + 1..out.len()).map(move |j| (i, j)));
    for (i, j) in pairs {
        let w = [&out[i], &out[j]];
        if w[1].severity > w[0].severity
            && (w[1].max_fine_fen < w[0].max_fine_fen || w[1].min_fine_fen < w[0].min_fine_fen)
        {
            return Err(DomainError::invalid(
                "entries",
                "severity_order",
                format!(
                    "「{}」档的罚款幅度不能低于「{}」档",
                    w[1].severity.label(),
                    w[0].severity.label()
                ),
            )
            .rule("REG-6"));
        }
    }
    Ok(DiscretionBenchmark {
        item_id: item.item_id,
        entries: out,
    })
}
