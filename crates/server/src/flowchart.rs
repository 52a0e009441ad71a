//! Flowcharts (流程图) of power-list items, drawn from the item's procedure steps (REG-5).

/// Escapes text for XML content and attributes.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A vertical flowchart: a rounded box per step, arrows between, start and end ovals.
pub fn svg(title: &str, steps: &[String]) -> String {
    const W: i32 = 360;
    const BOX_H: i32 = 40;
    const GAP: i32 = 28;
    let top = 56;
    let n = steps.len() as i32 + 2;
    let height = top + n * (BOX_H + GAP);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {height}\" width=\"{W}\" height=\"{height}\" role=\"img\" aria-label=\"{} 流程图\" font-family=\"Noto Sans CJK SC, sans-serif\" font-size=\"14\">\
         <defs><marker id=\"arrow\" markerWidth=\"10\" markerHeight=\"10\" refX=\"5\" refY=\"5\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#475569\"/></marker></defs>\
         <text x=\"{}\" y=\"28\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>",
        xml_escape(title),
        W / 2,
        xml_escape(&truncate(title, 24))
    );
    let labels: Vec<String> = std::iter::once("开始".to_string())
        .chain(steps.iter().cloned())
        .chain(std::iter::once("结束".to_string()))
        .collect();
    for (i, label) in labels.iter().enumerate() {
        let y = top + i as i32 * (BOX_H + GAP);
        let terminal = i == 0 || i == labels.len() - 1;
        let (rx, fill) = if terminal {
            (20, "#e0f2fe")
        } else {
            (6, "#f8fafc")
        };
        s.push_str(&format!(
            "<rect x=\"60\" y=\"{y}\" width=\"{}\" height=\"{BOX_H}\" rx=\"{rx}\" fill=\"{fill}\" stroke=\"#334155\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            W - 120,
            W / 2,
            y + BOX_H / 2 + 5,
            xml_escape(&truncate(label, 18))
        ));
        if i + 1 < labels.len() {
            s.push_str(&format!(
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#475569\" marker-end=\"url(#arrow)\"/>",
                y + BOX_H,
                y + BOX_H + GAP - 4,
                x = W / 2
            ));
        }
    }
    s.push_str("</svg>");
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(std::iter::once('…')).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_appears_once_in_order_and_text_is_escaped() {
        let steps = vec![
            "立案".to_string(),
            "调查<取证>".to_string(),
            "决定&送达".to_string(),
        ];
        let s = svg("对某违法行为的处罚", &steps);
        let a = s.find("立案").unwrap();
        let b = s.find("调查&lt;取证&gt;").unwrap();
        let c = s.find("决定&amp;送达").unwrap();
        assert!(a < b && b < c);
        assert!(!s.contains("<取证>"));
        assert_eq!(s.matches("<rect").count(), steps.len() + 2);
        assert_eq!(s.matches("<line").count(), steps.len() + 1);
    }
}
