//! The knowledge as JSON, for `check --json`: what tools and reviewers see
//! of a knowledge base without reading TOML.

use serde_json::{json, Value};

use super::{About, Knowledge};

pub fn export(k: &Knowledge) -> Value {
    json!({
        "article": {
            "title": k.article.title,
            "author": k.article.author,
            "category": k.article.category,
            "updated": k.article.updated,
            "url": k.article.url,
        },
        "provider": {
            "name": k.provider.name,
            "website": k.provider.website,
            "phone": k.provider.phone,
            "about": k.provider.about,
        },
        "dimensions": k.dimensions.iter().map(|d| json!({"id": d.id, "label": d.label})).collect::<Vec<_>>(),
        "certifications": k.certifications.iter().map(|c| {
            let values: serde_json::Map<String, Value> = k.dimensions.iter().zip(&c.values)
                .map(|(d, v)| (d.id.clone(), Value::String(v.clone()))).collect();
            json!({"id": c.id, "name": c.name, "issuer_url": c.issuer_url, "values": values})
        }).collect::<Vec<_>>(),
        "topics": k.topics.iter().map(|t| json!({
            "id": t.id,
            "title": t.title,
            "about": match &t.about { About::One(c) => Value::String(c.clone()), About::Both => "both".into(), About::Neither => Value::Null },
            "questions": t.questions,
            "answer": t.answer,
            "related": t.related,
        })).collect::<Vec<_>>(),
    })
}
